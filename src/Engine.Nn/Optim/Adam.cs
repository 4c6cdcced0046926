namespace Engine.Nn.Optim;

/// <summary>
/// Adam (torch.optim.Adam), with L2 weight decay added to the gradient and optional AMSGrad:
/// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
/// </summary>
public class Adam : Optimizer
{
    /// <summary>Creates the optimizer over one group.</summary>
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : this(OneGroup(parameters), lr, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    public Adam(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : base(groups, MakeDefaults(lr, beta1, beta2, eps, weightDecay, amsgrad))
    {
        foreach (var g in ParamGroups)
        {
            if (g["beta1"] is < 0 or >= 1 || g["beta2"] is < 0 or >= 1 || g["eps"] < 0)
            {
                throw new ArgumentException($"{GetType().Name}: invalid betas ({g["beta1"]}, {g["beta2"]}) or eps {g["eps"]}");
            }
        }
    }

    private static Dictionary<string, double> MakeDefaults(double lr, double b1, double b2, double eps, double wd, bool amsgrad) => new()
    {
        ["lr"] = lr, ["beta1"] = b1, ["beta2"] = b2, ["eps"] = eps, ["weight_decay"] = wd, ["amsgrad"] = amsgrad ? 1 : 0,
    };

    /// <summary>Whether weight decay shrinks the parameter directly (AdamW) instead of adding to the gradient.</summary>
    protected virtual bool DecoupledWeightDecay => false;

    /// <inheritdoc />
    protected override void Update(ParamGroup group, Tensor param, Tensor grad, long step)
    {
        double lr = group.Lr, b1 = group["beta1"], b2 = group["beta2"], eps = group["eps"], wd = group["weight_decay"];
        if (wd != 0)
        {
            if (DecoupledWeightDecay)
            {
                param.MulInPlace(1 - lr * wd);
            }
            else
            {
                grad = grad + param * wd;
            }
        }
        var m = State(param, "exp_avg", () => Tensor.Zeros(param.Shape, param.DType, param.Device));
        var v = State(param, "exp_avg_sq", () => Tensor.Zeros(param.Shape, param.DType, param.Device));
        m.MulInPlace(b1);
        m.AddInPlace(grad, 1 - b1);
        v.MulInPlace(b2);
        v.AddInPlace(grad * grad, 1 - b2);
        double bc1 = 1 - Math.Pow(b1, step), bc2Sqrt = Math.Sqrt(1 - Math.Pow(b2, step));
        Tensor second = v;
        if (group["amsgrad"] != 0)
        {
            var vmax = State(param, "max_exp_avg_sq", () => Tensor.Zeros(param.Shape, param.DType, param.Device));
            Assign(vmax, vmax.Maximum(v));
            second = vmax;
        }
        var denom = second.Sqrt() * (1 / bc2Sqrt) + eps;
        param.AddInPlace(m / denom, -lr / bc1);
    }
}

/// <summary>AdamW (torch.optim.AdamW): Adam with decoupled weight decay p *= 1 - lr wd (default wd 0.01).</summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer over one group.</summary>
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
        : base(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    public AdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
        : base(groups, lr, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    /// <inheritdoc />
    protected override bool DecoupledWeightDecay => true;
}
