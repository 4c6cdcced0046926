using BenchmarkDotNet.Attributes;
using Engine.Kernels;

namespace Engine.Benchmarks.Gemm;

/// <summary>
/// Our GEMM on its own: square and skinny SGEMM, operand layouts (NN, NT = x * W^T, TN), DGEMM and
/// strided batches, on 1 and 2 threads, with MemoryDiagnoser (steady state allocates nothing).
/// libtorch on the same shapes: benchmarks/Engine.Benchmarks.Peers.
/// Run: dotnet run -c Release --project benchmarks/Engine.Benchmarks -- --filter '*GemmBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private int _m, _n, _k, _batch;
    private MatrixView _va, _vb;
    private float[] _a = [], _b = [], _c = [];
    private double[] _ad = [], _bd = [], _cd = [];

    /// <summary>"MxKxN" (A is M x K, B is K x N) with a layout suffix: NN, NT (B = W^T), TN (A = X^T); "bB:..." batches.</summary>
    [Params("256x256x256NN", "512x512x512NN", "1024x1024x1024NN", "2048x2048x2048NN",
        "1024x1024x1024NT", "1024x1024x1024TN", "32x128x512NN", "32x128x512NT", "b128:64x64x64NN")]
    public string Shape { get; set; } = "";

    /// <summary>Threads GEMM may use.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Kernels.Gemm.MaxThreads = Threads;
        string s = Shape;
        _batch = 1;
        if (s.StartsWith('b'))
        {
            _batch = int.Parse(s[1..s.IndexOf(':')]);
            s = s[(s.IndexOf(':') + 1)..];
        }
        string layout = s[^2..];
        var d = s[..^2].Split('x').Select(int.Parse).ToArray();
        (_m, _k, _n) = (d[0], d[1], d[2]);
        _va = layout[0] == 'T' ? MatrixView.RowMajor(_m).Transposed : MatrixView.RowMajor(_k);
        _vb = layout[1] == 'T' ? MatrixView.RowMajor(_k).Transposed : MatrixView.RowMajor(_n);
        var rng = new Random(3);
        _a = new float[_batch * _m * _k];
        _b = new float[_batch * _k * _n];
        _c = new float[_batch * _m * _n];
        for (int i = 0; i < _a.Length; i++)
        {
            _a[i] = (float)(rng.NextDouble() * 2 - 1);
        }
        for (int i = 0; i < _b.Length; i++)
        {
            _b[i] = (float)(rng.NextDouble() * 2 - 1);
        }
        _ad = _a.Select(x => (double)x).ToArray();
        _bd = _b.Select(x => (double)x).ToArray();
        _cd = new double[_c.Length];
    }

    /// <summary>SGEMM (strided-batched when the shape has a batch).</summary>
    [Benchmark]
    public void Sgemm() => Kernels.Gemm.Batched(_batch, _m, _n, _k, 1f, _a, _va, _m * _k, _b, _vb, _k * _n, 0f, _c,
        MatrixView.RowMajor(_n), _m * _n);

    /// <summary>DGEMM on the same shape.</summary>
    [Benchmark]
    public void Dgemm() => Kernels.Gemm.Batched(_batch, _m, _n, _k, 1.0, _ad, _va, _m * _k, _bd, _vb, _k * _n, 0.0, _cd,
        MatrixView.RowMajor(_n), _m * _n);
}
