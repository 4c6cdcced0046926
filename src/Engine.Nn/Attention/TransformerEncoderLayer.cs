namespace Engine.Nn;

/// <summary>
/// One transformer encoder block (torch.nn.TransformerEncoderLayer): self-attention and a
/// feed-forward network, each with a residual connection and layer norm, post-norm by default
/// or pre-norm with <c>normFirst</c>. Submodule names match PyTorch's.
/// </summary>
public sealed class TransformerEncoderLayer : Module<Tensor, Tensor>
{
    /// <summary>Creates the block; <paramref name="activation"/> is "relu" or "gelu".</summary>
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward = 2048, double dropout = 0.1, string activation = "relu", double layerNormEps = 1e-5,
        bool batchFirst = false, bool normFirst = false, Generator? generator = null, DType? dtype = null)
    {
        if (activation is not ("relu" or "gelu"))
        {
            throw new ArgumentException($"TransformerEncoderLayer: activation should be relu/gelu, not {activation}");
        }
        Activation = activation;
        NormFirst = normFirst;
        SelfAttn = RegisterModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, true, batchFirst, generator, dtype));
        Linear1 = RegisterModule("linear1", new Linear(dModel, dimFeedforward, true, generator, dtype));
        Dropout = RegisterModule("dropout", new Dropout(dropout, generator));
        Linear2 = RegisterModule("linear2", new Linear(dimFeedforward, dModel, true, generator, dtype));
        Norm1 = RegisterModule("norm1", new LayerNorm(dModel, layerNormEps, true, dtype));
        Norm2 = RegisterModule("norm2", new LayerNorm(dModel, layerNormEps, true, dtype));
        Dropout1 = RegisterModule("dropout1", new Dropout(dropout, generator));
        Dropout2 = RegisterModule("dropout2", new Dropout(dropout, generator));
    }

    /// <summary>"relu" or "gelu".</summary>
    public string Activation { get; }

    /// <summary>Whether layer norm comes before each sub-block.</summary>
    public bool NormFirst { get; }

    /// <summary>Self-attention.</summary>
    public MultiheadAttention SelfAttn { get; }

    /// <summary>First feed-forward layer.</summary>
    public Linear Linear1 { get; }

    /// <summary>Dropout inside the feed-forward block.</summary>
    public Dropout Dropout { get; }

    /// <summary>Second feed-forward layer.</summary>
    public Linear Linear2 { get; }

    /// <summary>Norm around attention.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>Norm around the feed-forward block.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>Dropout after attention.</summary>
    public Dropout Dropout1 { get; }

    /// <summary>Dropout after the feed-forward block.</summary>
    public Dropout Dropout2 { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Forward(input, null, null);

    /// <summary>Runs the block with optional src_mask (L, L) and src_key_padding_mask (B, L).</summary>
    public Tensor Forward(Tensor src, Tensor? srcMask, Tensor? srcKeyPaddingMask, bool isCausal = false)
    {
        var x = src;
        if (NormFirst)
        {
            x = x + SelfAttention(Norm1.Forward(x), srcMask, srcKeyPaddingMask, isCausal);
            x = x + FeedForward(Norm2.Forward(x));
        }
        else
        {
            x = Norm1.Forward(x + SelfAttention(x, srcMask, srcKeyPaddingMask, isCausal));
            x = Norm2.Forward(x + FeedForward(x));
        }
        return x;
    }

    private Tensor SelfAttention(Tensor x, Tensor? mask, Tensor? keyPadding, bool isCausal)
        => Dropout1.Forward(SelfAttn.Forward(x, x, x, keyPadding, needWeights: false, attnMask: mask, isCausal: isCausal).Output);

    private Tensor FeedForward(Tensor x)
    {
        var h = Linear1.Forward(x);
        h = Activation == "gelu" ? h.Gelu() : h.Relu();
        return Dropout2.Forward(Linear2.Forward(Dropout.Forward(h)));
    }
}
