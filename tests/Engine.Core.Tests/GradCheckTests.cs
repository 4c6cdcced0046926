using Engine.Autograd;
using Engine.Tests.Fixtures;

namespace Engine.Tests;

/// <summary>
/// Finite-difference checks (GradCheck, float64) of every differentiable op: every fixture case
/// with a float input that needs a gradient, run through the same view chains, plus hand-written
/// cases whose leaves are themselves non-contiguous views (transposed, strided, offset).
/// </summary>
public class GradCheckTests
{
    /// <summary>
    /// Fixture cases with something to differentiate, except those placed on a kink on purpose and
    /// those with infinite inputs (finite differences at -inf mean nothing).
    /// </summary>
    public static IEnumerable<TestCaseData> FixtureCases() => CoreFixtures.All
        .Where(c => !c.Kink && c.Vs.Any(v => v is { Length: > 0 }) && c.Inputs.Any(i => i.Grad && i.Data.Length > 0))
        .Where(c => c.Inputs.All(i => i.Data.All(double.IsFinite)))
        .Where(c => c.Inputs.Sum(i => i.Data.Length) <= 2000) // the large family drives multi-core paths; too big for finite differences
        .Select(c => new TestCaseData(c).SetArgDisplayNames(c.ToString()));

    [Test]
    public void EveryDifferentiableOpIsChecked()
    {
        var checkedOps = FixtureCases().Select(d => ((FixtureCase)d.Arguments[0]!).Op).ToHashSet();
        string[] differentiable =
        [
            "add", "sub", "mul", "div", "neg", "pow", "pow_s", "exp", "log", "sqrt", "rsqrt", "abs", "clamp", "tanh", "sigmoid",
            "relu", "leaky_relu", "gelu", "silu", "softplus", "sin", "cos", "maximum", "minimum",
            "sum", "mean", "var", "std", "amax", "amin", "max_dim", "min_dim", "logsumexp", "softmax", "log_softmax",
            "matmul", "linear", "cross_entropy", "nll_loss", "mse_loss", "bce_logits",
            "cat", "stack", "index_select", "gather", "scatter_add", "masked_fill", "where", "view", "chunk", "split",
        ];
        Assert.That(differentiable.Where(op => !checkedOps.Contains(op)), Is.Empty, "differentiable ops without a GradCheck");
    }

    [TestCaseSource(nameof(FixtureCases))]
    public void Fixture(FixtureCase c)
    {
        var bases = c.Inputs.Select(t => FixtureOps.MakeBase(t, DType.Float64)).ToArray();
        var floatIdx = Enumerable.Range(0, bases.Length).Where(i => c.Inputs[i].Kind == 'f').ToArray();
        foreach (int i in floatIdx)
        {
            bases[i].RequiresGrad = c.Inputs[i].Grad;
        }
        Tensor F(Tensor[] floats)
        {
            var all = (Tensor[])bases.Clone();
            for (int k = 0; k < floatIdx.Length; k++)
            {
                all[floatIdx[k]] = floats[k];
            }
            var outs = FixtureOps.Run(c.Op, c.Args, all.Select((b, i) => FixtureOps.ApplyView(b, c.Inputs[i].View)).ToArray());
            var pairs = FixtureOps.Upstream(c, outs, DType.Float64);
            // One differentiable output: check its whole Jacobian; several (chunk, split): their v-weighted sum.
            return pairs.Count == 1 ? pairs[0].Out : pairs.Select(p => (p.Out * p.V).Sum()).Aggregate((s, t) => s + t);
        }
        Assert.That(GradCheck.Check(F, floatIdx.Select(i => bases[i]).ToArray()), Is.True);
    }

    /// <summary>A leaf that is a non-contiguous view of fresh random data (not part of any graph).</summary>
    private static Tensor Leaf(Generator g, int[] shape, Func<Tensor, Tensor>? view = null, double scale = 1, double shift = 0)
    {
        var t = Tensor.Randn(shape, g, DType.Float64) * scale + shift;
        return (view is null ? t : view(t)).Detach().RequiresGrad_();
    }

