namespace Engine.Tests.Conv;

/// <summary>Bad sizes give an exception that names the op and the offending values.</summary>
public class ConvBadInputTests
{
    private static Tensor Z(params int[] shape) => Tensor.Zeros(shape);

    private static void Throws(Action code, params string[] parts)
    {
        var e = Assert.Throws<ArgumentException>(() => code())!;
        foreach (var p in parts)
        {
            Assert.That(e.Message, Does.Contain(p));
        }
    }

    [Test]
    public void ChannelMismatch() => Throws(() => Functional.Conv2d(Z(1, 3, 5, 5), Z(4, 2, 3, 3)), "conv2d", "3 channels", "expects 2");

    [Test]
    public void GroupMismatch()
    {
        Throws(() => Functional.Conv2d(Z(1, 4, 5, 5), Z(3, 1, 3, 3), groups: 3), "conv2d", "4 channels", "groups=3");
        Throws(() => Functional.Conv2d(Z(1, 4, 5, 5), Z(3, 2, 3, 3), groups: 2), "conv2d", "out_channels (3)", "groups (2)");
        Throws(() => Functional.Conv1d(Z(1, 4, 5), Z(4, 2, 3), groups: 0), "conv1d", "groups", "0");
    }

    [Test]
    public void KernelLargerThanPaddedInput()
    {
        Throws(() => Functional.Conv2d(Z(1, 1, 2, 2), Z(1, 1, 3, 3)), "conv2d", "3x3", "2x2");
        Throws(() => Functional.Conv2d(Z(1, 1, 4, 4), Z(1, 1, 3, 3), dilation: 2), "conv2d", "5x5", "4x4");
        Throws(() => Functional.Conv1d(Z(1, 1, 2), Z(1, 1, 4), padding: 0), "conv1d", "4", "2");
        Throws(() => Functional.MaxPool2d(Z(1, 1, 2, 2), 3, 1, 1, 2), "max_pool2d", "larger");
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void BadStride(int s)
    {
        Throws(() => Functional.Conv2d(Z(1, 1, 5, 5), Z(1, 1, 3, 3), stride: s), "conv2d", "stride", s.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Throws(() => Functional.Conv1d(Z(1, 1, 5), Z(1, 1, 3), stride: s), "conv1d", "stride");
        Throws(() => Functional.MaxPool2d(Z(1, 1, 5, 5), 2, s), "max_pool2d", "stride");
        Throws(() => Functional.AvgPool1d(Z(1, 1, 5), 2, s), "avg_pool1d", "stride");
    }

    [TestCase(0)]
    [TestCase(-2)]
    public void BadDilation(int d)
    {
        Throws(() => Functional.Conv2d(Z(1, 1, 5, 5), Z(1, 1, 3, 3), dilation: d), "conv2d", "dilation", d.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Throws(() => Functional.MaxPool1d(Z(1, 1, 5), 2, 1, 0, d), "max_pool1d", "dilation");
    }

    [Test]
    public void BadPaddingAndShapes()
    {
        Throws(() => Functional.Conv2d(Z(1, 1, 5, 5), Z(1, 1, 3, 3), padding: -1), "conv2d", "padding");
        Throws(() => Functional.Conv2d(Z(1, 1, 5, 5), Z(1, 1, 3, 3), null, "same", stride: 2), "conv2d", "same", "stride 2");
        Throws(() => Functional.Conv2d(Z(1, 1, 5, 5), Z(1, 1, 3, 3), null, "full"), "conv2d", "full");
        Throws(() => Functional.Conv2d(Z(1, 1, 5, 5), Z(2, 1, 3, 3), Z(3)), "conv2d", "bias", "[2]");
        Throws(() => Functional.Conv2d(Z(5, 5), Z(1, 1, 3, 3)), "conv2d", "[5, 5]");
        Throws(() => Functional.Conv2d(Z(1, 1, 5, 5), Z(1, 3, 3)), "conv2d", "weight");
        Throws(() => Functional.MaxPool2d(Z(1, 1, 6, 6), 2, 2, 2), "max_pool2d", "padding (2, 2)");
        Throws(() => Functional.AvgPool2d(Z(1, 1, 6, 6), 2, divisorOverride: 0), "avg_pool2d", "divisor");
        Throws(() => Functional.AdaptiveAvgPool2d(Z(1, 1, 6, 6), 0), "adaptive_avg_pool2d", "0");
    }

    [Test]
    public void NormMismatches()
    {
        Throws(() => Functional.BatchNorm(Z(2, 3, 4), null, null, Z(4), null, true), "batch_norm", "weight", "[3]");
        Throws(() => Functional.BatchNorm(Z(1, 3), null, null, null, null, true), "batch_norm", "more than 1 value per channel");
        Throws(() => Functional.BatchNorm(Z(2, 3), null, null), "batch_norm", "running_mean");
        Throws(() => Functional.GroupNorm(Z(2, 6, 4), 4), "group_norm", "num_groups=4", "[2, 6, 4]");
        Throws(() => Functional.LayerNorm(Z(2, 3, 4), new[] { 3 }), "layer_norm", "[3]", "[2, 3, 4]");
        Throws(() => Functional.LayerNorm(Z(2, 3, 4), new[] { 4 }, Z(3)), "layer_norm", "weight");
        Throws(() => Functional.Dropout(Z(2), 1.5), "dropout", "1.5");
    }

    [Test]
    public void MixedDtypesAreRejected()
        => Throws(() => Functional.Conv2d(Z(1, 1, 5, 5), Z(1, 1, 3, 3).To(DType.Float64)), "conv2d", "dtypes");
}
