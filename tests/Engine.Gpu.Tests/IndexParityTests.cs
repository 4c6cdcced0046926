namespace Engine.Gpu.Tests;

public abstract partial class DeviceParityTests
{
    [Test]
    public void GatherScatterAndIndexSelectMatchCpu()
    {
        var x = Uniform(new[] { 6, 10, 4 }, -1, 1, 81);
        var gi = Tensor.RandInt(0, 10, new[] { 6, 7, 4 }, new Generator(82));
        var si = Tensor.FromArray(new long[] { 9, 0, 3, 3, 7 });
        Parity(dev => x.To(dev).Gather(1, gi.To(dev)), what: "gather");
        Parity(dev => Tensor.Zeros(new[] { 6, 10, 4 }, device: dev).ScatterAdd(1, gi.To(dev), Uniform(new[] { 6, 7, 4 }, -1, 1, 83).To(dev)),
            () => Tensor.Zeros(new[] { 6, 10, 4 }).ScatterAdd(1, gi, Uniform(new[] { 6, 7, 4 }, -1, 1, 83).Abs()), "scatter_add (repeated indices)");
        Parity(dev => x.To(dev).IndexSelect(1, si.To(dev)), what: "index_select");
        Parity(dev => x.To(DType.Int64).To(dev).IndexSelect(0, si.Narrow(0, 1, 3).To(dev)).To(DType.Float32), what: "index_select int64");
        Parity(dev =>
        {
            var xd = x.To(dev).Detach().RequiresGrad_();
            (xd.IndexSelect(1, si.To(dev)) * Tensor.Arange(5, device: dev).Reshape(1, 5, 1)).Sum().Backward();
            return xd.Grad!;
        }, what: "index_select backward (index_add)");
        Parity(dev =>
        {
            var xd = x.To(dev).Detach().RequiresGrad_();
            (xd.Gather(1, gi.To(dev)) * 2).Sum().Backward();
            return xd.Grad!;
        }, what: "gather backward (scatter_add)");
    }

    [Test]
    public void OutOfRangeIndicesThrowLikeCpu()
    {
        var x = Uniform(new[] { 3, 4 }, -1, 1, 84).To(Device);
        var bad = Tensor.FromArray(new long[] { 0, 4 }).To(Device);
        var ex = Assert.Throws<IndexOutOfRangeException>(() => x.IndexSelect(1, bad));
        Assert.That(ex!.Message, Does.Contain("index_select").And.Contain("4").And.Contain("size 4"));
        var bad2 = Tensor.FromArray(new long[] { -1, 0, 0, 1, 1, 2 }, new[] { 3, 2 }).To(Device);
        var ex2 = Assert.Throws<IndexOutOfRangeException>(() => x.Gather(1, bad2));
        Assert.That(ex2!.Message, Does.Contain("gather").And.Contain("-1"));
        // The device is still usable afterwards.
        Assert.That(x.Sum().Item(), Is.EqualTo(Uniform(new[] { 3, 4 }, -1, 1, 84).Sum().Item()).Within(1e-5));
    }

    [Test]
    public void CrossEntropyMatchesCpuWithGradient()
    {
        var logits = Uniform(new[] { 12, 10 }, -3, 3, 91);
        var target = Tensor.RandInt(0, 10, new[] { 12 }, new Generator(92));
        Parity(dev => Functional.CrossEntropy(logits.To(dev), target.To(dev)), what: "cross entropy");
        Parity(dev =>
        {
            var l = logits.To(dev).Detach().RequiresGrad_();
            Functional.CrossEntropy(l, target.To(dev), labelSmoothing: 0.1).Backward();
            return l.Grad!;
        }, () => (logits.Softmax(1) + 0.1) / 12, "cross entropy gradient (relative to the softmax and smoothing terms it subtracts)");
    }
}
