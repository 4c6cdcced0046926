namespace Engine.Gpu.Tests;

public abstract partial class DeviceParityTests
{
    [Test]
    public void SumsAndMeansMatchCpu()
    {
        var x = Uniform(new[] { 6, 35, 7 }, -1, 1, 31);
        var ax = x.Abs();
        Parity(dev => x.To(dev).Sum(), () => ax.Sum(), "sum all");
        Parity(dev => x.To(dev).Sum(0), () => ax.Sum(0), "sum dim 0");
        Parity(dev => x.To(dev).Sum(1, keepDim: true), () => ax.Sum(1, keepDim: true), "sum dim 1");
        Parity(dev => x.To(dev).Sum(2), () => ax.Sum(2), "sum last");
        Parity(dev => x.To(dev).Mean(new[] { 0, 2 }), () => ax.Mean(new[] { 0, 2 }), "mean dims 0, 2");
        Parity(dev => x.To(dev).Var(1), () => x.Square().Mean(1).Mul(Tensor.Scalar(2)), "var");
        // A long row (one group per output on ILGPU devices) and a wide block (one thread per output).
        var row = Uniform(new[] { 2, 5000 }, -1, 1, 32);
        Parity(dev => row.To(dev).Sum(1), () => row.Abs().Sum(1), "long rows");
        var wide = Uniform(new[] { 40, 3000 }, -1, 1, 33);
        Parity(dev => wide.To(dev).Sum(0), () => wide.Abs().Sum(0), "wide columns");
        Parity(dev => Uniform(new[] { 5000 }, -1, 1, 34, DType.Float64).To(dev).Sum(), () => Uniform(new[] { 5000 }, -1, 1, 34, DType.Float64).Abs().Sum(), "float64");
        // Few outputs over long rows: the split (two-pass) reduction, with inner > 1 and a ragged last chunk.
        var tall = Uniform(new[] { 20011, 3 }, -1, 1, 35);
        Parity(dev => tall.To(dev).Sum(0), () => tall.Abs().Sum(0), "split, inner 3");
        Parity(dev => tall.To(dev).Amax(new[] { 0 }), what: "split max");
        Parity(dev => tall.To(dev).Sum(), () => tall.Abs().Sum(), "split, full sum");
    }

    [Test]
    public void MaxMinAndArgMatchCpu()
    {
        var x = Uniform(new[] { 9, 70, 5 }, -1, 1, 41);
        Parity(dev => x.To(dev).Amax(new[] { 1 }), what: "amax");
        Parity(dev => x.To(dev).Amin(new[] { 0, 2 }), what: "amin");
        Parity(dev => x.To(dev).Max(), what: "max all");
        Parity(dev => x.To(dev).Max(1).Values, what: "max values");
        Parity(dev => x.To(dev).Max(1).Indices, what: "max indices");
        Parity(dev => x.To(dev).Min(2).Indices, what: "min indices");
        Parity(dev => x.To(dev).ArgMax(), what: "argmax flat");
        // Ties keep the first index and a NaN wins, as in PyTorch.
        var ties = Tensor.FromArray(new float[] { 1, 3, 3, 2, float.NaN, 0, 5, 5 }, new[] { 2, 4 });
        Parity(dev => ties.To(dev).Max(1).Indices, what: "ties and NaN");
        Parity(dev => ties.To(dev).Max(1).Values, what: "ties and NaN values");
    }

    [Test]
    public void SoftmaxAndLogSoftmaxMatchCpuForwardAndBackward()
    {
        foreach (var shape in new[] { new[] { 7, 19 }, new[] { 3, 300 } })
        {
            var x = Uniform(shape, -4, 4, 51);
            var w = Uniform(shape, -1, 1, 52);
            Parity(dev => x.To(dev).Softmax(1), what: "softmax");
            Parity(dev => x.To(dev).LogSoftmax(1), what: "log_softmax");
            Parity(dev => x.To(dev).Softmax(0), what: "softmax dim 0");
            foreach (bool log in new[] { false, true })
            {
                Parity(dev =>
                {
                    var xd = x.To(dev).Detach().RequiresGrad_();
                    var y = log ? xd.LogSoftmax(1) : xd.Softmax(1);
                    (y * w.To(dev)).Sum().Backward();
                    return xd.Grad!;
                }, () => w.Abs().Sum(1, keepDim: true).Expand(shape), $"softmax backward log={log}");
            }
        }
    }

