using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Engine.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Engine.Benchmarks.Peers.Conv;

/// <summary>
/// conv2d, batch 32, 3x3, stride 1, pad 1, with bias: our kernels (on preallocated spans) against
/// libtorch's conv2d in the same run, 1 and 2 threads. Forward alone (libtorch under no_grad), and
/// forward + backward for input, weight and bias (libtorch through autograd.grad, so nothing
/// accumulates between iterations). Shape "C-OC@S" is C input channels, OC output channels, S x S.
/// Run twice, once with MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=2147483647 set, and
/// compare against libtorch's better run (glibc otherwise returns its large buffers on every call).
/// The reference machine is shared, so the run takes 15 iterations and shows the minimum next to
/// the median: the minimum is the figure least disturbed by other processes.
/// </summary>
[Config(typeof(ConvPeerConfig))]
public class Conv2dPeerBenchmarks : Conv2dPeerBase
{
    /// <summary>Threads for both libraries.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    protected override int ThreadCount => Threads;

    /// <summary>Floating-point operations of one invocation (for the GFLOP/s column).</summary>
    public static double Flops(string method, string shape) => FlopsOf(method, shape);
}

/// <summary>
/// The same comparison on one thread timed by the measuring thread's CPU time, which other
/// processes on a loaded machine do not inflate (all work of both libraries runs on that thread).
/// </summary>
[Config(typeof(CpuTimeConfig))]
public class Conv2dPeerCpuTimeBenchmarks : Conv2dPeerBase
{
    protected override int ThreadCount => 1;

    /// <summary>Floating-point operations of one invocation (for the GFLOP/s column).</summary>
    public static double Flops(string method, string shape) => FlopsOf(method, shape);
}

/// <summary>Shapes, buffers and the four measured methods shared by the wall-clock and CPU-time classes.</summary>
public abstract class Conv2dPeerBase
{
    private Conv2dParams _p;
    private float[] _x = [], _w = [], _b = [], _y = [], _gy = [], _dx = [], _dw = [], _db = [];
    private Tensor _tx = null!, _tw = null!, _tb = null!, _tgy = null!;

    /// <summary>Input channels, output channels and spatial size.</summary>
    [Params("3-64@32", "64-64@32", "128-128@16")]
    public string Shape { get; set; } = "";

    /// <summary>Threads both libraries use.</summary>
    protected abstract int ThreadCount { get; }

    private static (int C, int OC, int S) Parse(string shape)
    {
        var p = shape.Split('-', '@').Select(int.Parse).ToArray();
        return (p[0], p[1], p[2]);
    }

    /// <summary>Floating-point operations of one invocation: 2 per multiply-add, 3 products for forward + backward.</summary>
    protected static double FlopsOf(string method, string shape)
    {
        var (c, oc, s) = Parse(shape);
        double forward = 2.0 * 32 * oc * s * s * c * 9;
        return method.EndsWith("ForwardBackward", StringComparison.Ordinal) ? 3 * forward : forward;
    }

    [GlobalSetup]
    public void Setup()
    {
        var (c, oc, s) = Parse(Shape);
        Parallelism.MaxThreads = ThreadCount;
        Kernels.Gemm.MaxThreads = ThreadCount;
        torch.set_num_threads(ThreadCount);
        _p = new Conv2dParams(32, c, s, s, oc, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        var rng = new Random(5);
        float[] Fill(long n)
        {
            var a = new float[n];
            for (long i = 0; i < n; i++)
            {
                a[i] = (float)(rng.NextDouble() * 2 - 1);
            }
            return a;
        }
        _x = Fill(_p.InputLength);
        _w = Fill(_p.WeightLength);
        _b = Fill(oc);
        _gy = Fill(_p.OutputLength);
        _y = new float[_p.OutputLength];
        _dx = new float[_p.InputLength];
        _dw = new float[_p.WeightLength];
        _db = new float[oc];
        _tx = torch.tensor(_x, new long[] { 32, c, s, s }).requires_grad_();
        _tw = torch.tensor(_w, new long[] { oc, c, 3, 3 }).requires_grad_();
        _tb = torch.tensor(_b, new long[] { oc }).requires_grad_();
        _tgy = torch.tensor(_gy, new long[] { 32, oc, s, s });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tx.Dispose();
        _tw.Dispose();
        _tb.Dispose();
        _tgy.Dispose();
    }

    /// <summary>Our forward into a preallocated output.</summary>
    [Benchmark]
    public void OursForward() => Kernels.Conv2d.Forward<float>(_x, _w, _b, _y, _p);

    /// <summary>libtorch forward (no autograd graph).</summary>
    [Benchmark]
    public void TorchForward()
    {
        using var noGrad = torch.no_grad();
        using var y = nn.functional.conv2d(_tx, _tw, _tb, padding: new long[] { 1, 1 });
    }

    /// <summary>Our forward, then the gradients of input, weight and bias.</summary>
    [Benchmark]
    public void OursForwardBackward()
    {
        Kernels.Conv2d.Forward<float>(_x, _w, _b, _y, _p);
        Kernels.Conv2d.BackwardInput<float>(_gy, _w, _dx, _p);
        Kernels.Conv2d.BackwardWeight<float>(_x, _gy, _dw, _p);
        Kernels.Conv2d.BackwardBias<float>(_gy, _db, _p);
    }

    /// <summary>libtorch forward with autograd, then the gradients of input, weight and bias.</summary>
    [Benchmark]
    public void TorchForwardBackward()
    {
        using var scope = torch.NewDisposeScope();
        var y = nn.functional.conv2d(_tx, _tw, _tb, padding: new long[] { 1, 1 });
        torch.autograd.grad(new[] { y }, new[] { _tx, _tw, _tb }, new[] { _tgy });
    }
}

/// <summary>Like <see cref="PeerConfig"/> with more iterations and a Min column, for a machine under varying load.</summary>
public sealed class ConvPeerConfig : ManualConfig
{
    /// <summary>The configuration.</summary>
    public ConvPeerConfig()
    {
        AddJob(Job.ShortRun
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(3)
            .WithIterationCount(15)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
            .WithId("Conv"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new GflopsColumn());
        AddColumn(StatisticColumn.Median);
        AddColumn(StatisticColumn.Min);
    }
}
