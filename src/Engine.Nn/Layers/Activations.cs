namespace Engine.Nn;

/// <summary>max(x, 0).</summary>
public sealed class ReLU : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Relu();
}

/// <summary>x if x &gt; 0 else slope * x.</summary>
public sealed class LeakyReLU : Module<Tensor, Tensor>
{
    /// <summary>Creates the activation.</summary>
    public LeakyReLU(double negativeSlope = 0.01)
    {
        NegativeSlope = negativeSlope;
    }

    /// <summary>The slope for negative inputs.</summary>
    public double NegativeSlope { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.LeakyRelu(NegativeSlope);

    /// <inheritdoc />
    public override string ExtraRepr() => $"negative_slope={NegativeSlope}";
}

/// <summary>Exact GELU.</summary>
public sealed class GELU : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Gelu();

    /// <inheritdoc />
    public override string ExtraRepr() => "approximate='none'";
}

/// <summary>Hyperbolic tangent.</summary>
public sealed class Tanh : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Tanh();
}

/// <summary>Logistic sigmoid.</summary>
public sealed class Sigmoid : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Sigmoid();
}

/// <summary>x * sigmoid(x).</summary>
public sealed class SiLU : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Silu();
}

/// <summary>log(1 + e^x).</summary>
public sealed class Softplus : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Softplus();
}

/// <summary>Softmax along a dimension.</summary>
public sealed class Softmax : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public Softmax(int dim)
    {
        DimIndex = dim;
    }

    /// <summary>The dimension normalised.</summary>
    public int DimIndex { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Softmax(DimIndex);

    /// <inheritdoc />
    public override string ExtraRepr() => $"dim={DimIndex}";
}

/// <summary>Log-softmax along a dimension.</summary>
public sealed class LogSoftmax : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public LogSoftmax(int dim)
    {
        DimIndex = dim;
    }

    /// <summary>The dimension normalised.</summary>
    public int DimIndex { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.LogSoftmax(DimIndex);

    /// <inheritdoc />
    public override string ExtraRepr() => $"dim={DimIndex}";
}

/// <summary>Returns its input.</summary>
public sealed class Identity : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input;
}

/// <summary>Flattens dims start..end (default 1..-1, keeping the batch dim).</summary>
public sealed class Flatten : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public Flatten(int startDim = 1, int endDim = -1)
    {
        StartDim = startDim;
        EndDim = endDim;
    }

    /// <summary>First flattened dim.</summary>
    public int StartDim { get; }

    /// <summary>Last flattened dim.</summary>
    public int EndDim { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Flatten(StartDim, EndDim);

    /// <inheritdoc />
    public override string ExtraRepr() => $"start_dim={StartDim}, end_dim={EndDim}";
}
