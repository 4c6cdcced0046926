namespace Engine.Nn;

/// <summary>
/// Cross-modal attention fusion. Each modality's embedding is projected to a token of width
/// <see cref="EmbedDim"/> and tagged with a learned modality embedding; the tokens attend to one
/// another with multi-head attention (absent modalities masked out as keys), a residual and layer
/// norm follow, and the joint representation is the sum of tokens weighted by learned modality
/// weights: softmax over present modalities of (a learned per-modality logit + a scored token).
/// </summary>
public sealed class AttentionFusion : Module
{
    private readonly int[] _dims;
    private readonly Linear[] _proj;

    /// <summary>Creates the module for modalities of the given embedding sizes.</summary>
    public AttentionFusion(int[] modalityDims, int embedDim, int numHeads = 4, double dropout = 0, Generator? generator = null, DType? dtype = null)
    {
        if (modalityDims.Length == 0 || modalityDims.Any(d => d <= 0))
        {
            throw new ArgumentException($"AttentionFusion: need at least one modality with positive size, got ({string.Join(", ", modalityDims)})");
        }
        _dims = modalityDims.ToArray();
        EmbedDim = embedDim;
        _proj = new Linear[_dims.Length];
        var projections = RegisterModule("proj", new ModuleList<Linear>());
        for (int m = 0; m < _dims.Length; m++)
        {
            _proj[m] = new Linear(_dims[m], embedDim, generator: generator, dtype: dtype);
            projections.Add(_proj[m]);
        }
        ModalityEmbedding = RegisterParameter("modality_embedding", Persistent(() => Tensor.Empty(new[] { _dims.Length, embedDim }, dtype)))!;
        Init.Normal_(ModalityEmbedding, 0, 0.02, generator);
        Attention = RegisterModule("attn", new MultiheadAttention(embedDim, numHeads, dropout, batchFirst: true, generator: generator, dtype: dtype));
        Norm = RegisterModule("norm", new LayerNorm(embedDim, dtype: dtype));
        Score = RegisterModule("score", new Linear(embedDim, 1, generator: generator, dtype: dtype));
        ModalityLogits = RegisterParameter("modality_logits", Persistent(() => Tensor.Zeros(new[] { _dims.Length }, dtype)))!;
    }

    /// <summary>Token width.</summary>
    public int EmbedDim { get; }

    /// <summary>Number of modalities.</summary>
    public int NumModalities => _dims.Length;

    /// <summary>Learned tag added to each modality's token (M, E).</summary>
    public Tensor ModalityEmbedding { get; }

    /// <summary>Learned prior weight of each modality (M), before the softmax.</summary>
    public Tensor ModalityLogits { get; }

    /// <summary>The cross-modal attention.</summary>
    public MultiheadAttention Attention { get; }

    /// <summary>Norm after the attention residual.</summary>
    public LayerNorm Norm { get; }

    /// <summary>Scores each attended token for the modality weights.</summary>
    public Linear Score { get; }

    /// <summary>
    /// Fuses M embeddings (B, D_m); <paramref name="present"/> (B, M) Bool marks which modalities
    /// each sample has (null: all). Returns the joint (B, E), attention (B, M, M) and modality
    /// weights (B, M).
    /// </summary>
    public FusionOutput Forward(IReadOnlyList<Tensor> embeddings, Tensor? present = null)
    {
        var mask = FusionInputs.Check("AttentionFusion", embeddings, _dims, present);
        var tokens = new Tensor[_dims.Length];
        for (int m = 0; m < _dims.Length; m++)
        {
            var e = FusionInputs.Masked(embeddings[m], mask.Select(1, m));
            tokens[m] = _proj[m].Forward(e);
        }
        var x = Tensor.Stack(tokens, 1) + ModalityEmbedding; // (B, M, E)
        var missing = mask.LogicalNot();
        var att = Attention.Forward(x, x, x, keyPaddingMask: missing, needWeights: true);
        var h = Norm.Forward(x + att.Output);
        var logits = Score.Forward(h).Squeeze(-1) + ModalityLogits; // (B, M)
        var weights = logits.MaskedFill(missing, double.NegativeInfinity).Softmax(-1);
        var joint = (h * weights.Unsqueeze(-1)).Sum(1);
        return new FusionOutput(joint, att.Weights, weights);
    }

    /// <inheritdoc />
    public override string ExtraRepr() => $"modalities=({string.Join(", ", _dims)}), embed_dim={EmbedDim}";
}
