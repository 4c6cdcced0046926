using Engine.Nn;

namespace Engine.Text.Encoders;

/// <summary>
/// Attention pooling over a sequence: each token x_t gets the score q · tanh(W x_t + b) from a learned query q,
/// the scores are softmaxed over the real tokens only, and the output is the weighted sum of the tokens.
/// Input (B, T, E) and a (B, T) Bool padding mask (true = padding); output (B, E). A sequence with no real token
/// pools to zeros.
/// </summary>
public sealed class AttentionPooling : Module
{
    private readonly Linear _key;

    /// <summary>Creates the layer for E-dimensional tokens.</summary>
    public AttentionPooling(int dim, Generator? generator = null, DType? dtype = null)
    {
        if (dim < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(dim), dim, "AttentionPooling: dim must be positive");
        }
        Dim = dim;
        _key = RegisterModule("key", new Linear(dim, dim, generator: generator, dtype: dtype));
        double bound = 1 / Math.Sqrt(dim);
        Query = RegisterParameter("query", Persistent(() => Tensor.Empty(new[] { dim }, dtype)))!;
        Init.Uniform_(Query, -bound, bound, generator);
    }

    /// <summary>Token size E.</summary>
    public int Dim { get; }

    /// <summary>The learned query (E).</summary>
    public Tensor Query { get; }

    /// <summary>The key projection W, b.</summary>
    public Linear Key => _key;

    /// <summary>Pools (B, T, E) to (B, E); also returns the (B, T) weights.</summary>
    public (Tensor Pooled, Tensor Weights) Forward(Tensor x, Tensor paddingMask)
        => Pool(x, paddingMask, _key.Weight, _key.Bias, Query);

    /// <summary>The pooling as a function of its parameters (used by the module and by gradient checks).</summary>
    public static (Tensor Pooled, Tensor Weights) Pool(Tensor x, Tensor paddingMask, Tensor keyWeight, Tensor? keyBias, Tensor query)
    {
        if (x.Dim != 3 || x.Size(2) != query.Size(0))
        {
            throw new ArgumentException($"AttentionPooling: expected input (B, T, {query.Size(0)}), got [{string.Join(", ", x.Shape)}]");
        }
        if (paddingMask.DType != DType.Bool || paddingMask.Dim != 2 || paddingMask.Size(0) != x.Size(0) || paddingMask.Size(1) != x.Size(1))
        {
            throw new ArgumentException($"AttentionPooling: padding mask must be Bool ({x.Size(0)}, {x.Size(1)}), got {paddingMask.DType} [{string.Join(", ", paddingMask.Shape)}]");
        }
        var scores = Tensor.Linear(x, keyWeight, keyBias).Tanh().MatMul(query.Unsqueeze(1)).Squeeze(2); // (B, T)
        // A large finite negative (not -inf) keeps all-padding rows finite; exp of it underflows to exactly 0,
        // so padded positions never change a real sequence's weights.
        var real = paddingMask.LogicalNot().To(x.DType); // (B, T), 1 at real tokens
        var weights = scores.MaskedFill(paddingMask, -1e9).Softmax(1) * real;
        var pooled = (x * weights.Unsqueeze(2)).Sum(1); // (B, E)
        return (pooled, weights);
    }

    /// <inheritdoc />
    public override string ExtraRepr() => $"dim={Dim}";
}
