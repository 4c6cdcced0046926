using System.Diagnostics;
using Engine.Gpu;

namespace Engine.GpuCheck;

/// <summary>
/// GPU timing of the fused Functional.ScaledDotProductAttention (float32), forward alone and forward +
/// backward of sum(output * r), next to the same attention composed from batched GEMM and the softmax
/// kernel (matmul, softmax, matmul, gradients from autograd). Shapes: the issue-6 MultiheadAttention
/// inner shape (32 x 4 heads, L = S = 64, head dim 32) and a long one (8 x 16 heads, L = S = 1024,
/// head dim 64). Median of several runs, device synchronised. Call AttentionBench.Run(dev, log) after Bench.Run.
/// </summary>
internal static class AttentionBench
{
    public static void Run(Device dev, TextWriter log)
    {
        var b = Devices.Backend(dev);
        foreach (var (batch, heads, n, e) in new[] { (32, 4, 64, 32), (8, 16, 1024, 64) })
        {
            int[] shape = { batch, heads, n, e };
            var g = new Generator(7);
            using var q = Tensor.Randn(shape, g, device: dev).RequiresGrad_();
            using var k = Tensor.Randn(shape, g, device: dev).RequiresGrad_();
            using var v = Tensor.Randn(shape, g, device: dev).RequiresGrad_();
            using var r = Tensor.Randn(shape, g, device: dev);
            string name = $"sdpa_{batch}x{heads}x{n}x{e}";
            double flops = 4.0 * batch * heads * n * n * e;
            double fwd = Time(b, () =>
            {
                using var scope = TensorScope.Begin();
                using var nograd = Engine.Autograd.GradMode.NoGrad();
                Functional.ScaledDotProductAttention(q, k, v);
            }, 10);
            log.WriteLine($"RESULT {name}_fused_fwd {fwd * 1e3:0.000} ms ({flops / fwd / 1e12:0.00} TFLOP/s)");
            double both = Time(b, () =>
            {
                using var scope = TensorScope.Begin();
                q.Grad = k.Grad = v.Grad = null;
                (Functional.ScaledDotProductAttention(q, k, v) * r).Sum().Backward();
            }, 10);
            log.WriteLine($"RESULT {name}_fused_fwd_bwd {both * 1e3:0.000} ms");
            double composed = Time(b, () =>
            {
                using var scope = TensorScope.Begin();
                q.Grad = k.Grad = v.Grad = null;
                var s = q.MatMul(k.Transpose(-2, -1)) * (1.0 / Math.Sqrt(e));
                (s.Softmax(-1).MatMul(v) * r).Sum().Backward();
            }, 10);
            log.WriteLine($"RESULT {name}_composed_fwd_bwd {composed * 1e3:0.000} ms (fused is {composed / both:0.00}x the composed speed)");
        }
    }

    private static double Time(GpuBackend b, Action op, int runs)
    {
        op();
        op();
        b.Synchronize();
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            op();
            b.Synchronize();
            times[i] = sw.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[runs / 2];
    }
}
