using Engine.Autograd;
using Engine.Multimodal.Model;

namespace Engine.Multimodal.Tests;

public class PatchOpsTests
{
    // The view formulation the fused ops replace on the CPU (and which other devices still run).
    private static Tensor ViewIm2Col2d(Tensor x, int k)
    {
        int ho = x.Size(1) - k + 1, wo = x.Size(2) - k + 1;
        var views = new List<Tensor>();
        for (int dy = 0; dy < k; dy++)
        {
            for (int dx = 0; dx < k; dx++)
            {
                views.Add(x.Narrow(1, dy, ho).Narrow(2, dx, wo));
            }
        }
        return Tensor.Cat(views, 3).Reshape(x.Size(0) * ho * wo, -1);
    }

    private static Tensor ViewIm2Col1d(Tensor x, int k)
    {
        int to = x.Size(1) - k + 1;
        var views = Enumerable.Range(0, k).Select(j => x.Narrow(1, j, to)).ToList();
        return Tensor.Cat(views, 2).Reshape(x.Size(0) * to, -1);
    }

    // Value and input gradient of sum(op(x) * r) for a fixed random r.
    private static (double[] Value, double[] Grad) Run(Func<Tensor, Tensor> op, Tensor x0)
    {
        var x = x0.Detach().Clone().RequiresGrad_();
        var y = op(x);
        var r = Tensor.Randn(y.Shape, new Generator(7), y.DType);
        (y * r).Sum().Backward();
        return (y.ToDoubleArray(), x.Grad!.ToDoubleArray());
    }

    private static void AssertSame(Func<Tensor, Tensor> fused, Func<Tensor, Tensor> reference, Tensor x)
    {
        var (v1, g1) = Run(fused, x);
        var (v2, g2) = Run(reference, x);
        Assert.That(v1, Is.EqualTo(v2).AsCollection.Within(1e-6));
        Assert.That(g1, Is.EqualTo(g2).AsCollection.Within(1e-5));
    }

    [TestCase(1, 3)]
    [TestCase(4, 3)]
    [TestCase(3, 2)]
    public void Im2Col2dMatchesTheViewFormulationInValueAndGradient(int channels, int k)
    {
        var x = Tensor.Randn(new[] { 3, 7, 6, channels }, new Generator(1));
        Assert.That(PatchOps.Supported(x), Is.True);
        AssertSame(t => PatchOps.Im2Col2d(t, k), t => ViewIm2Col2d(t, k), x);
    }

    [Test]
    public void Im2Col1dMatchesTheViewFormulationInValueAndGradient()
    {
        var x = Tensor.Randn(new[] { 2, 11, 5 }, new Generator(2));
        AssertSame(t => PatchOps.Im2Col1d(t, 5), t => ViewIm2Col1d(t, 5), x);
    }

    [Test]
    public void Im2ColOfANonContiguousInputReadsItsLogicalValues()
    {
        var x = Tensor.Randn(new[] { 2, 4, 6, 5 }, new Generator(3)).Permute(0, 2, 1, 3); // (2, 6, 4, 5), strided
        AssertSame(t => PatchOps.Im2Col2d(t, 3), t => ViewIm2Col2d(t, 3), x);
    }

    [TestCase(8, 6)]
    [TestCase(7, 5)] // odd sizes: the last row and column are dropped
    public void ReluMaxPool2dMatchesReluThenStridedMaximum(int h, int w)
    {
        var x = Tensor.Randn(new[] { 2, h, w, 3 }, new Generator(4));
        AssertSame(t => PatchOps.ReluMaxPool(t, twoD: true), t => Pool.MaxPool2x2(t.Relu()), x);
    }

    [TestCase(10)]
    [TestCase(9)]
    public void ReluMaxPool1dMatchesReluThenStridedMaximum(int t)
    {
        var x = Tensor.Randn(new[] { 3, t, 4 }, new Generator(5));
        AssertSame(v => PatchOps.ReluMaxPool(v, twoD: false), v => Pool.MaxPool1d2(v.Relu()), x);
    }

