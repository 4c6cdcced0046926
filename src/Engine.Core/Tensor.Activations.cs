using Engine.Autograd;
using Engine.Kernels;

namespace Engine;

public sealed partial class Tensor
{
    /// <summary>
    /// An elementwise op whose backward is one binary functor applied to (saved, grad), where
    /// saved is the op's output (<paramref name="useOutput"/>) or its input.
    /// </summary>
    private Tensor UnaryOp<TFn, TGrad>(string name, bool useOutput)
        where TFn : struct, IUnaryFn
        where TGrad : struct, IBinaryFn
    {
        var y = UnaryRaw<TFn>(name, this);
        if (!RequiresGrad || !GradMode.IsEnabled)
        {
            return y;
        }
        var saved = useOutput ? y : this;
        return Node.Record(name, y, new[] { this }, g => new[] { BinaryRaw<TGrad>(name, saved, g) }, saved);
    }

    /// <summary>e^x.</summary>
    public Tensor Exp() => UnaryOp<ExpFn, MulFn>("exp", useOutput: true);

    /// <summary>Natural logarithm.</summary>
    public Tensor Log()
    {
        var y = UnaryRaw<LogFn>("log", this);
        var x = this;
        return Node.Record("log", y, new[] { this }, g => new[] { BinaryRaw<DivFn>("log", g, x) }, this);
    }

    /// <summary>Square root.</summary>
    public Tensor Sqrt() => UnaryOp<SqrtFn, SqrtBackwardFn>("sqrt", useOutput: true);

    /// <summary>1 / sqrt(x).</summary>
    public Tensor Rsqrt() => UnaryOp<RsqrtFn, RsqrtBackwardFn>("rsqrt", useOutput: true);

    /// <summary>Absolute value.</summary>
    public Tensor Abs() => UnaryOp<AbsFn, AbsBackwardFn>("abs", useOutput: false);

    /// <summary>Sign (-1, 0, 1); its gradient is zero.</summary>
    public Tensor Sign()
    {
        var y = UnaryRaw<SignFn>("sign", this);
        return Node.Record("sign", y, new[] { this }, g => new[] { ZerosLike(g) });
    }

    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => UnaryOp<TanhFn, TanhBackwardFn>("tanh", useOutput: true);

    /// <summary>Logistic sigmoid 1 / (1 + e^-x).</summary>
    public Tensor Sigmoid() => UnaryOp<SigmoidFn, SigmoidBackwardFn>("sigmoid", useOutput: true);

    /// <summary>max(x, 0).</summary>
    public Tensor Relu() => UnaryOp<ReluFn, ReluBackwardFn>("relu", useOutput: true);

    /// <summary>x where x &gt; 0, else negativeSlope * x.</summary>
    public Tensor LeakyRelu(double negativeSlope = 0.01)
    {
        var slope = ScalarLike(negativeSlope);
        var y = BinaryRaw<LeakyReluFn>("leaky_relu", this, slope);
        var x = this;
        return Node.Record("leaky_relu", y, new[] { this }, g => new[] { BinaryRaw<MulFn>("leaky_relu", g, BinaryRaw<LeakyReluDerivFn>("leaky_relu", x, slope)) }, this);
    }

    /// <summary>Exact GELU: x * Phi(x) (PyTorch's default, approximate='none').</summary>
    public Tensor Gelu() => UnaryOp<GeluFn, GeluBackwardFn>("gelu", useOutput: false);

    /// <summary>SiLU (swish): x * sigmoid(x).</summary>
    public Tensor Silu() => UnaryOp<SiluFn, SiluBackwardFn>("silu", useOutput: false);

    /// <summary>log(1 + e^x) (beta 1, threshold 20, as PyTorch's defaults).</summary>
    public Tensor Softplus() => UnaryOp<SoftplusFn, SoftplusBackwardFn>("softplus", useOutput: false);

    /// <summary>Sine.</summary>
    public Tensor Sin() => UnaryOp<SinFn, SinBackwardFn>("sin", useOutput: false);

    /// <summary>Cosine.</summary>
    public Tensor Cos() => UnaryOp<CosFn, CosBackwardFn>("cos", useOutput: false);
}
