using BenchmarkDotNet.Attributes;

namespace Engine.Benchmarks.Core;

/// <summary>Tensor-level matmul (through the GEMM kernel), square and batched.</summary>
[MemoryDiagnoser]
public class MatMulBenchmarks
{
    private Tensor _a = null!, _b = null!, _ba = null!, _bb = null!;

    [Params(128, 512)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var g = new Generator(3);
        _a = Tensor.Randn(new[] { N, N }, g);
        _b = Tensor.Randn(new[] { N, N }, g);
        _ba = Tensor.Randn(new[] { 32, 64, 64 }, g);
        _bb = Tensor.Randn(new[] { 32, 64, 64 }, g);
    }

    [Benchmark]
    public void MatMul()
    {
        using var r = _a.MatMul(_b);
    }

    [Benchmark]
    public void BatchedMatMul32x64()
    {
        using var r = _ba.MatMul(_bb);
    }
}
