using BenchmarkDotNet.Attributes;
using Engine.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Engine.Benchmarks.Peers.Gemm;

/// <summary>
/// One GEMM C = A * B on our kernel and on libtorch, same shapes, same run, 1 and 2 threads.
/// Shapes: "N" is N x N x N; "MxKxN" is A (M x K) by B (K x N); a trailing "T" means B is the
/// transpose of a row-major (N x K) weight, as in x * W^T; a leading "d" means float64.
/// libtorch runs twice: torch.mm (allocates its result, the usual call) and addmm_ into a
/// preallocated C with beta = 0 (no allocation), so the comparison can take libtorch's better one.
/// </summary>
public abstract class GemmPeerBase
{
    private int _m, _n, _k;
    private bool _transB, _double;
    private float[] _a = [], _b = [], _c = [];
    private double[] _ad = [], _bd = [], _cd = [];
    private Tensor _ta = null!, _tb = null!, _tc = null!;

    /// <summary>Problem shape (see the class summary).</summary>
    [Params("256", "512", "1024", "2048", "32x128x512", "32x128x512T", "d512", "d1024")]
    public string Shape { get; set; } = "";

    /// <summary>Threads for both libraries.</summary>
    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    /// <summary>The thread counts this class runs.</summary>
    public abstract IEnumerable<int> ThreadCounts { get; }

    /// <summary>Floating-point operations of one invocation (for the GFLOP/s column).</summary>
    public static double Flops(string method, string shape)
    {
        if (method == nameof(FmaPeak1Thread))
        {
            return FmaPeakBenchmarks.Flops(method, shape);
        }
        var (m, n, k, _, _) = Parse(shape);
        return 2.0 * m * n * k;
    }

    private static (int M, int N, int K, bool TransB, bool Double) Parse(string shape)
    {
        bool dbl = shape.StartsWith('d');
        bool t = shape.EndsWith('T');
        string core = shape.TrimStart('d').TrimEnd('T');
        var parts = core.Split('x').Select(int.Parse).ToArray();
        return parts.Length == 1 ? (parts[0], parts[0], parts[0], t, dbl) : (parts[0], parts[2], parts[1], t, dbl);
    }

    [GlobalSetup]
    public void Setup()
    {
        (_m, _n, _k, _transB, _double) = Parse(Shape);
        Kernels.Gemm.MaxThreads = Threads;
        torch.set_num_threads(Threads);
        var rng = new Random(42);
        _a = Fill(new float[_m * _k], rng);
        _b = Fill(new float[_k * _n], rng);
        _c = new float[_m * _n];
        _ad = _a.Select(x => (double)x).ToArray();
        _bd = _b.Select(x => (double)x).ToArray();
        _cd = new double[_m * _n];
        ScalarType type = _double ? ScalarType.Float64 : ScalarType.Float32;
        _ta = torch.rand(new long[] { _m, _k }, type);
        // B is K x N; for the transposed case it is a (N x K) weight seen through .t(), no copy.
        _tb = _transB ? torch.rand(new long[] { _n, _k }, type).t() : torch.rand(new long[] { _k, _n }, type);
        _tc = torch.zeros(new long[] { _m, _n }, type);
    }

    private static float[] Fill(float[] x, Random rng)
    {
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)(rng.NextDouble() * 2 - 1);
        }
        return x;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ta.Dispose();
        _tb.Dispose();
        _tc.Dispose();
    }

    /// <summary>Our GEMM (Engine.Kernels.Gemm) into a preallocated C.</summary>
    [Benchmark]
    public void Ours()
    {
        MatrixView vb = _transB ? MatrixView.RowMajor(_k).Transposed : MatrixView.RowMajor(_n);
        if (_double)
        {
            Kernels.Gemm.Dgemm(_m, _n, _k, 1.0, _ad, MatrixView.RowMajor(_k), _bd, vb, 0.0, _cd, MatrixView.RowMajor(_n));
        }
        else
        {
            Kernels.Gemm.Sgemm(_m, _n, _k, 1f, _a, MatrixView.RowMajor(_k), _b, vb, 0f, _c, MatrixView.RowMajor(_n));
        }
    }

    /// <summary>libtorch torch.mm (allocates the result, disposed at once).</summary>
    [Benchmark(Baseline = true)]
    public void TorchMm()
    {
        using var r = torch.mm(_ta, _tb);
    }

    /// <summary>
    /// The single-thread FMA peak measured next to this shape's rows (this machine is shared, so the
    /// peak is taken again beside each comparison rather than once).
    /// </summary>
    [Benchmark]
    public float FmaPeak1Thread() => FmaPeakBenchmarks.Run(FmaPeakBenchmarks.Iterations);

    /// <summary>libtorch addmm_ into a preallocated C with beta = 0.</summary>
    [Benchmark]
    public void TorchAddmmInPlace()
    {
        _tc.addmm_(_ta, _tb, beta: 0f, alpha: 1f);
    }
}

/// <summary>The GEMM comparison in wall-clock time, 1 and 2 threads.</summary>
[Config(typeof(PeerConfig))]
public class GemmPeerBenchmarks : GemmPeerBase
{
    /// <inheritdoc />
    public override IEnumerable<int> ThreadCounts => [1, 2];
}

/// <summary>The GEMM comparison on one thread, timed by thread CPU time (robust to other load on the machine).</summary>
[Config(typeof(CpuTimeConfig))]
public class GemmPeerCpuTimeBenchmarks : GemmPeerBase
{
    /// <inheritdoc />
    public override IEnumerable<int> ThreadCounts => [1];
}
