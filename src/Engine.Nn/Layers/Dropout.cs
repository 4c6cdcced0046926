namespace Engine.Nn;

/// <summary>Zeroes elements with probability p while training and rescales the rest (torch.nn.Dropout).</summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer; <paramref name="generator"/> makes the masks reproducible.</summary>
    public Dropout(double p = 0.5, Generator? generator = null)
    {
        if (p < 0 || p > 1)
        {
            throw new ArgumentException($"Dropout: probability has to be between 0 and 1, but got {p}");
        }
        P = p;
        Generator = generator;
    }

    /// <summary>Drop probability.</summary>
    public double P { get; }

    /// <summary>The random source (null: the default generator).</summary>
    public Generator? Generator { get; set; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => NnFunctional.Dropout(input, P, Training, Generator);

    /// <inheritdoc />
    public override string ExtraRepr() => $"p={P}, inplace=False";
}
