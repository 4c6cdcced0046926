namespace Engine.Nn.Optim;

/// <summary>
/// RMSprop (torch.optim.RMSprop): s = a s + (1 - a) g^2; centred subtracts the squared running
/// mean of g; p -= lr g / (sqrt(s) + eps), through a momentum buffer when momentum &gt; 0.
/// </summary>
public sealed class RMSprop : Optimizer
{
    /// <summary>Creates the optimizer over one group.</summary>
    public RMSprop(IEnumerable<Tensor> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false)
        : this(OneGroup(parameters), lr, alpha, eps, weightDecay, momentum, centered)
    {
    }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    public RMSprop(IEnumerable<ParamGroup> groups, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false)
        : base(groups, new Dictionary<string, double>
        {
            ["lr"] = lr, ["alpha"] = alpha, ["eps"] = eps, ["weight_decay"] = weightDecay, ["momentum"] = momentum, ["centered"] = centered ? 1 : 0,
        })
    {
    }

    /// <inheritdoc />
    protected override void Update(ParamGroup group, Tensor param, Tensor grad, long step)
    {
        double lr = group.Lr, alpha = group["alpha"], eps = group["eps"], wd = group["weight_decay"], momentum = group["momentum"];
        if (wd != 0)
        {
            grad = grad + param * wd;
        }
        var sq = State(param, "square_avg", () => Tensor.Zeros(param.Shape, param.DType, param.Device));
        sq.MulInPlace(alpha);
        sq.AddInPlace(grad * grad, 1 - alpha);
        Tensor avg;
        if (group["centered"] != 0)
        {
            var ga = State(param, "grad_avg", () => Tensor.Zeros(param.Shape, param.DType, param.Device));
            ga.MulInPlace(alpha);
            ga.AddInPlace(grad, 1 - alpha);
            avg = (sq - ga * ga).Sqrt() + eps;
        }
        else
        {
            avg = sq.Sqrt() + eps;
        }
        if (momentum > 0)
        {
            var buf = State(param, "momentum_buffer", () => Tensor.Zeros(param.Shape, param.DType, param.Device));
            buf.MulInPlace(momentum);
            buf.AddInPlace(grad / avg);
            param.AddInPlace(buf, -lr);
        }
        else
        {
            param.AddInPlace(grad / avg, -lr);
        }
    }
}
