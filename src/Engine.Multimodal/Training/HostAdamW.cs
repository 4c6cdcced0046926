using System.Numerics;
using Engine.Nn.Optim;

namespace Engine.Multimodal.Training;

/// <summary>
/// AdamW for CPU training: the formulas and state keys of Engine.Nn's <see cref="AdamW"/> (so checkpoints are
/// interchangeable with it and with <see cref="DeviceAdamW"/>), but each float32 parameter is updated in one pass
/// over its elements instead of a dozen tensor ops that each allocate and sweep the parameter (for the multimodal
/// model's 23 small parameters those ops cost more than the arithmetic). Other dtypes and devices, and
/// non-contiguous tensors, fall back to the composed update.
/// </summary>
public sealed class HostAdamW : Adam
{
    /// <summary>Creates the optimizer over one group.</summary>
    public HostAdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2)
        : base(parameters, lr, beta1, beta2, eps, weightDecay)
    {
    }

    /// <inheritdoc />
    protected override bool DecoupledWeightDecay => true;

    /// <inheritdoc />
    protected override void Update(ParamGroup group, Tensor param, Tensor grad, long step)
    {
        if (param.Device.Kind != DeviceKind.Cpu || param.DType != DType.Float32 || grad.DType != DType.Float32 || !param.IsContiguous || !grad.IsContiguous)
        {
            base.Update(group, param, grad, step);
            return;
        }
        var m = State(param, "exp_avg", () => Tensor.Zeros(param.Shape, param.DType, param.Device));
        var v = State(param, "exp_avg_sq", () => Tensor.Zeros(param.Shape, param.DType, param.Device));
        double lr = group.Lr, b1 = group["beta1"], b2 = group["beta2"], eps = group["eps"], wd = group["weight_decay"];
        double bc1 = 1 - Math.Pow(b1, step), bc2Sqrt = Math.Sqrt(1 - Math.Pow(b2, step));
        int n = param.NumEl;
        var p = ((CpuStorage<float>)param.Storage).Span.Slice(param.Offset, n);
        var g = ((CpuStorage<float>)grad.Storage).Span.Slice(grad.Offset, n);
        var ms = ((CpuStorage<float>)m.Storage).Span.Slice(m.Offset, n);
        var vs = ((CpuStorage<float>)v.Storage).Span.Slice(v.Offset, n);
        // The composed update's steps, in its order and with its float32 scalars.
        float decay = (float)(1 - lr * wd), fb1 = (float)b1, fb1c = (float)(1 - b1), fb2 = (float)b2, fb2c = (float)(1 - b2);
        float invBc2 = (float)(1 / bc2Sqrt), feps = (float)eps, stepSize = (float)(-lr / bc1);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int vw = Vector<float>.Count;
            Vector<float> vDecay = new(wd != 0 ? decay : 1f), vb1 = new(fb1), vb1c = new(fb1c), vb2 = new(fb2), vb2c = new(fb2c);
            Vector<float> vInvBc2 = new(invBc2), vEps = new(feps), vStep = new(stepSize);
            for (; i + vw <= n; i += vw)
            {
                var gi = new Vector<float>(g.Slice(i, vw));
                var pi = new Vector<float>(p.Slice(i, vw)) * vDecay;
                var mi = new Vector<float>(ms.Slice(i, vw)) * vb1 + gi * vb1c;
                var vi = new Vector<float>(vs.Slice(i, vw)) * vb2 + gi * gi * vb2c;
                mi.CopyTo(ms.Slice(i, vw));
                vi.CopyTo(vs.Slice(i, vw));
                var denom = Vector.SquareRoot(vi) * vInvBc2 + vEps;
                (pi + mi / denom * vStep).CopyTo(p.Slice(i, vw));
            }
        }
        for (; i < n; i++)
        {
            float gi = g[i];
            float pi = wd != 0 ? p[i] * decay : p[i];
            float mi = ms[i] * fb1 + gi * fb1c;
            float vi = vs[i] * fb2 + gi * gi * fb2c;
            ms[i] = mi;
            vs[i] = vi;
            float denom = MathF.Sqrt(vi) * invBc2 + feps;
            p[i] = pi + mi / denom * stepSize;
        }
        param.MarkModifiedInPlace();
        m.MarkModifiedInPlace();
        v.MarkModifiedInPlace();
    }
}
