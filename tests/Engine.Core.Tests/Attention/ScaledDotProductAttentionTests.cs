using Engine.Autograd;

namespace Engine.Tests.Attention;

/// <summary>
/// Functional.ScaledDotProductAttention: finite differences (float64) with and without masks and
/// causal masking, agreement with the same op composed from matmul, masked fill and softmax (forward
/// and all three gradients, float32 and float64), edge cases and bad input.
/// </summary>
public class ScaledDotProductAttentionTests
{
    private static Tensor R(ulong seed, params int[] shape) => Tensor.Randn(shape, new Generator(seed), DType.Float64).RequiresGrad_();

    /// <summary>The op written with tensor ops (its gradients come from autograd).</summary>
    internal static Tensor Composed(Tensor q, Tensor k, Tensor v, Tensor? mask = null, bool causal = false, double? scale = null)
    {
        var s = q.MatMul(k.Transpose(-2, -1)) * (scale ?? 1.0 / Math.Sqrt(q.Size(-1)));
        if (causal)
        {
            int l = q.Size(-2), n = k.Size(-2);
            var hide = new bool[l * n];
            for (int i = 0; i < l; i++)
            {
                for (int j = i + 1; j < n; j++)
                {
                    hide[i * n + j] = true;
                }
            }
            s = s.MaskedFill(Tensor.FromArray(hide, new[] { l, n }), double.NegativeInfinity);
        }
        if (mask is not null)
        {
            s = mask.DType == DType.Bool ? s.MaskedFill(mask.LogicalNot(), double.NegativeInfinity) : s + mask;
        }
        return s.Softmax(-1).MatMul(v);
    }

    private static Tensor BoolMask(ulong seed, params int[] shape)
    {
        // About a third of the keys hidden, key 0 always visible (no fully masked row).
        var u = Tensor.Uniform(shape, 0, 1, new Generator(seed), DType.Float64).ToDoubleArray();
        int s = shape[^1];
        return Tensor.FromArray(u.Select((x, i) => i % s == 0 || x > 0.35).ToArray(), shape);
    }

    [Test]
    public void GradCheckPlain()
        => Assert.That(GradCheck.Check(t => Functional.ScaledDotProductAttention(t[0], t[1], t[2]), new[] { R(1, 2, 3, 4), R(2, 2, 5, 4), R(3, 2, 5, 3) }), Is.True);

    [TestCase(3, 5, TestName = "GradCheckCausal L < S")]
    [TestCase(5, 3, TestName = "GradCheckCausal L > S")]
    [TestCase(4, 4, TestName = "GradCheckCausal L = S")]
    public void GradCheckCausal(int l, int s)
        => Assert.That(GradCheck.Check(t => Functional.ScaledDotProductAttention(t[0], t[1], t[2], isCausal: true),
            new[] { R(4, 2, l, 3), R(5, 2, s, 3), R(6, 2, s, 2) }), Is.True);

    [Test]
    public void GradCheckBoolMaskAndScale()
    {
        var mask = BoolMask(7, 3, 5);
        Assert.That(GradCheck.Check(t => Functional.ScaledDotProductAttention(t[0], t[1], t[2], mask, scale: 0.8),
            new[] { R(8, 2, 2, 3, 4), R(9, 2, 2, 5, 4), R(10, 2, 2, 5, 3) }), Is.True);
    }

    [Test]
    public void GradCheckFloatMaskBroadcastBatch()
    {
        // Key and value shared across the leading batch dim; a float mask with a broadcast head dim.
        var mask = Tensor.Randn(new[] { 2, 1, 3, 4 }, new Generator(11), DType.Float64);
        Assert.That(GradCheck.Check(t => Functional.ScaledDotProductAttention(t[0], t[1], t[2], mask),
            new[] { R(12, 2, 2, 3, 4), R(13, 1, 2, 4, 4), R(14, 2, 4, 2) }), Is.True);
    }

    private static void Close(Tensor actual, Tensor expected, double tol, string what)
    {
        Assert.That(actual.Shape, Is.EqualTo(expected.Shape), what);
        var a = actual.ToDoubleArray();
        var e = expected.ToDoubleArray();
        double scale = e.Where(x => !double.IsNaN(x)).Select(Math.Abs).DefaultIfEmpty(0).Max();
        for (int i = 0; i < e.Length; i++)
        {
            if (double.IsNaN(e[i]))
            {
                Assert.That(a[i], Is.NaN, $"{what}: element {i}");
                continue;
            }
            Assert.That(Math.Abs(a[i] - e[i]), Is.LessThanOrEqualTo(tol * Math.Max(Math.Abs(e[i]), scale)), $"{what}: element {i}: {a[i]:R} vs {e[i]:R}");
        }
    }

