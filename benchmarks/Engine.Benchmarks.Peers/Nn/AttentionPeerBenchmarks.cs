extern alias engine;

using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;
using E = engine::Engine;

namespace Engine.Benchmarks.Peers.Nn;

/// <summary>
/// Scaled-dot-product attention, forward + backward of sum(output * r), float32, one thread timed by
/// the thread's CPU time: Engine's fused Functional.ScaledDotProductAttention against libtorch's
/// torch.nn.functional.scaled_dot_product_attention in the same run, on the inner shape of the
/// issue-6 MultiheadAttention benchmark (32 x 4 heads, L = S = 64, head dim 32) and on one long
/// sequence (1 x 4 heads, L = S = 512, head dim 64). Run with
/// <c>dotnet run -c Release --project benchmarks/Engine.Benchmarks.Peers -- --filter '*AttentionPeer*'</c>.
/// </summary>
[Config(typeof(CpuTimeConfig))]
public class AttentionPeerBenchmarks
{
    private E.Tensor _q = null!, _k = null!, _v = null!, _r = null!;
    private Tensor _tq = null!, _tk = null!, _tv = null!, _tr = null!;

    /// <summary>Batch x heads, sequence length, head dim.</summary>
    [Params("32x4,64,32", "1x4,512,64")]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        Kernels.Parallelism.MaxThreads = 1;
        Kernels.Gemm.MaxThreads = 1;
        var parts = Shape.Split(',');
        var bh = parts[0].Split('x').Select(int.Parse).ToArray();
        int n = int.Parse(parts[1]), e = int.Parse(parts[2]);
        int[] shape = { bh[0], bh[1], n, e };
        var g = new E.Generator(5);
        E.Tensor Make() => E.Tensor.Randn(shape, g);
        (_q, _k, _v, _r) = (Make(), Make(), Make(), Make());
        // The same numbers on both sides.
        Tensor Copy(E.Tensor t) => torch.tensor(t.ToFloatArray(), shape.Select(d => (long)d).ToArray());
        (_tq, _tk, _tv, _tr) = (Copy(_q).requires_grad_(), Copy(_k).requires_grad_(), Copy(_v).requires_grad_(), Copy(_r));
        _q.RequiresGrad_();
        _k.RequiresGrad_();
        _v.RequiresGrad_();
    }

    /// <summary>Engine: the fused op (one autograd node).</summary>
    [Benchmark(Baseline = true)]
    public void EngineForwardBackward()
    {
        using var scope = E.TensorScope.Begin();
        foreach (var t in new[] { _q, _k, _v })
        {
            t.Grad?.Dispose(); // back to the pool: leaf gradients live outside the scope
            t.Grad = null;
        }
        (E.Functional.ScaledDotProductAttention(_q, _k, _v) * _r).Sum().Backward();
    }

    /// <summary>libtorch: F.scaled_dot_product_attention (its CPU kernel), then backward.</summary>
    [Benchmark]
    public void TorchForwardBackward()
    {
        using var scope = torch.NewDisposeScope();
        _tq.grad = null;
        _tk.grad = null;
        _tv.grad = null;
        (nn.functional.scaled_dot_product_attention(_tq, _tk, _tv) * _tr).sum().backward();
    }
}
