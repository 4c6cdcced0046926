using Engine.Autograd;

namespace Engine.Tests.Conv;

/// <summary>Finite-difference gradient checks (float64) for every convolution, pooling, normalisation and dropout op and configuration.</summary>
public class ConvGradCheckTests
{
    private static Tensor R(ulong seed, params int[] shape) => Tensor.Randn(shape, new Generator(seed), DType.Float64).RequiresGrad_();

    private static void Check(Func<Tensor[], Tensor> f, params Tensor[] inputs)
        => Assert.That(GradCheck.Check(f, inputs), Is.True);

    [TestCase(1, 0, 1, 1, false, TestName = "Conv2d plain")]
    [TestCase(2, 1, 1, 1, true, TestName = "Conv2d stride 2 pad 1 bias")]
    [TestCase(1, 2, 2, 1, true, TestName = "Conv2d dilation 2 pad 2")]
    [TestCase(2, 1, 1, 2, true, TestName = "Conv2d groups 2 stride 2")]
    public void Conv2d(int stride, int padding, int dilation, int groups, bool bias)
    {
        var x = R(1, 2, 4, 6, 5);
        var w = R(2, 4, 4 / groups, 3, 3);
        var b = R(3, 4);
        var inputs = bias ? new[] { x, w, b } : new[] { x, w };
        Check(t => Functional.Conv2d(t[0], t[1], bias ? t[2] : null, stride, padding, dilation, groups), inputs);
    }

    [Test]
    public void Conv2dAsymmetricStrideAndPadding()
    {
        var x = R(4, 1, 2, 7, 6);
        var w = R(5, 3, 2, 2, 3);
        Check(t => Functional.Conv2d(t[0], t[1], null, (2, 1), (1, 0), (1, 2)), x, w);
    }

    [Test]
    public void Conv2dSamePaddingEvenKernel()
    {
        var x = R(6, 1, 2, 5, 6);
        var w = R(7, 3, 2, 4, 2);
        var b = R(8, 3);
        Check(t => Functional.Conv2d(t[0], t[1], t[2], "same", 1, 2), x, w, b);
    }

    [TestCase(1, 1, 1, TestName = "Conv2d depthwise")]
    [TestCase(2, 2, 1, TestName = "Conv2d depthwise multiplier 2 stride 2")]
    [TestCase(1, 1, 2, TestName = "Conv2d depthwise dilation 2")]
    public void Conv2dDepthwise(int multiplier, int stride, int dilation)
    {
        var x = R(9, 2, 3, 6, 7);
        var w = R(10, 3 * multiplier, 1, 3, 3);
        var b = R(11, 3 * multiplier);
        Check(t => Functional.Conv2d(t[0], t[1], t[2], stride, 1, dilation, 3), x, w, b);
    }

    [Test]
    public void Conv2dPointwise()
    {
        var x = R(12, 2, 5, 3, 4);
        var w = R(13, 3, 5, 1, 1);
        var b = R(14, 3);
        Check(t => Functional.Conv2d(t[0], t[1], t[2]), x, w, b);
    }

    [Test]
    public void Conv2dUnbatched()
    {
        var x = R(15, 2, 5, 5);
        var w = R(16, 3, 2, 3, 3);
        Check(t => Functional.Conv2d(t[0], t[1], null, 1, 1), x, w);
    }

    [TestCase(1, 0, 1, 1, TestName = "Conv1d plain")]
    [TestCase(2, 1, 2, 1, TestName = "Conv1d stride 2 pad 1 dilation 2")]
    [TestCase(1, 2, 1, 2, TestName = "Conv1d groups 2")]
    [TestCase(1, 1, 1, 4, TestName = "Conv1d depthwise")]
    public void Conv1d(int stride, int padding, int dilation, int groups)
    {
        var x = R(17, 2, 4, 9);
        var w = R(18, 4, 4 / groups, 3);
        var b = R(19, 4);
        Check(t => Functional.Conv1d(t[0], t[1], t[2], stride, padding, dilation, groups), x, w, b);
    }

    [Test]
    public void Conv1dSamePadding()
    {
        var x = R(20, 2, 2, 8);
        var w = R(21, 3, 2, 4);
        Check(t => Functional.Conv1d(t[0], t[1], null, "same", 1, 1), x, w);
    }

    [TestCase(2, 2, 0, 1, false, TestName = "MaxPool2d 2x2")]
    [TestCase(3, 2, 1, 1, true, TestName = "MaxPool2d 3x3 pad 1 ceil")]
    [TestCase(2, 1, 1, 2, false, TestName = "MaxPool2d dilation 2")]
    public void MaxPool2d(int k, int s, int p, int d, bool ceil)
    {
        var x = R(22, 2, 2, 7, 6);
        Check(t => Functional.MaxPool2d(t[0], k, s, p, d, ceil), x);
    }

