namespace Engine.Backends;

/// <summary>
/// Sizes, scale and mask layout of one fused scaled-dot-product attention launch (see
/// <see cref="Backend.ScaledDotProductAttentionForward"/>). Query (B, L, E), key (B, S, E), value
/// (B, S, Ev), output and its gradient (B, L, Ev) and the log-sum-exp (B, L) are dense row-major from
/// element 0. The optional additive mask (same dtype) is read at
/// <c>MaskOffset + b * MaskBatchStride + i * MaskRowStride + j * MaskColStride</c> (strides may be 0).
/// </summary>
public readonly record struct ScaledDotProductAttentionParams(int Batch, int QueryLength, int KeyLength, int HeadDim, int ValueDim, double Scale)
{
    /// <summary>Whether key j is hidden from query i when j &gt; i (PyTorch's is_causal, aligned top-left).</summary>
    public bool IsCausal { get; init; }

    /// <summary>Offset of mask element (0, 0, 0).</summary>
    public int MaskOffset { get; init; }

    /// <summary>Mask stride between batch items.</summary>
    public int MaskBatchStride { get; init; }

    /// <summary>Mask stride between query rows.</summary>
    public int MaskRowStride { get; init; }

    /// <summary>Mask stride between keys.</summary>
    public int MaskColStride { get; init; }
}
