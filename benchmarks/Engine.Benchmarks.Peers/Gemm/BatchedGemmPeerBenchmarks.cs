using BenchmarkDotNet.Attributes;
using Engine.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Engine.Benchmarks.Peers.Gemm;

/// <summary>
/// Strided-batched GEMM (attention-sized products): ours against libtorch's torch.bmm, 1 and 2 threads.
/// Shape "BxN" is B products of N x N x N.
/// </summary>
public abstract class BatchedGemmPeerBase
{
    private int _batch, _n;
    private float[] _a = [], _b = [], _c = [];
    private Tensor _ta = null!, _tb = null!;

    /// <summary>Batch and product size.</summary>
    [Params("128x64", "32x128")]
    public string Shape { get; set; } = "";

    /// <summary>Threads for both libraries.</summary>
    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    /// <summary>The thread counts this class runs.</summary>
    public abstract IEnumerable<int> ThreadCounts { get; }

    /// <summary>Floating-point operations of one invocation (for the GFLOP/s column).</summary>
    public static double Flops(string method, string shape)
    {
        var p = shape.Split('x').Select(double.Parse).ToArray();
        return 2.0 * p[0] * p[1] * p[1] * p[1];
    }

    [GlobalSetup]
    public void Setup()
    {
        var p = Shape.Split('x').Select(int.Parse).ToArray();
        (_batch, _n) = (p[0], p[1]);
        Kernels.Gemm.MaxThreads = Threads;
        torch.set_num_threads(Threads);
        var rng = new Random(7);
        int size = _batch * _n * _n;
        _a = new float[size];
        _b = new float[size];
        _c = new float[size];
        for (int i = 0; i < size; i++)
        {
            _a[i] = (float)(rng.NextDouble() * 2 - 1);
            _b[i] = (float)(rng.NextDouble() * 2 - 1);
        }
        _ta = torch.rand(new long[] { _batch, _n, _n });
        _tb = torch.rand(new long[] { _batch, _n, _n });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ta.Dispose();
        _tb.Dispose();
    }

    /// <summary>Our strided-batched GEMM into a preallocated C.</summary>
    [Benchmark]
    public void Ours()
    {
        int nn = _n * _n;
        Kernels.Gemm.Batched(_batch, _n, _n, _n, 1f, _a, MatrixView.RowMajor(_n), nn, _b, MatrixView.RowMajor(_n), nn,
            0f, _c, MatrixView.RowMajor(_n), nn);
    }

    /// <summary>libtorch torch.bmm (allocates the result, disposed at once).</summary>
    [Benchmark(Baseline = true)]
    public void TorchBmm()
    {
        using var r = torch.bmm(_ta, _tb);
    }
}

/// <summary>The batched comparison in wall-clock time, 1 and 2 threads.</summary>
[Config(typeof(PeerConfig))]
public class BatchedGemmPeerBenchmarks : BatchedGemmPeerBase
{
    /// <inheritdoc />
    public override IEnumerable<int> ThreadCounts => [1, 2];
}

/// <summary>The batched comparison on one thread, timed by thread CPU time.</summary>
[Config(typeof(CpuTimeConfig))]
public class BatchedGemmPeerCpuTimeBenchmarks : BatchedGemmPeerBase
{
    /// <inheritdoc />
    public override IEnumerable<int> ThreadCounts => [1];
}
