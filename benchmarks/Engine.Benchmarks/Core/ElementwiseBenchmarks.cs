using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;

namespace Engine.Benchmarks.Core;

/// <summary>
/// Elementwise add, mul and exp on 1M contiguous floats: the engine's tensor op (output from the
/// buffer pool) against TensorPrimitives writing into a preallocated span (the baseline).
/// Target: the engine within 1.2x of TensorPrimitives.
/// </summary>
[MemoryDiagnoser]
public abstract class ElementwiseBenchmarksBase
{
    private const int N = 1 << 20;
    private Tensor _a = null!, _b = null!;
    private float[] _x = null!, _y = null!, _z = null!;

    /// <summary>Threads the engine may use.</summary>
    protected virtual int Threads => 1;

    [GlobalSetup]
    public void Setup()
    {
        Kernels.Parallelism.MaxThreads = Threads;
        var g = new Generator(1);
        _a = Tensor.Randn(new[] { N }, g);
        _b = Tensor.Randn(new[] { N }, g);
        _x = _a.ToFloatArray();
        _y = _b.ToFloatArray();
        _z = new float[N];
    }

    [Benchmark(Baseline = true)]
    public void AddTensorPrimitives() => TensorPrimitives.Add(_x, _y, _z);

    [Benchmark]
    public void AddEngine()
    {
        using var r = _a + _b;
    }

    [Benchmark]
    public void MulTensorPrimitives() => TensorPrimitives.Multiply(_x, _y, _z);

    [Benchmark]
    public void MulEngine()
    {
        using var r = _a * _b;
    }

    [Benchmark]
    public void ExpTensorPrimitives() => TensorPrimitives.Exp(_x, _z);

    [Benchmark]
    public void ExpEngine()
    {
        using var r = _a.Exp();
    }
}

/// <summary>Wall-clock timing on 1 and 2 threads.</summary>
public class ElementwiseBenchmarks : ElementwiseBenchmarksBase
{
    [Params(1, 2)]
    public int ThreadCount { get; set; }

    protected override int Threads => ThreadCount;
}

/// <summary>One thread, timed by the thread's CPU time so other load on the machine does not count.</summary>
[Config(typeof(CoreCpuTimeConfig))]
public class ElementwiseCpuTimeBenchmarks : ElementwiseBenchmarksBase
{
}
