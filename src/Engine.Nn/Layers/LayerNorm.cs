namespace Engine.Nn;

/// <summary>Layer normalisation over the trailing dims (torch.nn.LayerNorm); weight ones, bias zeros.</summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public LayerNorm(int[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, DType? dtype = null)
    {
        NormalizedShape = normalizedShape.ToArray();
        Eps = eps;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", Persistent(() => Tensor.Ones(NormalizedShape, dtype)));
            Bias = RegisterParameter("bias", Persistent(() => Tensor.Zeros(NormalizedShape, dtype)));
        }
    }

    /// <summary>Creates the layer over one trailing dim.</summary>
    public LayerNorm(int normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, DType? dtype = null)
        : this(new[] { normalizedShape }, eps, elementwiseAffine, dtype)
    {
    }

    /// <summary>The normalised trailing shape.</summary>
    public int[] NormalizedShape { get; }

    /// <summary>Added to the variance.</summary>
    public double Eps { get; }

    /// <summary>Scale (or null).</summary>
    public Tensor? Weight { get; }

    /// <summary>Shift (or null).</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => NnFunctional.LayerNorm(input, NormalizedShape, Weight, Bias, Eps);

    /// <inheritdoc />
    public override string ExtraRepr() => $"({string.Join(", ", NormalizedShape)},), eps={Shapes.PyFloat(Eps)}, elementwise_affine={(Weight is not null ? "True" : "False")}";
}
