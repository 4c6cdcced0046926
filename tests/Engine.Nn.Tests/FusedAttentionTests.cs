namespace Engine.Nn.Tests;

/// <summary>
/// MultiheadAttention's fused CPU core (taken when no weights are needed for a gradient) against the
/// composed path (taken when weights are asked for), in float64: outputs and every gradient agree to
/// near machine precision for self and cross attention, batch-first or not, unbatched, with key-padding,
/// causal and per-head masks, on 1 and 2 threads.
/// </summary>
public class FusedAttentionTests
{
    [TestCase(true, true, "padding", 1)]
    [TestCase(true, false, "causal", 2)]
    [TestCase(false, true, "perhead", 2)]
    [TestCase(false, false, "none", 1)]
    [TestCase(true, true, "unbatched", 2)]
    public void FusedMatchesComposedInFloat64(bool self, bool batchFirst, string masks, int threads)
    {
        const int e = 12, heads = 3, len = 5, src = 7, batch = 17;
        bool unbatched = masks == "unbatched";
        int kvLen = self ? len : src;
        int[] Shape(int l) => unbatched ? new[] { l, e } : batchFirst ? new[] { batch, l, e } : new[] { l, batch, e };
        (Tensor[] Outs, Tensor[] Grads) Run(bool fused)
        {
            var m = new MultiheadAttention(e, heads, batchFirst: batchFirst, generator: new Generator(31), dtype: DType.Float64);
            Init.Uniform_(m.InProjBias!, -0.5, 0.5, new Generator(32));
            Init.Uniform_(m.OutProj.Bias!, -0.5, 0.5, new Generator(33));
            var q = Tensor.Randn(Shape(len), new Generator(34), DType.Float64).RequiresGrad_();
            var k = self ? q : Tensor.Randn(Shape(kvLen), new Generator(35), DType.Float64).RequiresGrad_();
            var v = self ? q : Tensor.Randn(Shape(kvLen), new Generator(36), DType.Float64).RequiresGrad_();
            Tensor? kpm = null, attnMask = null;
            bool causal = false;
            if (masks == "padding")
            {
                var pad = new bool[batch * kvLen];
                for (int b = 0; b < batch; b++)
                {
                    for (int j = kvLen - b % 3; j < kvLen; j++)
                    {
                        pad[b * kvLen + j] = true;
                    }
                }
                kpm = Tensor.FromArray(pad, new[] { batch, kvLen });
            }
            else if (masks == "causal")
            {
                causal = true;
            }
            else if (masks == "perhead")
            {
                attnMask = Tensor.Randn(new[] { batch * heads, len, kvLen }, new Generator(37), DType.Float64);
            }
            var o = m.Forward(q, k, v, kpm, needWeights: !fused, attnMask: attnMask, isCausal: causal);
            Assert.That(o.Weights is null, Is.EqualTo(fused));
            var r = Tensor.Randn(o.Output.Shape, new Generator(38), DType.Float64);
            (o.Output * r).Sum().Backward();
            var leaves = self ? new[] { q } : new[] { q, k, v };
            return (new[] { o.Output }, m.Parameters().Concat(leaves).Select(p => p.Grad!).ToArray());
        }
        int saved = Kernels.Parallelism.MaxThreads, savedGemm = Kernels.Gemm.MaxThreads;
        (Tensor[] Outs, Tensor[] Grads) a;
        try
        {
            Kernels.Parallelism.MaxThreads = threads;
            Kernels.Gemm.MaxThreads = threads;
            a = Run(true);
        }
        finally
        {
            Kernels.Parallelism.MaxThreads = saved;
            Kernels.Gemm.MaxThreads = savedGemm;
        }
        var c = Run(false);
        Assert.That(a.Outs[0].Shape, Is.EqualTo(c.Outs[0].Shape));
        Fixture.AssertClose(a.Outs[0], c.Outs[0], "output", 1e-12, 1e-10);
        Assert.That(a.Grads, Has.Length.EqualTo(c.Grads.Length));
        for (int i = 0; i < a.Grads.Length; i++)
        {
            Fixture.AssertClose(a.Grads[i], c.Grads[i], $"gradient {i}", 1e-12, 1e-10);
        }
    }

    [Test]
    public void WeightsWithoutGradientComeFromTheFusedCore()
    {
        var m = new MultiheadAttention(8, 2, generator: new Generator(1));
        var x = Tensor.Randn(new[] { 5, 3, 8 }, new Generator(2));
        var composed = m.ForwardSelf(x, isCausal: true);
        AttentionOutput fused;
        using (Autograd.GradMode.NoGrad())
        {
            fused = m.ForwardSelf(x, isCausal: true);
        }
        Fixture.AssertClose(fused.Output, composed.Output, "output", 1e-6, 1e-5);
        Fixture.AssertClose(fused.Weights, composed.Weights!, "weights", 1e-6, 1e-5);
    }
}