    /// <summary>Runs fused and composed attention on the same data and compares the output and all three gradients.</summary>
    private static void MatchesComposed(DType dtype, int[] qs, int[] ks, int[] vs, Tensor? mask, bool causal, double? scale, double tol)
    {
        var g = new Generator(21);
        var qd = Tensor.Randn(qs, g, dtype);
        var kd = Tensor.Randn(ks, g, dtype);
        var vd = Tensor.Randn(vs, g, dtype);
        var m = mask is not null && mask.DType != DType.Bool ? mask.To(dtype) : mask;

        (Tensor O, Tensor Dq, Tensor Dk, Tensor Dv) Run(Func<Tensor, Tensor, Tensor, Tensor> f)
        {
            var q = qd.Clone().Detach().RequiresGrad_();
            var k = kd.Clone().Detach().RequiresGrad_();
            var v = vd.Clone().Detach().RequiresGrad_();
            var o = f(q, k, v);
            var w = Tensor.Randn(o.Shape, new Generator(22), dtype);
            (o * w).Sum().Backward();
            return (o, q.Grad!, k.Grad!, v.Grad!);
        }

        var fused = Run((q, k, v) => Functional.ScaledDotProductAttention(q, k, v, m, causal, scale));
        var composed = Run((q, k, v) => Composed(q, k, v, m, causal, scale));
        Close(fused.O, composed.O, tol, "output");
        Close(fused.Dq, composed.Dq, tol, "dq");
        Close(fused.Dk, composed.Dk, tol, "dk");
        Close(fused.Dv, composed.Dv, tol, "dv");
    }

    [TestCase(DType.Float32, 1e-5)]
    [TestCase(DType.Float64, 1e-12)]
    public void MatchesComposedOps(DType dtype, double tol)
    {
        // Long enough rows for the SIMD paths and their tails (S = 37, E = 19).
        MatchesComposed(dtype, new[] { 2, 3, 11, 19 }, new[] { 2, 3, 37, 19 }, new[] { 2, 3, 37, 13 }, null, false, null, tol);
        MatchesComposed(dtype, new[] { 3, 21, 16 }, new[] { 3, 21, 16 }, new[] { 3, 21, 16 }, null, true, null, tol);
        MatchesComposed(dtype, new[] { 2, 2, 9, 8 }, new[] { 2, 2, 17, 8 }, new[] { 2, 2, 17, 5 }, BoolMask(23, 2, 1, 1, 17), false, 0.4, tol);
        MatchesComposed(dtype, new[] { 2, 2, 9, 8 }, new[] { 2, 2, 17, 8 }, new[] { 2, 2, 17, 5 },
            Tensor.Randn(new[] { 9, 17 }, new Generator(24), DType.Float64), false, null, tol);
    }

    [Test]
    public void NonContiguousInputsAndStridedMask()
    {
        // Transposed (B, E, L) views, a mask that is a transposed view (column stride S... not 1) and expanded batch dims.
        var g = new Generator(31);
        var qT = Tensor.Randn(new[] { 2, 4, 3 }, g, DType.Float64);
        var k = Tensor.Randn(new[] { 6, 4 }, g, DType.Float64).Narrow(0, 1, 5).Expand(2, 5, 4);
        var v = Tensor.Randn(new[] { 2, 5, 3 }, g, DType.Float64);
        var maskT = Tensor.Randn(new[] { 5, 3 }, g, DType.Float64).Transpose(0, 1);
        var q = qT.Transpose(1, 2);
        Close(Functional.ScaledDotProductAttention(q, k, v, maskT), Composed(q, k, v, maskT), 1e-13, "strided");
    }

    [Test]
    public void MaskWhoseBatchDimsDoNotCollapse()
    {
        // A (3, 2, L, S) mask that is a permuted (2, 3, L, S) tensor: its batch dims need a copy.
        var g = new Generator(41);
        var mask = Tensor.Randn(new[] { 2, 3, 4, 5 }, g, DType.Float64).Permute(1, 0, 2, 3);
        var q = Tensor.Randn(new[] { 3, 2, 4, 6 }, g, DType.Float64);
        var k = Tensor.Randn(new[] { 3, 2, 5, 6 }, g, DType.Float64);
        var v = Tensor.Randn(new[] { 3, 2, 5, 2 }, g, DType.Float64);
        Close(Functional.ScaledDotProductAttention(q, k, v, mask), Composed(q, k, v, mask), 1e-13, "permuted mask");
    }

