namespace Engine.Nn;

/// <summary>Layer functions used by several modules (thin wrappers over Engine.Core's fused ops).</summary>
public static class NnFunctional
{
    /// <summary>
    /// Inverted dropout: zeroes each element with probability <paramref name="p"/> and scales the
    /// rest by 1 / (1 - p); the identity when not <paramref name="training"/> or p = 0.
    /// </summary>
    public static Tensor Dropout(Tensor x, double p, bool training, Generator? generator = null) => Functional.Dropout(x, p, training, generator);

    /// <summary>
    /// Layer normalisation over the last dims of shape <paramref name="normalizedShape"/> with the
    /// biased variance, then an optional elementwise affine (torch.nn.functional.layer_norm).
    /// </summary>
    public static Tensor LayerNorm(Tensor x, int[] normalizedShape, Tensor? weight, Tensor? bias, double eps = 1e-5)
        => Functional.LayerNorm(x, normalizedShape, weight, bias, eps);
}
