using Engine.Gpu;
using Engine.Nn.Optim;

namespace Engine.Multimodal.Training;

/// <summary>
/// AdamW (torch.optim.AdamW's formulas, Engine.Nn's state keys exp_avg/exp_avg_sq, so state dicts are
/// interchangeable with <see cref="AdamW"/>): on the CPU it is Engine.Nn's composed tensor-op update; on an ILGPU
/// device each parameter is updated by one fused kernel (<see cref="FusedOptimizers.AdamStep"/>) instead of a dozen
/// elementwise launches.
/// </summary>
public sealed class DeviceAdamW : Adam
{
    /// <summary>Creates the optimizer over one group.</summary>
    public DeviceAdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2)
        : base(parameters, lr, beta1, beta2, eps, weightDecay)
    {
    }

    /// <inheritdoc />
    protected override bool DecoupledWeightDecay => true;

    /// <inheritdoc />
    protected override void Update(ParamGroup group, Tensor param, Tensor grad, long step)
    {
        if (param.Device.Backend is not GpuBackend || param.DType != DType.Float32 || !param.IsContiguous)
        {
            base.Update(group, param, grad, step);
            return;
        }
        var m = State(param, "exp_avg", () => Tensor.Zeros(param.Shape, param.DType, param.Device));
        var v = State(param, "exp_avg_sq", () => Tensor.Zeros(param.Shape, param.DType, param.Device));
        FusedOptimizers.AdamStep(param, grad.Contiguous(), m, v, checked((int)step), group.Lr, group["beta1"], group["beta2"], group["eps"],
            group["weight_decay"], decoupledWeightDecay: true);
        param.MarkModifiedInPlace();
        m.MarkModifiedInPlace();
        v.MarkModifiedInPlace();
    }
}
