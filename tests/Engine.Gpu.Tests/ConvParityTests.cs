namespace Engine.Gpu.Tests;

public abstract partial class DeviceParityTests
{
    [TestCase(1, 1, 0, 1)]
    [TestCase(2, 1, 1, 1)]
    [TestCase(1, 2, 2, 2)]
    public void Conv2dMatchesCpuForwardAndBackward(int stride, int dilation, int padding, int groups)
    {
        var x = Uniform(new[] { 2, 4, 6, 7 }, -1, 1, 121);
        var w = Uniform(new[] { 6, 4 / groups, 3, 2 }, -1, 1, 122);
        var b = Uniform(new[] { 6 }, -1, 1, 123);
        var gy = Uniform(new[] { 1 }, -1, 1, 124);
        Tensor Conv(Tensor xi, Tensor wi, Tensor? bi) => Functional.Conv2d(xi, wi, bi, stride, padding, dilation, groups);
        var ax = x.Abs();
        var aw = w.Abs();
        Parity(dev => Conv(x.To(dev), w.To(dev), b.To(dev)), () => Conv(ax, aw, b.Abs()), "conv2d forward");
        var yShape = Conv(x, w, b).Shape;
        var g = Uniform(yShape, -1, 1, 125);
        string[] names = { "dx", "dw", "db" };
        for (int i = 0; i < 3; i++)
        {
            int which = i;
            Parity(dev =>
            {
                var ps = new[] { x, w, b }.Select(t => t.Clone().To(dev).Detach().RequiresGrad_()).ToArray();
                (Conv(ps[0], ps[1], ps[2]) * g.To(dev)).Sum().Backward();
                return ps[which].Grad!;
            }, () =>
            {
                // Scale: the same gradient with every term made positive.
                var ps = new[] { ax, aw, b.Abs() }.Select(t => t.Clone().Detach().RequiresGrad_()).ToArray();
                (Conv(ps[0], ps[1], ps[2]) * g.Abs()).Sum().Backward();
                return ps[which].Grad!;
            }, $"conv2d {names[i]}");
        }
    }
}
