using BenchmarkDotNet.Attributes;
using Engine.Kernels;

namespace Engine.Benchmarks.Conv;

/// <summary>Shared setup: random spans for one convolution shape, forward + backward on spans.</summary>
public abstract class ConvSpanBenchmark
{
    private Conv2dParams _p;
    private float[] _x = null!, _w = null!, _y = null!, _dx = null!, _dw = null!;

    protected void Prepare(Conv2dParams p, int threads)
    {
        ConvThreads.Set(threads);
        _p = p;
        var g = new Generator(3);
        _x = Tensor.Randn(new[] { (int)p.InputLength }, g).ToFloatArray();
        _w = Tensor.Randn(new[] { (int)p.WeightLength }, g).ToFloatArray();
        _y = Tensor.Randn(new[] { (int)p.OutputLength }, g).ToFloatArray();
        _dx = new float[p.InputLength];
        _dw = new float[p.WeightLength];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Kernels.Conv2d.Algorithm = ConvAlgorithm.Auto;
        Kernels.Conv2d.ColumnBudgetBytes = 4L << 20;
    }

    [Benchmark]
    public void Forward() => Kernels.Conv2d.Forward<float>(_x, _w, ReadOnlySpan<float>.Empty, _y, _p);

    [Benchmark]
    public void ForwardBackward()
    {
        Kernels.Conv2d.Forward<float>(_x, _w, ReadOnlySpan<float>.Empty, _y, _p);
        Kernels.Conv2d.BackwardInput<float>(_y, _w, _dx, _p);
        Kernels.Conv2d.BackwardWeight<float>(_x, _y, _dw, _p);
    }
}

/// <summary>
/// The measurement behind the depthwise choice: direct loops vs im2col + GEMM for depthwise 3x3,
/// 64 channels at 32x32, batch 32, stride 1 and 2.
/// Run: dotnet run -c Release --project benchmarks/Engine.Benchmarks -- --filter '*DepthwiseAlgorithmBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class DepthwiseAlgorithmBenchmarks : ConvSpanBenchmark
{
    [Params(1, 2)]
    public int Stride { get; set; }

    [Params(ConvAlgorithm.Direct, ConvAlgorithm.Im2ColGemm)]
    public ConvAlgorithm Algorithm { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Kernels.Conv2d.Algorithm = Algorithm;
        Prepare(new Conv2dParams(32, 64, 32, 32, 64, 3, 3, Stride, Stride, 1, 1, 1, 1, 1, 1, 64), Threads);
    }
}

/// <summary>
/// The measurement behind <see cref="Kernels.Conv2d.ColumnBudgetBytes"/>: how many bytes of im2col
/// columns to build before each (batched) GEMM, on the three dense shapes of issue 3.
/// Run: dotnet run -c Release --project benchmarks/Engine.Benchmarks -- --filter '*ColumnBudgetBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class ColumnBudgetBenchmarks : ConvSpanBenchmark
{
    [Params("3-64@32", "64-64@32", "128-128@16")]
    public string Shape { get; set; } = "";

    /// <summary>Column budget in KiB.</summary>
    [Params(256, 1024, 4096, 16384)]
    public int BudgetKiB { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Kernels.Conv2d.ColumnBudgetBytes = BudgetKiB * 1024L;
        var parts = Shape.Split('-', '@');
        int c = int.Parse(parts[0]), oc = int.Parse(parts[1]), hw = int.Parse(parts[2]);
        Prepare(new Conv2dParams(32, c, hw, hw, oc, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1), Threads);
    }
}
