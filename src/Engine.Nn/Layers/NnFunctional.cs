namespace Engine.Nn;

/// <summary>Layer functions used by several modules, composed from differentiable tensor ops.</summary>
public static class NnFunctional
{
    /// <summary>
    /// Inverted dropout: zeroes each element with probability <paramref name="p"/> and scales the
    /// rest by 1 / (1 - p); the identity when not <paramref name="training"/> or p = 0.
    /// </summary>
    public static Tensor Dropout(Tensor x, double p, bool training, Generator? generator = null)
    {
        if (p < 0 || p > 1)
        {
            throw new ArgumentException($"dropout: probability has to be between 0 and 1, but got {p}");
        }
        if (!training || p == 0)
        {
            return x;
        }
        if (p == 1)
        {
            return x * 0.0;
        }
        var keep = Tensor.Rand(x.Shape, generator, x.DType, x.Device).Ge(p).To(x.DType);
        return x * (keep * (1.0 / (1 - p)));
    }

    /// <summary>
    /// Layer normalisation over the last dims of shape <paramref name="normalizedShape"/> with the
    /// biased variance, then an optional elementwise affine (torch.nn.functional.layer_norm).
    /// </summary>
    public static Tensor LayerNorm(Tensor x, int[] normalizedShape, Tensor? weight, Tensor? bias, double eps = 1e-5)
    {
        int k = normalizedShape.Length;
        if (k == 0 || k > x.Dim || !x.Shape.Skip(x.Dim - k).SequenceEqual(normalizedShape))
        {
            throw new ArgumentException($"layer_norm: input shape {Shapes.Str(x.Shape)} does not end with normalized_shape {Shapes.Str(normalizedShape)}");
        }
        var dims = Enumerable.Range(x.Dim - k, k).ToArray();
        var mean = x.Mean(dims, keepDim: true);
        var centred = x - mean;
        var variance = (centred * centred).Mean(dims, keepDim: true);
        var y = centred * (variance + eps).Rsqrt();
        if (weight is not null)
        {
            y = y * weight;
        }
        if (bias is not null)
        {
            y = y + bias;
        }
        return y;
    }
}
