using System.Globalization;
using Engine.Tests.Fixtures;

namespace Engine.Tests;

/// <summary>
/// Every core op against PyTorch golden fixtures (fixtures/core/core_*.json, written by
/// generate_core_fixtures.py): forward outputs and the gradient of every input for a fixed
/// upstream gradient, over broadcasting, non-contiguous views, size-0 and size-1 dims. Each case
/// runs in float32 and in float64 against PyTorch's float64 results for the same inputs.
/// </summary>
public class OpFixtureTests
{
    // float32: |actual - expected| <= atol + rtol |expected|. The generator checks that PyTorch's
    // own float32 results meet this for every case, so a miss here is ours.
    private const double Atol32 = 1e-5, Rtol32 = 1e-4;

    // float64: the fixtures hold 12 significant digits, so 1e-10 relative is the honest floor.
    private const double Atol64 = 1e-10, Rtol64 = 1e-9;

    public static IEnumerable<TestCaseData> Cases() =>
        CoreFixtures.All.Select(c => new TestCaseData(c).SetArgDisplayNames(c.ToString()));

    [Test]
    public void FixturesCoverEveryOp()
    {
        var ops = CoreFixtures.All.Select(c => c.Op).ToHashSet();
        string[] required =
        [
            "add", "sub", "mul", "div", "neg", "pow", "pow_s", "exp", "log", "sqrt", "rsqrt", "abs", "clamp", "tanh", "sigmoid",
            "relu", "leaky_relu", "gelu", "silu", "softplus", "sin", "cos", "eq", "ne", "lt", "le", "gt", "ge",
            "sum", "mean", "var", "std", "amax", "amin", "max_dim", "min_dim", "argmax", "logsumexp", "softmax", "log_softmax",
            "matmul", "linear", "cross_entropy", "nll_loss", "mse_loss", "bce_logits",
            "cat", "stack", "index_select", "gather", "scatter_add", "masked_fill", "where", "one_hot", "view", "chunk", "split",
        ];
        Assert.That(required.Where(op => !ops.Contains(op)), Is.Empty, "ops without fixtures");
        Assert.That(CoreFixtures.All.Any(c => c.Inputs.Any(i => i.View.Length > 0)), Is.True);
        Assert.That(CoreFixtures.All.Any(c => c.Inputs.Any(i => i.Shape.Contains(0))), Is.True);
    }

    [TestCaseSource(nameof(Cases))]
    public void Float32(FixtureCase c) => Check(c, DType.Float32, c.Tol32?.Atol ?? Atol32, c.Tol32?.Rtol ?? Rtol32);

    [TestCaseSource(nameof(Cases))]
    public void Float64(FixtureCase c) => Check(c, DType.Float64, Atol64, Rtol64);

    private static void Check(FixtureCase c, DType dtype, double atol, double rtol)
    {
        var (bases, viewed) = FixtureOps.Build(c, dtype);
        var outs = FixtureOps.Run(c.Op, c.Args, viewed);
        var problems = new List<string>();
        Assert.That(outs, Has.Length.EqualTo(c.Outs.Length), "number of outputs");
        for (int i = 0; i < outs.Length; i++)
        {
            Compare($"output {i}", outs[i], c.Outs[i], dtype, atol, rtol, problems);
        }

        var pairs = FixtureOps.Upstream(c, outs, dtype);
        if (pairs.Count > 0)
        {
            foreach (var (o, _) in pairs)
            {
                Assert.That(o.RequiresGrad, Is.True, "an output that PyTorch differentiates does not require grad");
            }
            if (pairs.Count == 1)
            {
                pairs[0].Out.Backward(pairs[0].V);
            }
            else
            {
                pairs.Select(p => (p.Out * p.V).Sum()).Aggregate((s, t) => s + t).Backward();
            }
        }
        for (int i = 0; i < bases.Length; i++)
        {
            if (c.Grads[i] is not double[] expected)
            {
                continue;
            }
            var g = bases[i].Grad;
            if (g is not null && !g.Shape.SequenceEqual(c.Inputs[i].Shape))
            {
                problems.Add($"grad {i}: shape {Fmt(g.Shape)}, expected {Fmt(c.Inputs[i].Shape)}");
                continue;
            }
            if (g is not null && g.DType != dtype)
            {
                problems.Add($"grad {i}: dtype {g.DType}, expected {dtype}");
            }
            // No gradient at all is only right when PyTorch's is all zeros.
            var actual = g?.ToDoubleArray() ?? new double[expected.Length];
            CompareValues($"grad {i}", actual, expected, c.GradIndex[i], atol, rtol, problems);
        }
        Assert.That(problems, Is.Empty, $"{c} ({dtype})");
    }

    private static void Compare(string what, Tensor actual, FixtureTensor expected, DType dtype, double atol, double rtol, List<string> problems)
    {
        if (!actual.Shape.SequenceEqual(expected.Shape))
        {
            problems.Add($"{what}: shape {Fmt(actual.Shape)}, expected {Fmt(expected.Shape)}");
            return;
        }
        var want = expected.Kind switch { 'i' => DType.Int64, 'b' => DType.Bool, _ => dtype };
        if (actual.DType != want)
        {
            problems.Add($"{what}: dtype {actual.DType}, expected {want}");
            return;
        }
        var values = actual.ToDoubleArray();
        if (expected.Kind == 'f')
        {
            CompareValues(what, values, expected.Data, expected.Index, atol, rtol, problems);
        }
        else if (!(expected.Index is null ? values : expected.Index.Select(k => values[k]).ToArray()).SequenceEqual(expected.Data))
        {
            problems.Add($"{what}: [{string.Join(", ", values)}], expected [{string.Join(", ", expected.Data)}]");
        }
    }

    private static void CompareValues(string what, double[] actual, double[] expected, int[]? index, double atol, double rtol, List<string> problems)
    {
        if (index is not null)
        {
            // A large tensor: the fixture keeps a sample of positions.
            actual = index.Select(k => actual[k]).ToArray();
        }
        if (actual.Length != expected.Length)
        {
            problems.Add($"{what}: {actual.Length} values, expected {expected.Length}");
            return;
        }
        int bad = 0;
        string? first = null;
        double worst = 0;
        for (int k = 0; k < actual.Length; k++)
        {
            double a = actual[k], e = expected[k];
            bool ok = double.IsNaN(e) ? double.IsNaN(a)
                : double.IsInfinity(e) ? a == e
                : Math.Abs(a - e) <= atol + rtol * Math.Abs(e);
            if (!ok)
            {
                bad++;
                double err = Math.Abs(a - e);
                if (first is null || err > worst || double.IsNaN(err))
                {
                    worst = double.IsNaN(err) ? double.PositiveInfinity : err;
                    first = string.Create(CultureInfo.InvariantCulture, $"[{index?[k] ?? k}] {a:R} vs {e:R}");
                }
            }
        }
        if (bad > 0)
        {
            problems.Add($"{what}: {bad} of {actual.Length} values out of tolerance, worst {first}");
        }
    }

    private static string Fmt(int[] shape) => "[" + string.Join(", ", shape) + "]";
}