    [Test]
    public void FusedOpsPassAFiniteDifferenceCheckInFloat64()
    {
        var g = new Generator(6);
        var img = Tensor.Randn(new[] { 2, 5, 4, 2 }, g, DType.Float64).RequiresGrad_();
        var seq = Tensor.Randn(new[] { 2, 6, 3 }, g, DType.Float64).RequiresGrad_();
        Assert.That(GradCheck.Check(a => PatchOps.Im2Col2d(a[0], 2), new[] { img }), Is.True);
        Assert.That(GradCheck.Check(a => PatchOps.Im2Col1d(a[0], 3), new[] { seq }), Is.True);
        // Away from ties and from zero (where relu and max have kinks) the pooled op is differentiable.
        var spread = Tensor.FromArray(Enumerable.Range(0, 2 * 4 * 4 * 2).Select(i => (i * 37 % 64 - 20) / 8.0 + 0.05).ToArray(), new[] { 2, 4, 4, 2 }).RequiresGrad_();
        Assert.That(GradCheck.Check(a => PatchOps.ReluMaxPool(a[0], twoD: true), new[] { spread }), Is.True);
    }

    [Test]
    public void ReluMaxPoolSendsATiedWindowsGradientToItsFirstMaximumOnly()
    {
        // One window, two channels: channel 0 all equal (positive), channel 1 all negative (relu gives 0, no gradient).
        var x = Tensor.FromArray(new float[] { 2, -1, 2, -1, 2, -1, 2, -1 }, new[] { 1, 2, 2, 2 }).RequiresGrad_();
        var y = PatchOps.ReluMaxPool(x, twoD: true);
        Assert.That(y.ToDoubleArray(), Is.EqualTo(new[] { 2.0, 0 }));
        y.Sum().Backward();
        Assert.That(x.Grad!.ToDoubleArray(), Is.EqualTo(new[] { 1.0, 0, 0, 0, 0, 0, 0, 0 }));
    }

