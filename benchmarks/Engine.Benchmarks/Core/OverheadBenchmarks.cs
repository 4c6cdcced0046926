using BenchmarkDotNet.Attributes;

namespace Engine.Benchmarks.Core;

/// <summary>
/// Framework overhead: a chain of 1,000 small ops on 64 elements, forward only and forward +
/// backward. Divide the time by 1,000 for the per-op cost. Targets: at most 1 microsecond per op
/// forward and 3 forward + backward.
/// </summary>
[MemoryDiagnoser]
public class OverheadBenchmarks
{
    private const int Ops = 1000;
    private Tensor _x = null!, _w = null!;

    [GlobalSetup]
    public void Setup()
    {
        _x = Tensor.Randn(new[] { 64 }, new Generator(4));
        _w = Tensor.Randn(new[] { 64 }, new Generator(5)).RequiresGrad_();
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public void ForwardChain()
    {
        using var scope = TensorScope.Begin();
        var y = _x;
        for (int i = 0; i < Ops; i++)
        {
            y = y * _x;
        }
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public void ForwardBackwardChain()
    {
        using var scope = TensorScope.Begin();
        var y = _w;
        for (int i = 0; i < Ops; i++)
        {
            y = y * _x;
        }
        y.Backward(_x);
        _w.Grad = null;
    }
}

/// <summary>The same, one thread, timed by the thread's CPU time.</summary>
[Config(typeof(CoreCpuTimeConfig))]
public class OverheadCpuTimeBenchmarks : OverheadBenchmarks
{
}
