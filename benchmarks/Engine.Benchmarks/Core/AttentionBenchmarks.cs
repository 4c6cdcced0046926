using BenchmarkDotNet.Attributes;

namespace Engine.Benchmarks.Core;

/// <summary>
/// Functional.ScaledDotProductAttention, forward + backward of sum(output * r), against the same
/// attention composed from tensor ops (matmul, softmax, matmul, gradients from autograd), on the
/// inner shape of the issue-6 MultiheadAttention benchmark: 32 x 4 heads, L = S = 64, head dim 32,
/// float32; and on one long sequence (1 x 4 heads, L = S = 512, head dim 64). Each iteration runs in
/// a TensorScope. The libtorch twin of the fused op is
/// benchmarks/Engine.Benchmarks.Peers/Nn/AttentionPeerBenchmarks.cs.
/// </summary>
[MemoryDiagnoser]
public class AttentionBenchmarks
{
    private Tensor _q = null!, _k = null!, _v = null!, _r = null!;

    /// <summary>Batch x heads, sequence length, head dim.</summary>
    [Params("32x4,64,32", "1x4,512,64")]
    public string Shape { get; set; } = "";

    /// <summary>Threads the engine may use (all cores unless a subclass says otherwise).</summary>
    protected virtual int Threads => Environment.ProcessorCount;

    [GlobalSetup]
    public void Setup()
    {
        Kernels.Parallelism.MaxThreads = Threads;
        Kernels.Gemm.MaxThreads = Threads;
        var parts = Shape.Split(',');
        var bh = parts[0].Split('x').Select(int.Parse).ToArray();
        int n = int.Parse(parts[1]), e = int.Parse(parts[2]);
        var g = new Generator(5);
        int[] shape = { bh[0], bh[1], n, e };
        _q = Tensor.Randn(shape, g).RequiresGrad_();
        _k = Tensor.Randn(shape, g).RequiresGrad_();
        _v = Tensor.Randn(shape, g).RequiresGrad_();
        _r = Tensor.Randn(shape, g);
    }

    /// <summary>Drops the leaf gradients of the last step, returning their memory to the pool.</summary>
    private void Clear()
    {
        foreach (var t in new[] { _q, _k, _v })
        {
            t.Grad?.Dispose();
            t.Grad = null;
        }
    }

    /// <summary>The fused op: one node, GEMMs plus a row softmax that keeps the log-sum-exp.</summary>
    [Benchmark(Baseline = true)]
    public void FusedForwardBackward()
    {
        using var scope = TensorScope.Begin();
        Clear();
        (Functional.ScaledDotProductAttention(_q, _k, _v) * _r).Sum().Backward();
    }

    /// <summary>softmax(q k^T / sqrt(E)) v from tensor ops.</summary>
    [Benchmark]
    public void ComposedForwardBackward()
    {
        using var scope = TensorScope.Begin();
        Clear();
        var s = _q.MatMul(_k.Transpose(-2, -1)) * (1.0 / Math.Sqrt(_q.Size(-1)));
        (s.Softmax(-1).MatMul(_v) * _r).Sum().Backward();
    }
}

/// <summary>The same, one thread, timed by the thread's CPU time.</summary>
[BenchmarkDotNet.Attributes.Config(typeof(CoreCpuTimeConfig))]
public class AttentionCpuTimeBenchmarks : AttentionBenchmarks
{
    protected override int Threads => 1;
}
