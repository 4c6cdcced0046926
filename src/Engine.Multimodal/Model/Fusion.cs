using Engine.Nn;

namespace Engine.Multimodal.Model;

/// <summary>How modality embeddings are combined.</summary>
public enum FusionKind
{
    /// <summary>Learned softmax weights over the present modalities; the weighted sum is the joint embedding.</summary>
    Attention,

    /// <summary>Embeddings (zeros where absent) concatenated and projected.</summary>
    Concat,

    /// <summary>One classifier per modality, logits averaged over the present modalities.</summary>
    Late,

    /// <summary>Engine.Nn's cross-modal attention fusion (modality tokens attend to each other, then weighted pooling).</summary>
    XAttention,
}

/// <summary>What a fusion layer returns.</summary>
/// <param name="Joint">(B, D) joint embedding.</param>
/// <param name="Logits">(B, C) class scores.</param>
/// <param name="Weights">(B, M) attention weights, for attention fusion.</param>
public readonly record struct FusionOutput(Tensor Joint, Tensor Logits, Tensor? Weights);

/// <summary>A fusion layer over M modality embeddings (B, M, D) with presence mask (B, M).</summary>
public abstract class FusionModule : Module
{
    /// <summary>Fuses and classifies.</summary>
    public abstract FusionOutput Forward(Tensor embeddings, Tensor mask);

    /// <summary>The fusion layer of a given kind.</summary>
    public static FusionModule Create(FusionKind kind, int modalities, int dim, int classes, double dropout, Generator g) => kind switch
    {
        FusionKind.Attention => new AttentionFusion(dim, classes, dropout, g),
        FusionKind.Concat => new ConcatFusion(modalities, dim, classes, dropout, g),
        FusionKind.XAttention => new CrossAttentionFusion(modalities, dim, classes, dropout, g),
        _ => new LateFusion(modalities, dim, classes, g),
    };

    /// <summary>Parses "attention", "concat" or "late".</summary>
    public static FusionKind Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "attention" => FusionKind.Attention,
        "concat" => FusionKind.Concat,
        "late" => FusionKind.Late,
        "xattention" => FusionKind.XAttention,
        _ => throw new ArgumentException($"fusion: unknown kind '{text}' (expected attention, concat, late or xattention)"),
    };
}

/// <summary>
/// Attention fusion: score_m = v · tanh(W e_m + b), softmax over present modalities, joint = Σ w_m e_m, then a
/// small classifier head.
/// </summary>
public sealed class AttentionFusion : FusionModule
{
    private readonly Linear _key;
    private readonly Linear _score;
    private readonly Linear _hidden;
    private readonly Linear _out;
    private readonly Dropout _drop;

    /// <summary>Creates the layer.</summary>
    public AttentionFusion(int dim, int classes, double dropout, Generator g)
    {
        _key = RegisterModule("key", new Linear(dim, dim, generator: g));
        _score = RegisterModule("score", new Linear(dim, 1, bias: false, generator: g));
        _hidden = RegisterModule("hidden", new Linear(dim, dim, generator: g));
        _out = RegisterModule("out", new Linear(dim, classes, generator: g));
        _drop = RegisterModule("drop", new Dropout(dropout, g));
    }

    /// <inheritdoc />
    public override FusionOutput Forward(Tensor embeddings, Tensor mask)
    {
        var scores = PatchOps.Project(_score, PatchOps.Project(_key, embeddings).Tanh()).Squeeze(2); // (B, M)
        // Absent modalities get -1e9 so their weight is zero (all-absent rows end up uniform over zeros).
        scores = scores + (mask - 1.0) * 1e9;
        var weights = scores.Softmax(1);
        var joint = (embeddings * weights.Unsqueeze(2)).Sum(1); // (B, D)
        var h = _drop.Forward(PatchOps.Project(_hidden, joint).Relu());
        return new FusionOutput(joint, PatchOps.Project(_out, h), weights);
    }
}

/// <summary>Concat fusion: [e_1 m_1, ..., e_M m_M] projected to D (the joint embedding), then a classifier.</summary>
public sealed class ConcatFusion : FusionModule
{
    private readonly Linear _proj;
    private readonly Linear _out;
    private readonly Dropout _drop;

