namespace Engine.Tests.Conv;

/// <summary>Outputs and gradients against PyTorch 1.13 (fixtures/conv), in float64 and float32.</summary>
public class ConvFixtureTests
{
    private static IEnumerable<ConvFixture> ConvCases() => ConvFixtures.Where("conv");

    private static IEnumerable<ConvFixture> PoolCases() => ConvFixtures.Cases.Where(c => c.Op.Contains("pool", StringComparison.Ordinal));

    private static IEnumerable<ConvFixture> NormCases() => ConvFixtures.Cases.Where(c => c.Op.EndsWith("norm", StringComparison.Ordinal));

    internal static void AssertClose(Tensor actual, double[] expected, double tol, string what)
    {
        var a = actual.ToDoubleArray();
        Assert.That(a, Has.Length.EqualTo(expected.Length), $"{what}: element count");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < a.Length; i++)
        {
            double err = Math.Abs(a[i] - expected[i]) / (1 + Math.Abs(expected[i]));
            if (!(err <= worst))
            {
                worst = err;
                at = i;
            }
        }
        Assert.That(worst, Is.LessThanOrEqualTo(tol), $"{what}: worst relative error {worst:G3} at element {at} (got {(at >= 0 ? a[at] : 0)}, expected {(at >= 0 ? expected[at] : 0)})");
    }

    private static double Tol(DType dt) => dt == DType.Float64 ? 1e-6 : 2e-5;

    [TestCaseSource(nameof(ConvCases))]
    public void ConvMatchesPyTorch(ConvFixture f)
    {
        foreach (var dt in new[] { DType.Float64, DType.Float32 })
        {
            var x = f.Tensor("x", dt, true);
            var w = f.Tensor("w", dt, true);
            var b = f.Has("b") ? f.Tensor("b", dt, true) : null;
            var pad = f.StringOption("padding");
            var (s, d, g) = (f.Pair("stride"), f.Pair("dilation"), f.Int("groups"));
            Tensor y;
            if (f.Op == "conv2d")
            {
                y = pad is not null ? Functional.Conv2d(x, w, b, pad, s, d, g) : Functional.Conv2d(x, w, b, s, f.Pair("padding"), d, g);
            }
            else
            {
                y = pad is not null ? Functional.Conv1d(x, w, b, pad, s.W, d.W, g) : Functional.Conv1d(x, w, b, s.W, f.Pair("padding").W, d.W, g);
            }
            Assert.That(y.Shape, Is.EqualTo(f.Shape("y")));
            AssertClose(y, f.Values("y"), Tol(dt), $"{f.Name} {dt} output");
            y.Backward(f.Tensor("gy", dt));
            AssertClose(x.Grad!, f.Values("dx"), Tol(dt), $"{f.Name} {dt} input grad");
            AssertClose(w.Grad!, f.Values("dw"), Tol(dt), $"{f.Name} {dt} weight grad");
            if (b is not null)
            {
                AssertClose(b.Grad!, f.Values("db"), Tol(dt), $"{f.Name} {dt} bias grad");
            }
        }
    }

    [TestCaseSource(nameof(ConvCases))]
    public void ConvMatchesPyTorchWithEveryAlgorithm(ConvFixture f)
    {
        // Forcing im2col+GEMM for depthwise cases and a tiny column budget (one sample per chunk)
        // must give the same results as the default choice.
        var saved = (Kernels.Conv2d.Algorithm, Kernels.Conv2d.ColumnBudgetBytes);
        try
        {
            Kernels.Conv2d.Algorithm = Kernels.ConvAlgorithm.Im2ColGemm;
            Kernels.Conv2d.ColumnBudgetBytes = 1;
            ConvMatchesPyTorch(f);
        }
        finally
        {
            (Kernels.Conv2d.Algorithm, Kernels.Conv2d.ColumnBudgetBytes) = saved;
        }
    }

    [TestCaseSource(nameof(ConvCases))]
    public void ConvMatchesPyTorchWithImplicitGemm(ConvFixture f)
    {
        // Implicit GEMM forced wherever it applies (one group), including the backward input pass
        // for few input channels, which the default choice leaves to im2col.
        var saved = Kernels.Conv2d.Algorithm;
        try
        {
            Kernels.Conv2d.Algorithm = Kernels.ConvAlgorithm.ImplicitGemm;
            ConvMatchesPyTorch(f);
        }
        finally
        {
            Kernels.Conv2d.Algorithm = saved;
        }
    }

    [TestCaseSource(nameof(PoolCases))]
    public void PoolMatchesPyTorch(ConvFixture f)
    {
        foreach (var dt in new[] { DType.Float64, DType.Float32 })
        {
            var x = f.Tensor("x", dt, true);
            Tensor y;
            Tensor? idx = null;
            switch (f.Op)
            {
                case "max_pool2d":
                    (y, idx) = Functional.MaxPool2dWithIndices(x, f.Pair("kernel"), f.Pair("stride"), f.Pair("padding"), f.Pair("dilation"), f.Bool("ceil_mode"));
                    break;
                case "max_pool1d":
                    (y, idx) = Functional.MaxPool1dWithIndices(x, f.Pair("kernel").W, f.Pair("stride").W, f.Pair("padding").W, f.Pair("dilation").W, f.Bool("ceil_mode"));
                    break;
                case "avg_pool2d":
                    int dv = f.Int("divisor");
                    y = Functional.AvgPool2d(x, f.Pair("kernel"), f.Pair("stride"), f.Pair("padding"), f.Bool("ceil_mode"), f.Bool("count_include_pad"), dv > 0 ? dv : null);
                    break;
                case "avg_pool1d":
                    y = Functional.AvgPool1d(x, f.Pair("kernel").W, f.Pair("stride").W, f.Pair("padding").W, f.Bool("ceil_mode"), f.Bool("count_include_pad"));
                    break;
                case "adaptive_avg_pool2d":
                    y = f.Name.StartsWith("global", StringComparison.Ordinal) ? Functional.GlobalAvgPool2d(x) : Functional.AdaptiveAvgPool2d(x, f.Pair("output"));
                    break;
                case "adaptive_avg_pool1d":
                    y = Functional.AdaptiveAvgPool1d(x, f.Pair("output").W);
                    break;
                default:
                    Assert.Fail($"unknown op {f.Op}");
                    return;
            }
            Assert.That(y.Shape, Is.EqualTo(f.Shape("y")));
            AssertClose(y, f.Values("y"), Tol(dt), $"{f.Name} {dt} output");
            if (idx is not null)
            {
                Assert.That(idx.ToDoubleArray(), Is.EqualTo(f.Values("indices")), $"{f.Name} {dt} indices");
            }
            y.Backward(f.Tensor("gy", dt));
            AssertClose(x.Grad!, f.Values("dx"), Tol(dt), $"{f.Name} {dt} input grad");
        }
    }

    [TestCaseSource(nameof(NormCases))]
    public void NormMatchesPyTorch(ConvFixture f)
    {
        foreach (var dt in new[] { DType.Float64, DType.Float32 })
        {
            var x = f.Tensor("x", dt, true);
            var w = f.Has("w") ? f.Tensor("w", dt, true) : null;
            var b = f.Has("b") ? f.Tensor("b", dt, true) : null;
            Tensor y;
            Tensor? rm = null, rv = null;
            switch (f.Op)
            {
                case "batch_norm":
                    rm = f.Tensor("running_mean", dt);
                    rv = f.Tensor("running_var", dt);
                    y = Functional.BatchNorm(x, rm, rv, w, b, f.Bool("training"), f.Real("momentum"), f.Real("eps"));
                    break;
                case "layer_norm":
                    y = Functional.LayerNorm(x, f.Ints("normalized_shape"), w, b, f.Real("eps"));
                    break;
                case "group_norm":
                    y = Functional.GroupNorm(x, f.Int("groups"), w, b, f.Real("eps"));
                    break;
                default:
                    Assert.Fail($"unknown op {f.Op}");
                    return;
            }
            AssertClose(y, f.Values("y"), Tol(dt), $"{f.Name} {dt} output");
            if (rm is not null)
            {
                AssertClose(rm, f.Values("new_running_mean"), Tol(dt), $"{f.Name} {dt} running mean");
                AssertClose(rv!, f.Values("new_running_var"), Tol(dt), $"{f.Name} {dt} running var");
            }
            y.Backward(f.Tensor("gy", dt));
            AssertClose(x.Grad!, f.Values("dx"), Tol(dt), $"{f.Name} {dt} input grad");
            if (w is not null)
            {
                AssertClose(w.Grad!, f.Values("dw"), Tol(dt), $"{f.Name} {dt} weight grad");
                AssertClose(b!.Grad!, f.Values("db"), Tol(dt), $"{f.Name} {dt} bias grad");
            }
        }
    }
}