    [Test]
    public void MatMulMatchesCpu()
    {
        var a = Uniform(new[] { 32, 32 }, -1, 1, 61);
        var b = Uniform(new[] { 32, 32 }, -1, 1, 62);
        Parity(dev => a.To(dev).MatMul(b.To(dev)), () => a.Abs().MatMul(b.Abs()), "32x32");
        Parity(dev => a.To(dev).Transpose(0, 1).MatMul(b.To(dev)), () => a.Abs().Transpose(0, 1).MatMul(b.Abs()), "transposed a");
        var ba = Uniform(new[] { 3, 17, 70 }, -1, 1, 63);
        var bb = Uniform(new[] { 70, 20 }, -1, 1, 64);
        Parity(dev => ba.To(dev).MatMul(bb.To(dev)), () => ba.Abs().MatMul(bb.Abs()), "batched, broadcast b, ragged edges");
        var d1 = Uniform(new[] { 2, 33, 9 }, -1, 1, 65, DType.Float64);
        var d2 = Uniform(new[] { 2, 9, 65 }, -1, 1, 66, DType.Float64);
        Parity(dev => d1.To(dev).MatMul(d2.To(dev)), () => d1.Abs().MatMul(d2.Abs()), "float64");
        var v = Uniform(new[] { 32 }, -1, 1, 67);
        Parity(dev => a.To(dev).MatMul(v.To(dev)), () => a.Abs().MatMul(v.Abs()), "matrix-vector");
        Parity(dev => Tensor.Zeros(new[] { 4, 0 }, device: dev).MatMul(Tensor.Zeros(new[] { 0, 3 }, device: dev)), what: "k = 0");
    }

    [Test]
    public void LargeTileMatMulMatchesCpu()
    {
        // At least 128 x 128: the 128x128-tile float32 kernel, with ragged edges on every side, a K
        // that is not a multiple of the slice depth, both operands transposed, a batch and accumulation.
        var a = Uniform(new[] { 2, 131, 19 }, -1, 1, 71);
        var b = Uniform(new[] { 19, 133 }, -1, 1, 72);
        Parity(dev => a.To(dev).MatMul(b.To(dev)), () => a.Abs().MatMul(b.Abs()), "large tile");
        var at = Uniform(new[] { 19, 129 }, -1, 1, 73);
        var bt = Uniform(new[] { 130, 19 }, -1, 1, 74);
        Parity(dev => at.To(dev).Transpose(0, 1).MatMul(bt.To(dev).Transpose(0, 1)), () => at.Abs().Transpose(0, 1).MatMul(bt.Abs().Transpose(0, 1)), "large tile, transposed");
        var c0 = Uniform(new[] { 1, 131, 133 }, -1, 1, 75);
        Parity(dev =>
        {
            // Locals, not temporaries: an Operand does not keep its tensor (and so its storage) alive.
            var ad = a.To(dev);
            var bd = b.To(dev).Unsqueeze(0);
            var c = c0.To(dev).Clone();
            dev.Backend.MatMul(Op(ad), Op(bd), c.Storage, 1, 131, 133, 19, accumulate: true);
            GC.KeepAlive(ad);
            GC.KeepAlive(bd);
            return c;
        }, () => a.Abs().Select(0, 0).MatMul(b.Abs()).Unsqueeze(0) + c0.Abs(), "large tile, accumulate");
    }

    [Test]
    public void MatMulAccumulatesIntoC()
    {
        var a = Uniform(new[] { 1, 20, 30 }, -1, 1, 68);
        var b = Uniform(new[] { 1, 30, 10 }, -1, 1, 69);
        var c0 = Uniform(new[] { 1, 20, 10 }, -1, 1, 70);
        Parity(dev =>
        {
            var ad = a.To(dev);
            var bd = b.To(dev);
            var c = c0.To(dev).Clone();
            dev.Backend.MatMul(Op(ad), Op(bd), c.Storage, 1, 20, 10, 30, accumulate: true);
            return c;
        }, () => a.Abs().MatMul(b.Abs()) + c0.Abs(), "accumulate");
    }
}
