namespace Engine.Nn.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2
/// weight decay, as torch.optim.SGD: d = g + wd p; b = m b + (1 - dampening) d (b = d at first);
/// d = d + m b (Nesterov) or b; p -= lr d.
/// </summary>
public sealed class SGD : Optimizer
{
    /// <summary>Creates the optimizer over one group.</summary>
    public SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : this(OneGroup(parameters), lr, momentum, dampening, weightDecay, nesterov)
    {
    }

    /// <summary>Creates the optimizer over parameter groups (group options override these defaults).</summary>
    public SGD(IEnumerable<ParamGroup> groups, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(groups, new Dictionary<string, double>
        {
            ["lr"] = lr, ["momentum"] = momentum, ["dampening"] = dampening, ["weight_decay"] = weightDecay, ["nesterov"] = nesterov ? 1 : 0,
        })
    {
        foreach (var g in ParamGroups)
        {
            if (g["nesterov"] != 0 && (g["momentum"] <= 0 || g["dampening"] != 0))
            {
                throw new ArgumentException("SGD: Nesterov momentum requires a momentum and zero dampening");
            }
        }
    }

    /// <inheritdoc />
    protected override void Update(ParamGroup group, Tensor param, Tensor grad, long step)
    {
        double wd = group["weight_decay"], momentum = group["momentum"], dampening = group["dampening"];
        var d = wd != 0 ? grad + param * wd : grad;
        if (momentum != 0)
        {
            bool fresh = !HasState(param, "momentum_buffer");
            var buf = State(param, "momentum_buffer", () => Tensor.Empty(param.Shape, param.DType, param.Device));
            if (fresh)
            {
                Assign(buf, d);
            }
            else
            {
                buf.MulInPlace(momentum);
                buf.AddInPlace(d, 1 - dampening);
            }
            d = group["nesterov"] != 0 ? d + buf * momentum : buf;
        }
        param.AddInPlace(d, -group.Lr);
    }
}
