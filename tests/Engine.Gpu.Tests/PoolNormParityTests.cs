namespace Engine.Gpu.Tests;

/// <summary>
/// Pooling and normalisation, forward and backward (through autograd), on every device against
/// the CPU. Pooling is compared elementwise (the device adds the same terms in the same order as
/// the CPU, except adaptive pooling's forward, which is scaled by the same pooling of |x|).
/// Normalised outputs and their gradients are built from whole-channel or whole-row sums, so each
/// element's rounding error is relative to the largest element of the result, not to itself:
/// those are compared within 1e-5 of the tensor's largest magnitude.
/// </summary>
public abstract partial class DeviceParityTests
{
    /// <summary>Gradient of sum(f(x) * g) with respect to x (a fresh leaf on the device).</summary>
    private static Tensor[] Grads(Device dev, Func<Tensor[], Tensor> f, Tensor g, params Tensor[] inputs)
    {
        var ps = inputs.Select(t => t.Clone().To(dev).Detach().RequiresGrad_()).ToArray();
        (f(ps) * g.To(dev)).Sum().Backward();
        return ps.Select(p => p.Grad!).ToArray();
    }

    /// <summary>Parity within 1e-5 of the largest magnitude of the CPU result.</summary>
    private void ParityOfMax(Func<Device, Tensor> op, string what)
    {
        var e = op(Device.Cpu);
        double m = e.Abs().Max().Item();
        Parity(op, () => Tensor.Full(e.Shape, m, e.DType), what);
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void MaxPoolMatchesCpuForwardAndBackward(DType dtype)
    {
        var x = Uniform(new[] { 2, 3, 7, 8 }, -1, 1, 301, dtype);
        foreach (var (k, s, pad, dil, ceil) in new[] { (3, 2, 1, 1, false), (2, 2, 0, 1, true), (3, 1, 1, 2, false), (3, 2, 1, 1, true), (2, 1, 1, 3, true), (7, 7, 0, 1, false) })
        {
            Tensor Pool(Tensor t) => Functional.MaxPool2d(t, k, s, pad, dil, ceil);
            string what = $"max_pool2d k{k} s{s} p{pad} d{dil} ceil {ceil} {dtype}";
            Parity(dev => Pool(x.To(dev)), null, what);
            Parity(dev => Functional.MaxPool2dWithIndices(x.To(dev), k, s, pad, dil, ceil).Indices, null, $"{what} indices");
            var g = Uniform(Pool(x).Shape, -1, 1, 302, dtype);
            Parity(dev => Grads(dev, t => Pool(t[0]), g, x)[0], () => Grads(Device.Cpu, t => Pool(t[0]), g.Abs(), x)[0], $"{what} dx");
        }
        // A NaN wins its windows (as in PyTorch), and its index is recorded.
        var data = x.ToDoubleArray();
        data[17] = double.NaN;
        var xn = Tensor.FromArray(data, x.Shape).To(dtype);
        Parity(dev => Functional.MaxPool2d(xn.To(dev), 3, 2, 1), null, $"max_pool2d NaN {dtype}");
        Parity(dev => Functional.MaxPool2dWithIndices(xn.To(dev), 3, 2, 1).Indices, null, $"max_pool2d NaN indices {dtype}");
        // Overlapping windows whose maxima coincide: the gradient of a shared maximum accumulates.
        var flat = Tensor.Ones(new[] { 1, 2, 5, 5 }, dtype);
        var g1 = Uniform(Functional.MaxPool2d(flat, 3, 1).Shape, -1, 1, 303, dtype);
        Parity(dev => Grads(dev, t => Functional.MaxPool2d(t[0], 3, 1), g1, flat)[0], () => Grads(Device.Cpu, t => Functional.MaxPool2d(t[0], 3, 1), g1.Abs(), flat)[0], "max_pool2d ties dx");
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void MaxPool1dMatchesCpuForwardAndBackward(DType dtype)
    {
        var x = Uniform(new[] { 2, 3, 11 }, -1, 1, 311, dtype);
        Tensor Pool(Tensor t) => Functional.MaxPool1d(t, 3, 2, 1);
        Parity(dev => Pool(x.To(dev)), null, $"max_pool1d {dtype}");
        var g = Uniform(Pool(x).Shape, -1, 1, 312, dtype);
        Parity(dev => Grads(dev, t => Pool(t[0]), g, x)[0], () => Grads(Device.Cpu, t => Pool(t[0]), g.Abs(), x)[0], $"max_pool1d dx {dtype}");
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void AvgPoolMatchesCpuForwardAndBackward(DType dtype)
    {
        var x = Uniform(new[] { 2, 3, 7, 8 }, -1, 1, 321, dtype);
        var ax = x.Abs();
        foreach (var (k, s, pad, ceil, include, div) in new (int, int, int, bool, bool, int?)[]
            { (3, 2, 1, false, true, null), (3, 2, 1, true, false, null), (2, 1, 0, false, true, 3), (3, 2, 1, true, true, null), (7, 7, 3, true, false, null) })
        {
            Tensor Pool(Tensor t) => Functional.AvgPool2d(t, k, s, pad, ceil, include, div);
            string what = $"avg_pool2d k{k} s{s} p{pad} ceil {ceil} include {include} divisor {div} {dtype}";
            Parity(dev => Pool(x.To(dev)), () => Pool(ax), what);
            var g = Uniform(Pool(x).Shape, -1, 1, 322, dtype);
            Parity(dev => Grads(dev, t => Pool(t[0]), g, x)[0], () => Grads(Device.Cpu, t => Pool(t[0]), g.Abs(), x)[0], $"{what} dx");
        }
        var x1 = Uniform(new[] { 2, 3, 11 }, -1, 1, 323, dtype);
        Tensor Pool1(Tensor t) => Functional.AvgPool1d(t, 4, 3, 2, true, false);
        Parity(dev => Pool1(x1.To(dev)), () => Pool1(x1.Abs()), $"avg_pool1d {dtype}");
        var g1 = Uniform(Pool1(x1).Shape, -1, 1, 324, dtype);
        Parity(dev => Grads(dev, t => Pool1(t[0]), g1, x1)[0], () => Grads(Device.Cpu, t => Pool1(t[0]), g1.Abs(), x1)[0], $"avg_pool1d dx {dtype}");
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void AdaptiveAvgPoolMatchesCpuForwardAndBackward(DType dtype)
    {
        var x = Uniform(new[] { 2, 3, 7, 9 }, -1, 1, 331, dtype);
        var ax = x.Abs();
        // Shrinking with overlapping windows, growing (windows of one or two cells), and global.
        foreach (var (oh, ow) in new[] { (3, 4), (9, 11), (1, 1) })
        {
            Tensor Pool(Tensor t) => Functional.AdaptiveAvgPool2d(t, (oh, ow));
            string what = $"adaptive_avg_pool2d to {oh}x{ow} {dtype}";
            Parity(dev => Pool(x.To(dev)), () => Pool(ax), what);
            var g = Uniform(Pool(x).Shape, -1, 1, 332, dtype);
            Parity(dev => Grads(dev, t => Pool(t[0]), g, x)[0], () => Grads(Device.Cpu, t => Pool(t[0]), g.Abs(), x)[0], $"{what} dx");
        }
        var x1 = Uniform(new[] { 2, 3, 10 }, -1, 1, 333, dtype);
        Tensor Pool1(Tensor t) => Functional.AdaptiveAvgPool1d(t, 4);
        Parity(dev => Pool1(x1.To(dev)), () => Pool1(x1.Abs()), $"adaptive_avg_pool1d {dtype}");
        var g1 = Uniform(Pool1(x1).Shape, -1, 1, 334, dtype);
        Parity(dev => Grads(dev, t => Pool1(t[0]), g1, x1)[0], () => Grads(Device.Cpu, t => Pool1(t[0]), g1.Abs(), x1)[0], $"adaptive_avg_pool1d dx {dtype}");
    }

    [TestCase(DType.Float32, true, true)]
    [TestCase(DType.Float32, false, true)]
    [TestCase(DType.Float64, true, true)]
    [TestCase(DType.Float32, true, false)]
    [TestCase(DType.Float64, false, false)]
    public void BatchNormMatchesCpu(DType dtype, bool training, bool affine) => BatchNormParity(new[] { 4, 3, 2, 5 }, dtype, training, affine);

    /// <summary>Few channels of many values: the device splits each channel's sums into chunks (on ILGPU's CPU accelerator too).</summary>
    [TestCase(DType.Float32, true)]
    [TestCase(DType.Float64, true)]
    [TestCase(DType.Float32, false)]
    public void BatchNormOfLongChannelsMatchesCpu(DType dtype, bool training) => BatchNormParity(new[] { 8, 2, 150 }, dtype, training, true);

    private void BatchNormParity(int[] shape, DType dtype, bool training, bool affine)
    {
        int c = shape[1];
        var x = Uniform(shape, -1, 3, 341, dtype);
        var w = Uniform(new[] { c }, 0.5, 1.5, 342, dtype);
        var b = Uniform(new[] { c }, -1, 1, 343, dtype);
        var rm0 = Uniform(new[] { c }, -0.5, 0.5, 344, dtype);
        var rv0 = Uniform(new[] { c }, 0.5, 1.5, 345, dtype);
        var g = Uniform(x.Shape, -1, 1, 346, dtype);
        string what = $"batch_norm [{string.Join(", ", shape)}] training {training} affine {affine} {dtype}";
        (Tensor Y, Tensor Rm, Tensor Rv) Run(Device dev)
        {
            var rm = rm0.To(dev).Clone();
            var rv = rv0.To(dev).Clone();
            var y = Functional.BatchNorm(x.To(dev), rm, rv, affine ? w.To(dev) : null, affine ? b.To(dev) : null, training, 0.2, 1e-5);
            return (y, rm, rv);
        }
        ParityOfMax(dev => Run(dev).Y, $"{what} y");
        ParityOfMax(dev => Run(dev).Rm, $"{what} running_mean");
        ParityOfMax(dev => Run(dev).Rv, $"{what} running_var");
        var inputs = affine ? new[] { x, w, b } : new[] { x };
        Tensor Bn(Tensor[] t, Device dev) => Functional.BatchNorm(t[0], rm0.To(dev).Clone(), rv0.To(dev).Clone(),
            affine ? t[1] : null, affine ? t[2] : null, training, 0.2, 1e-5);
        string[] names = { "dx", "dweight", "dbias" };
        for (int i = 0; i < inputs.Length; i++)
        {
            int which = i;
            ParityOfMax(dev => Grads(dev, t => Bn(t, dev), g, inputs)[which], $"{what} {names[i]}");
        }
    }

    [TestCase(DType.Float32, true)]
    [TestCase(DType.Float64, true)]
    [TestCase(DType.Float32, false)]
    public void LayerNormMatchesCpu(DType dtype, bool affine)
    {
        var x = Uniform(new[] { 3, 4, 10 }, -1, 3, 351, dtype);
        var w = Uniform(new[] { 4, 10 }, 0.5, 1.5, 352, dtype);
        var b = Uniform(new[] { 4, 10 }, -1, 1, 353, dtype);
        var g = Uniform(x.Shape, -1, 1, 354, dtype);
        var shape = new[] { 4, 10 };
        string what = $"layer_norm affine {affine} {dtype}";
        ParityOfMax(dev => Functional.LayerNorm(x.To(dev), shape, affine ? w.To(dev) : null, affine ? b.To(dev) : null), $"{what} y");
        var inputs = affine ? new[] { x, w, b } : new[] { x };
        Tensor Ln(Tensor[] t) => Functional.LayerNorm(t[0], shape, affine ? t[1] : null, affine ? t[2] : null);
        string[] names = { "dx", "dweight", "dbias" };
        for (int i = 0; i < inputs.Length; i++)
        {
            int which = i;
            ParityOfMax(dev => Grads(dev, Ln, g, inputs)[which], $"{what} {names[i]}");
        }
        // Only the last dim normalised: one row per (sample, position), weight of 10.
        var w1 = w.Reshape(40).Narrow(0, 0, 10).Contiguous();
        ParityOfMax(dev => Grads(dev, t => Functional.LayerNorm(t[0], new[] { 10 }, t[1]), g, x, w1)[1], $"layer_norm last dim dweight {dtype}");
    }

    [TestCase(DType.Float32, true)]
    [TestCase(DType.Float64, true)]
    [TestCase(DType.Float32, false)]
    public void GroupNormMatchesCpu(DType dtype, bool affine)
    {
        var x = Uniform(new[] { 2, 6, 3, 4 }, -1, 3, 361, dtype);
        var w = Uniform(new[] { 6 }, 0.5, 1.5, 362, dtype);
        var b = Uniform(new[] { 6 }, -1, 1, 363, dtype);
        var g = Uniform(x.Shape, -1, 1, 364, dtype);
        string what = $"group_norm affine {affine} {dtype}";
        ParityOfMax(dev => Functional.GroupNorm(x.To(dev), 3, affine ? w.To(dev) : null, affine ? b.To(dev) : null), $"{what} y");
        var inputs = affine ? new[] { x, w, b } : new[] { x };
        Tensor Gn(Tensor[] t) => Functional.GroupNorm(t[0], 3, affine ? t[1] : null, affine ? t[2] : null);
        string[] names = { "dx", "dweight", "dbias" };
        for (int i = 0; i < inputs.Length; i++)
        {
            int which = i;
            ParityOfMax(dev => Grads(dev, Gn, g, inputs)[which], $"{what} {names[i]}");
        }
    }
}