    [Test]
    public void MaxPool1d()
    {
        var x = R(23, 2, 3, 11);
        Check(t => Functional.MaxPool1d(t[0], 3, 2, 1, 1, true), x);
    }

    [TestCase(2, 2, 0, false, true, TestName = "AvgPool2d 2x2")]
    [TestCase(3, 2, 1, true, false, TestName = "AvgPool2d 3x3 pad 1 ceil exclude pad")]
    [TestCase(3, 2, 1, false, true, TestName = "AvgPool2d 3x3 pad 1 include pad")]
    public void AvgPool2d(int k, int s, int p, bool ceil, bool countIncludePad)
    {
        var x = R(24, 2, 2, 7, 6);
        Check(t => Functional.AvgPool2d(t[0], k, s, p, ceil, countIncludePad), x);
    }

    [Test]
    public void AvgPool2dDivisorOverride()
    {
        var x = R(25, 1, 2, 6, 6);
        Check(t => Functional.AvgPool2d(t[0], 3, 2, 1, divisorOverride: 4), x);
    }

    [Test]
    public void AvgPool1d()
    {
        var x = R(26, 2, 3, 10);
        Check(t => Functional.AvgPool1d(t[0], 4, 3, 2, true, false), x);
    }

    [TestCase(3, 4, TestName = "AdaptiveAvgPool2d down")]
    [TestCase(5, 8, TestName = "AdaptiveAvgPool2d up")]
    public void AdaptiveAvgPool2d(int oh, int ow)
    {
        var x = R(27, 2, 2, 5, 7);
        Check(t => Functional.AdaptiveAvgPool2d(t[0], (oh, ow)), x);
    }

    [Test]
    public void AdaptiveAvgPool1dAndGlobal()
    {
        var x = R(28, 2, 3, 10);
        Check(t => Functional.AdaptiveAvgPool1d(t[0], 4), x);
        Check(t => Functional.GlobalAvgPool1d(t[0]), x);
        var x2 = R(29, 2, 3, 4, 5);
        Check(t => Functional.GlobalAvgPool2d(t[0]), x2);
    }

    [TestCase(true, true, TestName = "BatchNorm training affine")]
    [TestCase(true, false, TestName = "BatchNorm training plain")]
    [TestCase(false, true, TestName = "BatchNorm eval affine")]
    public void BatchNorm(bool training, bool affine)
    {
        var x = R(30, 4, 3, 2, 3);
        var w = R(31, 3);
        var b = R(32, 3);
        var rm = Tensor.Zeros(new[] { 3 }, DType.Float64);
        var rv = Tensor.Ones(new[] { 3 }, DType.Float64) * 1.5;
        var inputs = affine ? new[] { x, w, b } : new[] { x };
        Check(t => Functional.BatchNorm(t[0], rm, rv, affine ? t[1] : null, affine ? t[2] : null, training, 0.1), inputs);
    }

    [Test]
    public void BatchNorm2dInputWithoutRunningStats()
    {
        var x = R(33, 5, 4);
        var w = R(34, 4);
        Check(t => Functional.BatchNorm(t[0], null, null, t[1], null, training: true), x, w);
    }

    [Test]
    public void LayerNorm()
    {
        var x = R(35, 3, 4, 5);
        var w = R(36, 4, 5);
        var b = R(37, 4, 5);
        Check(t => Functional.LayerNorm(t[0], new[] { 4, 5 }, t[1], t[2]), x, w, b);
        Check(t => Functional.LayerNorm(t[0], new[] { 5 }), x);
    }

    [TestCase(3, true, TestName = "GroupNorm 3 groups affine")]
    [TestCase(6, false, TestName = "GroupNorm instance norm")]
    [TestCase(1, true, TestName = "GroupNorm one group")]
    public void GroupNorm(int groups, bool affine)
    {
        var x = R(38, 2, 6, 2, 3);
        var w = R(39, 6);
        var b = R(40, 6);
        var inputs = affine ? new[] { x, w, b } : new[] { x };
        Check(t => Functional.GroupNorm(t[0], groups, affine ? t[1] : null, affine ? t[2] : null), inputs);
    }

    [Test]
    public void DropoutWithFixedSeed()
    {
        var x = R(41, 4, 5);
        // A fresh generator with the same seed per call: the same mask every evaluation.
        Check(t => Functional.Dropout(t[0], 0.3, true, new Generator(7)), x);
        var x4 = R(42, 2, 3, 2, 2);
        Check(t => Functional.Dropout2d(t[0], 0.5, true, new Generator(8)), x4);
    }
}
