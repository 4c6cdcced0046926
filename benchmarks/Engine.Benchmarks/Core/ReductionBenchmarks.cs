using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;

namespace Engine.Benchmarks.Core;

/// <summary>Reductions and softmax on 1M floats (1024 x 1024), against TensorPrimitives' sum where it applies.</summary>
[MemoryDiagnoser]
public class ReductionBenchmarks
{
    private Tensor _m = null!;
    private float[] _x = null!;

    /// <summary>Threads the engine may use (all cores unless a subclass says otherwise).</summary>
    protected virtual int Threads => Environment.ProcessorCount;

    [GlobalSetup]
    public void Setup()
    {
        Kernels.Parallelism.MaxThreads = Threads;
        _m = Tensor.Randn(new[] { 1024, 1024 }, new Generator(2));
        _x = _m.ToFloatArray();
    }

    [Benchmark(Baseline = true)]
    public float SumAllTensorPrimitives() => TensorPrimitives.Sum(_x);

    [Benchmark]
    public void SumAllEngine()
    {
        using var r = _m.Sum();
    }

    [Benchmark]
    public void SumRowsEngine()
    {
        using var r = _m.Sum(1);
    }

    [Benchmark]
    public void SumColumnsEngine()
    {
        using var r = _m.Sum(0);
    }

    [Benchmark]
    public void MaxRowsEngine()
    {
        using var r = _m.Amax(new[] { 1 });
    }

    [Benchmark]
    public void SoftmaxRowsEngine()
    {
        using var r = _m.Softmax(1);
    }
}

/// <summary>The same, one thread, timed by the thread's CPU time.</summary>
[Config(typeof(CoreCpuTimeConfig))]
public class ReductionCpuTimeBenchmarks : ReductionBenchmarks
{
    protected override int Threads => 1;
}