    /// <summary>Creates the layer.</summary>
    public ConcatFusion(int modalities, int dim, int classes, double dropout, Generator g)
    {
        _proj = RegisterModule("proj", new Linear(modalities * dim, dim, generator: g));
        _out = RegisterModule("out", new Linear(dim, classes, generator: g));
        _drop = RegisterModule("drop", new Dropout(dropout, g));
    }

    /// <inheritdoc />
    public override FusionOutput Forward(Tensor embeddings, Tensor mask)
    {
        var masked = embeddings * mask.Unsqueeze(2);
        var joint = _proj.Forward(masked.Flatten(1)).Relu();
        return new FusionOutput(joint, _out.Forward(_drop.Forward(joint)), null);
    }
}

/// <summary>Late fusion: one linear classifier per modality, logits averaged over present modalities; joint = mean embedding.</summary>
public sealed class LateFusion : FusionModule
{
    private readonly Linear[] _heads;

    /// <summary>Creates the layer.</summary>
    public LateFusion(int modalities, int dim, int classes, Generator g)
    {
        _heads = Enumerable.Range(0, modalities).Select(i => RegisterModule($"head{i}", new Linear(dim, classes, generator: g))).ToArray();
    }

    /// <inheritdoc />
    public override FusionOutput Forward(Tensor embeddings, Tensor mask)
    {
        var logits = Tensor.Stack(_heads.Select((h, i) => h.Forward(embeddings.Select(1, i))).ToList(), 1); // (B, M, C)
        var count = mask.Sum(1, keepDim: true).Clamp(min: 1.0); // (B, 1)
        var m = mask.Unsqueeze(2);
        var fused = (logits * m).Sum(1) / count;
        var joint = (embeddings * m).Sum(1) / count;
        return new FusionOutput(joint, fused, null);
    }
}

/// <summary>
/// Cross-modal attention fusion from Engine.Nn (<see cref="Engine.Nn.AttentionFusion"/>: modality tokens
/// attend to each other, then a weighted pooling gives the joint embedding), followed by the same classifier
/// head as <see cref="AttentionFusion"/>.
/// </summary>
public sealed class CrossAttentionFusion : FusionModule
{
    private readonly Engine.Nn.AttentionFusion _fusion;
    private readonly int _modalities;
    private readonly Linear _hidden;
    private readonly Linear _out;
    private readonly Dropout _drop;

    /// <summary>Creates the layer.</summary>
    public CrossAttentionFusion(int modalities, int dim, int classes, double dropout, Generator g)
    {
        _modalities = modalities;
        _fusion = RegisterModule("xattn", new Engine.Nn.AttentionFusion(Enumerable.Repeat(dim, modalities).ToArray(), dim, numHeads: 4, dropout: dropout, generator: g));
        // Engine.Nn's attention draws its dropout from the global generator unless given one; the net's seeded
        // generator keeps a run reproducible (and the same on every device).
        _fusion.Attention.DropoutGenerator = g;
        _hidden = RegisterModule("hidden", new Linear(dim, dim, generator: g));
        _out = RegisterModule("out", new Linear(dim, classes, generator: g));
        _drop = RegisterModule("drop", new Dropout(dropout, g));
    }

    /// <inheritdoc />
    public override FusionOutput Forward(Tensor embeddings, Tensor mask)
    {
        // Engine.Nn's fusion needs at least one present modality per sample; a sample with none (for example an
        // empty text in a text-only model) is marked fully present, its embeddings are all zeros anyway.
        // Computed on the mask's device (no host round trip): present = mask > 0, or every modality when none is.
        var present = mask.Gt(0.0).LogicalOr(mask.Sum(1, keepDim: true).Eq(0.0));
        var list = Enumerable.Range(0, _modalities).Select(j => embeddings.Select(1, j)).ToList();
        var fused = _fusion.Forward(list, present);
        var h = _drop.Forward(_hidden.Forward(fused.Joint).Relu());
        return new FusionOutput(fused.Joint, _out.Forward(h), fused.ModalityWeights);
    }
}
