namespace Engine.Nn;

/// <summary>y = x W^T + b (torch.nn.Linear); weight (out, in), bias (out).</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    /// <summary>
    /// Creates the layer with PyTorch's default init: kaiming_uniform(a = sqrt(5)) on the weight,
    /// which is U(-1/sqrt(in), 1/sqrt(in)), and the same bound for the bias.
    /// </summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null, DType? dtype = null)
    {
        if (inFeatures < 0 || outFeatures < 0)
        {
            throw new ArgumentException($"Linear: in_features ({inFeatures}) and out_features ({outFeatures}) must be non-negative");
        }
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Persistent(() => Tensor.Empty(new[] { outFeatures, inFeatures }, dtype)))!;
        Bias = bias ? RegisterParameter("bias", Persistent(() => Tensor.Empty(new[] { outFeatures }, dtype))) : RegisterParameter("bias", null);
        ResetParameters(generator);
    }

    /// <summary>Input size.</summary>
    public int InFeatures { get; }

    /// <summary>Output size.</summary>
    public int OutFeatures { get; }

    /// <summary>Weight (out_features, in_features).</summary>
    public Tensor Weight { get; }

    /// <summary>Bias (out_features) or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Re-draws the parameters with the default init.</summary>
    public void ResetParameters(Generator? generator = null)
    {
        Init.KaimingUniform_(Weight, Math.Sqrt(5), generator: generator);
        if (Bias is not null)
        {
            double bound = InFeatures > 0 ? 1 / Math.Sqrt(InFeatures) : 0;
            Init.Uniform_(Bias, -bound, bound, generator);
        }
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Tensor.Linear(input, Weight, Bias);

    /// <inheritdoc />
    public override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={(Bias is not null ? "True" : "False")}";
}