    [Test]
    public void FullyMaskedRowIsNaNAndOtherRowsAreNot()
    {
        var mask = Tensor.FromArray(new[] { true, false, true, false, false, false, false, true, true }, new[] { 3, 3 });
        var q = R(51, 1, 3, 2);
        var k = R(52, 1, 3, 2);
        var v = R(53, 1, 3, 2);
        var o = Functional.ScaledDotProductAttention(q, k, v, mask);
        var a = o.ToDoubleArray();
        Assert.That(a[2], Is.NaN, "row 1 sees no key");
        Assert.That(a[3], Is.NaN);
        Assert.That(a.Where((_, i) => i / 2 != 1), Has.All.Not.NaN);
        Close(o, Composed(q, k, v, mask), 1e-13, "fully masked row");
        // The NaN reaches the gradients as it does through PyTorch's softmax.
        o.Sum().Backward();
        Assert.That(q.Grad!.ToDoubleArray()[2], Is.NaN);
        Assert.That(q.Grad!.ToDoubleArray()[0], Is.Not.NaN);
        Assert.That(v.Grad!.ToDoubleArray(), Has.All.NaN);
    }

    [Test]
    public void NoKeysGivesZerosAndZeroGradients()
    {
        var q = R(61, 2, 3, 4);
        var k = R(62, 2, 0, 4);
        var v = R(63, 2, 0, 5);
        var o = Functional.ScaledDotProductAttention(q, k, v);
        Assert.That(o.Shape, Is.EqualTo(new[] { 2, 3, 5 }));
        Assert.That(o.ToDoubleArray(), Has.All.EqualTo(0.0));
        o.Sum().Backward();
        Assert.That(q.Grad!.ToDoubleArray(), Has.All.EqualTo(0.0));
        Assert.That(k.Grad!.Shape, Is.EqualTo(new[] { 2, 0, 4 }));
    }

    [Test]
    public void OneNodeWithAllThreeGradients()
    {
        var q = R(71, 2, 3, 4);
        var k = R(72, 2, 5, 4);
        var v = R(73, 2, 5, 3);
        var o = Functional.ScaledDotProductAttention(q, k, v);
        Assert.That(o.GradFn!.Name, Is.EqualTo("scaled_dot_product_attention"));
        Assert.That(o.GradFn.NeedsGrad(0) && o.GradFn.NeedsGrad(1) && o.GradFn.NeedsGrad(2), Is.True);
        // Only value requires grad: the node still records and gives nothing for q and k.
        var o2 = Functional.ScaledDotProductAttention(q.Detach(), k.Detach(), v);
        o2.Sum().Backward();
        Assert.That(v.Grad, Is.Not.Null);
        Assert.That(q.Grad, Is.Null);
    }

    [Test]
    public void BadInputNamesTheOpAndShapes()
    {
        var q = Tensor.Zeros(new[] { 2, 3, 4 });
        var k = Tensor.Zeros(new[] { 2, 5, 4 });
        var v = Tensor.Zeros(new[] { 2, 5, 6 });
        void Throws<TEx>(Action d, params string[] parts) where TEx : Exception
        {
            var ex = Assert.Throws<TEx>(() => d());
            Assert.That(ex!.Message, Does.Contain("scaled_dot_product_attention"));
            foreach (var p in parts)
            {
                Assert.That(ex.Message, Does.Contain(p));
            }
        }

        Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(Tensor.Zeros(new[] { 4 }), k, v), "[4]");
        Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, Tensor.Zeros(new[] { 2, 5, 3 }), v), "[2, 3, 4]", "[2, 5, 3]");
        Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, k, Tensor.Zeros(new[] { 2, 4, 6 })), "[2, 5, 4]", "[2, 4, 6]");
        Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, k, v, Tensor.Zeros(new[] { 3, 5 }), isCausal: true), "is_causal");
        Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, k, v, Tensor.Zeros(new[] { 3, 4 })), "[3, 4]", "[2, 3, 5]");
        Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, k, v, Tensor.Zeros(new[] { 3, 3, 5 })), "[3, 3, 5]");
        Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, k, v, Tensor.Zeros(new[] { 3, 5 }, DType.Float64)), "Float64");
        Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, Tensor.Zeros(new[] { 3, 5, 4 }), Tensor.Zeros(new[] { 3, 5, 6 })), "[2, 3, 4]", "[3, 5, 4]");
        Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, k.To(DType.Float64), v), "Float64");
        Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q.To(DType.Int64), k.To(DType.Int64), v.To(DType.Int64)), "Int64");
        var learned = Tensor.Zeros(new[] { 3, 5 }).RequiresGrad_();
        Throws<NotSupportedException>(() => Functional.ScaledDotProductAttention(q, k, v, learned), "requires grad");
    }
}