    [TestCase(9, 16, true)]
    [TestCase(5, 8, false)]
    [TestCase(32, 24, true)]
    public void NarrowLinearMatchesLinearInValueAndEveryGradient(int k, int n, bool withBias)
    {
        var g = new Generator(11);
        var x = Tensor.Randn(new[] { 300, k }, g).RequiresGrad_();
        var w = Tensor.Randn(new[] { n, k }, g).RequiresGrad_();
        var b = withBias ? Tensor.Randn(new[] { n }, g).RequiresGrad_() : null;
        Assert.That(PatchOps.NarrowLinearSupported(x, w), Is.True);
        var r = Tensor.Randn(new[] { 300, n }, g);
        var inputs = b is null ? new[] { x, w } : new[] { x, w, b };

        (PatchOps.NarrowLinear(x, w, b) * r).Sum().Backward();
        var fused = inputs.Select(t => t.Grad!.ToDoubleArray()).ToList();
        var value = PatchOps.NarrowLinear(x, w, b).ToDoubleArray();
        foreach (var t in inputs)
        {
            t.Grad = null;
        }
        (Tensor.Linear(x, w, b) * r).Sum().Backward();
        Assert.That(value, Is.EqualTo(Tensor.Linear(x, w, b).ToDoubleArray()).AsCollection.Within(1e-4));
        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.That(fused[i], Is.EqualTo(inputs[i].Grad!.ToDoubleArray()).AsCollection.Within(2e-3), $"gradient of input {i}");
        }
    }

    [Test]
    public void NarrowLinearRejectsWhatItDoesNotHandle()
    {
        var g = new Generator(12);
        Assert.That(PatchOps.NarrowLinearSupported(Tensor.Randn(new[] { 4, 40 }, g), Tensor.Randn(new[] { 16, 40 }, g)), Is.False);
        Assert.That(PatchOps.NarrowLinearSupported(Tensor.Randn(new[] { 4, 9 }, g, DType.Float64), Tensor.Randn(new[] { 16, 9 }, g, DType.Float64)), Is.False);
        var ex = Assert.Throws<ArgumentException>(() => PatchOps.NarrowLinear(Tensor.Randn(new[] { 4, 9 }, g), Tensor.Randn(new[] { 16, 8 }, g), null));
        Assert.That(ex!.Message, Does.Contain("NarrowLinear").And.Contain("[16, 8]"));
    }

    [TestCase(true, true)]
    [TestCase(false, true)]
    [TestCase(true, false)]
    public void DenseMatchesLinearInValueAndEveryGradient(bool withBias, bool inputNeedsGrad)
    {
        var g = new Generator(13);
        var x = Tensor.Randn(new[] { 70, 45 }, g).RequiresGrad_(inputNeedsGrad);
        var w = Tensor.Randn(new[] { 12, 45 }, g).RequiresGrad_();
        var b = withBias ? Tensor.Randn(new[] { 12 }, g).RequiresGrad_() : null;
        var r = Tensor.Randn(new[] { 70, 12 }, g);
        var inputs = (b is null ? new[] { x, w } : new[] { x, w, b }).Where(t => t.RequiresGrad).ToArray();

        var value = PatchOps.Dense(x, w, b);
        (value * r).Sum().Backward();
        var fused = inputs.Select(t => t.Grad!.ToDoubleArray()).ToList();
        foreach (var t in inputs)
        {
            t.Grad = null;
        }
        var reference = Tensor.Linear(x, w, b);
        (reference * r).Sum().Backward();
        Assert.That(value.ToDoubleArray(), Is.EqualTo(reference.ToDoubleArray()).AsCollection.Within(1e-4));
        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.That(fused[i], Is.EqualTo(inputs[i].Grad!.ToDoubleArray()).AsCollection.Within(1e-3), $"gradient of input {i}");
        }
    }

    [Test]
    public void ProjectKeepsLeadingDimsAndPassesAFiniteDifferenceCheckInFloat64()
    {
        var g = new Generator(14);
        var layer = new Engine.Nn.Linear(5, 3, generator: g);
        var x = Tensor.Randn(new[] { 2, 4, 5 }, g);
        var y = PatchOps.Project(layer, x);
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 4, 3 }));
        Assert.That(y.ToDoubleArray(), Is.EqualTo(layer.Forward(x).ToDoubleArray()).AsCollection.Within(1e-5));
        var x64 = Tensor.Randn(new[] { 4, 5 }, g, DType.Float64).RequiresGrad_();
        var w64 = Tensor.Randn(new[] { 3, 5 }, g, DType.Float64).RequiresGrad_();
        var b64 = Tensor.Randn(new[] { 3 }, g, DType.Float64).RequiresGrad_();
        Assert.That(GradCheck.Check(a => PatchOps.Dense(a[0], a[1], a[2]), new[] { x64, w64, b64 }), Is.True);
    }

    [Test]
    public void ReluMeanMaxOverTimeMatchesReluThenMeanAndAmax()
    {
        var x = Tensor.Randn(new[] { 3, 7, 10 }, new Generator(15));
        AssertSame(PatchOps.ReluMeanMaxOverTime, v =>
        {
            var r = v.Relu();
            return Tensor.Cat(new[] { r.Mean(1), r.Amax(new[] { 1 }) }, 1);
        }, x);
        var spread = Tensor.FromArray(Enumerable.Range(0, 2 * 5 * 3).Select(i => (i * 37 % 64 - 20) / 8.0 + 0.05).ToArray(), new[] { 2, 5, 3 }).RequiresGrad_();
        Assert.That(GradCheck.Check(a => PatchOps.ReluMeanMaxOverTime(a[0]), new[] { spread }), Is.True);
    }

    [Test]
    public void LayersGiveTheSameOutputOnTheFusedAndTheViewPath()
    {
        var g = new Generator(8);
        var conv = new Conv2dNhwc(2, 3, 3, g);
        var x = Tensor.Randn(new[] { 2, 6, 6, 2 }, g);
        var fused = conv.Forward(x);
        var p = conv.Parameters().ToList();
        // Reference: the view im2col times the same weight.
        var reference = Tensor.Linear(ViewIm2Col2d(x, 3), p[0], p[1]).View(2, 4, 4, 3);
        Assert.That(fused.Shape, Is.EqualTo(new[] { 2, 4, 4, 3 }));
        Assert.That(fused.ToDoubleArray(), Is.EqualTo(reference.ToDoubleArray()).AsCollection.Within(1e-5));
    }
}