    public static IEnumerable<TestCaseData> ViewLeafCases()
    {
        TestCaseData C(string name, Func<Generator, Tensor[]> inputs, Func<Tensor[], Tensor> f) =>
            new TestCaseData(inputs, f).SetArgDisplayNames(name);

        Tensor T(Tensor t) => t.Transpose(0, 1);
        Tensor Step(Tensor t) => t.Slice(1, 1, t.Size(1), 2);

        yield return C("transposed_leaf_exp_mul", g => [Leaf(g, [4, 3], T), Leaf(g, [3, 4])], t => t[0].Exp() * t[1]);
        yield return C("strided_leaf_div_bcast", g => [Leaf(g, [3, 9], Step), Leaf(g, [4], null, 0.3, 2)], t => t[0] / t[1]);
        yield return C("offset_leaf_pow_tensor", g => [Leaf(g, [5, 4], x => x.Narrow(0, 1, 3), 0.3, 1.5), Leaf(g, [3, 1])], t => t[0].Pow(t[1]));
        yield return C("expanded_use_sub", g => [Leaf(g, [1, 4]), Leaf(g, [3, 4], T)], t => t[0].Expand(3, 4) - t[1].T);
        yield return C("sigmoid_tanh_chain", g => [Leaf(g, [5, 4], T)], t => t[0].Sigmoid().Tanh().Softplus());
        yield return C("gelu_silu_sin_cos", g => [Leaf(g, [3, 8], Step)], t => t[0].Gelu() + t[0].Silu() * t[0].Sin() - t[0].Cos());
        yield return C("log_sqrt_rsqrt", g => [Leaf(g, [4, 3], T, 0.2, 2)], t => t[0].Log() + t[0].Sqrt() * t[0].Rsqrt().Square());
        yield return C("leaky_relu_abs_clamp", g => [Leaf(g, [4, 5], T)], t => t[0].LeakyRelu(0.2) + t[0].Abs().Clamp(0.1, 1.2));
        yield return C("sum_mean_over_views", g => [Leaf(g, [4, 3, 2], x => x.Permute(2, 0, 1))], t => t[0].Sum([0, 2], keepDim: true) * t[0].Mean(1, keepDim: true));
        yield return C("var_std_strided", g => [Leaf(g, [3, 10], Step)], t => t[0].Var(1) + t[0].Std([0, 1]));
        yield return C("amax_max_dim_transposed", g => [Leaf(g, [5, 3], T)], t => t[0].Amax([1]) + t[0].Min(0).Values.Sum());
        yield return C("logsumexp_softmax", g => [Leaf(g, [4, 3], T, 2)], t => t[0].LogSumExp(0) + t[0].Softmax(0).Mul(t[0].LogSoftmax(1)).Sum(0));
        yield return C("matmul_both_noncontig", g => [Leaf(g, [4, 3], T), Leaf(g, [2, 5, 4], x => x.Transpose(1, 2))], t => t[0].MatMul(t[1]));
        yield return C("matmul_batched_bcast", g => [Leaf(g, [2, 1, 3, 4]), Leaf(g, [5, 4, 2])], t => t[0].MatMul(t[1]));
        yield return C("matmul_vec_mat", g => [Leaf(g, [6], x => x.Slice(0, 0, 6, 2)), Leaf(g, [3, 2])], t => t[0].MatMul(t[1]));
        yield return C("linear_relu", g => [Leaf(g, [4, 3], T), Leaf(g, [5, 4]), Leaf(g, [5])], t => Tensor.Linear(t[0], t[1], t[2]).Tanh());
        yield return C("cross_entropy_smoothing", g => [Leaf(g, [5, 4], T)],
            t => Functional.CrossEntropy(t[0], Tensor.FromArray(new long[] { 2, 0, 4, 1 }), labelSmoothing: 0.1));
        yield return C("cross_entropy_ncd_ignore", g => [Leaf(g, [3, 4, 2])],
            t => Functional.CrossEntropy(t[0], Tensor.FromArray(new long[] { 1, -100, 3, 0, 2, 2 }, [3, 2])));
        yield return C("mse_both_sides", g => [Leaf(g, [3, 4]), Leaf(g, [4, 3], T)], t => Functional.MseLoss(t[0], t[1]));
        yield return C("bce_pos_weight", g => [Leaf(g, [3, 4], null, 2), Leaf(g, [3, 4], null, 0.2, 0.5)],
            t => Functional.BinaryCrossEntropyWithLogits(t[0], t[1], Tensor.FromArray(new[] { 0.5, 1.0, 2.0, 3.0 })));
        yield return C("cat_stack_of_views", g => [Leaf(g, [3, 2], T), Leaf(g, [2, 6], Step)], t => Tensor.Cat([t[0], Tensor.Stack([t[0], t[1]], 2).Sum(2)], 1));
        yield return C("gather_scatter_add", g => [Leaf(g, [5, 3], T), Leaf(g, [3, 2])],
            t => t[0].ScatterAdd(1, Tensor.FromArray(new long[] { 0, 4, 2, 2, 1, 1 }, [3, 2]), t[1])
                .Gather(1, Tensor.FromArray(new long[] { 4, 4, 0, 2, 1, 3 }, [3, 2])));
        yield return C("index_select_repeats", g => [Leaf(g, [4, 5], T)], t => t[0].IndexSelect(0, Tensor.FromArray(new long[] { 3, 0, 3, 1 })));
        yield return C("where_masked_fill", g => [Leaf(g, [4, 3], T), Leaf(g, [4])],
            t => Tensor.Where(Tensor.FromArray(new[] { true, false, true, true }), t[0], t[1]).MaskedFill(Tensor.FromArray(new[] { false, true, false }, [3, 1]), 0.5));
        yield return C("view_chain_reshape_expand", g => [Leaf(g, [4, 6], Step)],
            t => t[0].Transpose(0, 1).Reshape(12).Unsqueeze(0).Expand(2, 12).Narrow(1, 2, 7).Chunk(3, 1)[1]);
        yield return C("split_squeeze_select", g => [Leaf(g, [1, 6, 2])],
            t => t[0].Squeeze(0).Split([2, 3, 1])[1].Select(1, 1) * t[0].Flatten()[3]);
        yield return C("maximum_minimum_bcast", g => [Leaf(g, [3, 1]), Leaf(g, [4], null, 0.7)], t => t[0].Maximum(t[1]) + t[0].Minimum(t[1].Neg()));
        yield return C("pow_scalar_negative_base", g => [Leaf(g, [5, 2], T)], t => t[0].Pow(3) + t[0].Pow(2) * 0.5);
    }

    [TestCaseSource(nameof(ViewLeafCases))]
    public void ViewLeaf(Func<Generator, Tensor[]> inputs, Func<Tensor[], Tensor> f)
    {
        var x = inputs(new Generator(42));
        Assert.That(GradCheck.Check(f, x), Is.True);
    }
}
