using Engine.Nn;
using Engine.Text.Vectors;

namespace Engine.Text.Encoders;

/// <summary>How a <see cref="TextEncoder"/> turns token vectors into one vector.</summary>
public enum TextPooling
{
    /// <summary>A bidirectional LSTM, its outputs averaged over the real tokens: D = 2 * hidden.</summary>
    BiLstmMean,

    /// <summary>A bidirectional LSTM, the forward direction's state at the last real token and the backward direction's at the first: D = 2 * hidden.</summary>
    BiLstmLast,

    /// <summary>Attention pooling of the embeddings with a learned query (<see cref="AttentionPooling"/>): D = embedding size.</summary>
    Attention,
}

/// <summary>Settings of a <see cref="TextEncoder"/>.</summary>
public sealed record TextEncoderOptions
{
    /// <summary>The pooling.</summary>
    public TextPooling Pooling { get; init; } = TextPooling.Attention;

    /// <summary>Hidden size of each LSTM direction.</summary>
    public int Hidden { get; init; } = 64;

    /// <summary>When positive, a final Linear projects the pooled vector to this size.</summary>
    public int OutputDim { get; init; }

    /// <summary>Keep the embedding table fixed.</summary>
    public bool FreezeEmbedding { get; init; }

    /// <summary>Seed of the random rows (unknown and out-of-vocabulary words) and of the other layers' initialisation.</summary>
    public ulong Seed { get; init; } = 42;
}

/// <summary>
/// A text encoder for the multimodal model: token ids (B, T) with lengths or a padding mask go through an
/// embedding initialised from Word2Vec vectors, then a BiLSTM (mean or last-state pooling) or attention pooling
/// over the real tokens only, and optionally a linear projection, giving (B, D). Padding never changes a
/// sequence's result, and an empty sequence encodes to the projection of zeros.
/// </summary>
public sealed class TextEncoder : Module<TokenBatch, Tensor>
{
    private readonly LSTM? _lstm;
    private readonly AttentionPooling? _attention;
    private readonly Linear? _proj;

    /// <summary>Creates the encoder over an existing embedding.</summary>
    public TextEncoder(Embedding embedding, TextEncoderOptions? options = null)
    {
        Options = options ?? new TextEncoderOptions();
        var g = new Generator(Options.Seed ^ 0x7E47E4UL);
        Embedding = RegisterModule("embedding", embedding);
        if (Options.FreezeEmbedding)
        {
            Embedding.Weight.RequiresGrad = false;
        }
        var dtype = embedding.Weight.DType;
        int e = embedding.EmbeddingDim;
        switch (Options.Pooling)
        {
            case TextPooling.BiLstmMean:
            case TextPooling.BiLstmLast:
                if (Options.Hidden < 1)
                {
                    throw new ArgumentOutOfRangeException(nameof(options), Options.Hidden, "TextEncoder: LSTM hidden size must be positive");
                }
                _lstm = RegisterModule("lstm", new LSTM(e, Options.Hidden, batchFirst: true, bidirectional: true, generator: g, dtype: dtype));
                PooledDim = 2 * Options.Hidden;
                break;
            default:
                _attention = RegisterModule("attention", new AttentionPooling(e, g, dtype));
                PooledDim = e;
                break;
        }
        if (Options.OutputDim > 0)
        {
            _proj = RegisterModule("proj", new Linear(PooledDim, Options.OutputDim, generator: g, dtype: dtype));
        }
    }

    /// <summary>
    /// An encoder whose embedding rows are the Word2Vec vectors of <paramref name="index"/>'s words (unknown and
    /// out-of-vocabulary rows random with the options' seed, padding row zero).
    /// </summary>
    public static TextEncoder FromWordVectors(WordVectors vectors, TokenIndex index, TextEncoderOptions? options = null)
    {
        options ??= new TextEncoderOptions();
        return new TextEncoder(PretrainedEmbedding.Create(vectors, index, options.Seed, options.FreezeEmbedding), options);
    }

    /// <summary>The settings.</summary>
    public TextEncoderOptions Options { get; }

    /// <summary>The token embedding (row 0 is padding).</summary>
    public Embedding Embedding { get; }

    /// <summary>Size of the pooled vector before the optional projection.</summary>
    public int PooledDim { get; }

    /// <summary>Size of the output D.</summary>
    public int OutputDim => _proj?.OutFeatures ?? PooledDim;

    /// <summary>The attention pooling layer, when that pooling is used.</summary>
    public AttentionPooling? Attention => _attention;

    /// <inheritdoc />
    public override Tensor Forward(TokenBatch input) => Forward(input.Ids, input.Lengths);

    /// <summary>Encodes ids (B, T) whose padding mask (B, T) Bool is true at padding (real tokens first in each row).</summary>
    public Tensor Forward(Tensor ids, Tensor paddingMask) => Forward(ids, RnnBase.LengthsFromPaddingMask(paddingMask));

    /// <summary>Encodes ids (B, T) whose first lengths[b] entries are real tokens; returns (B, D).</summary>
    public Tensor Forward(Tensor ids, long[] lengths)
    {
        if (ids.Dim != 2 || ids.DType != DType.Int64)
        {
            throw new ArgumentException($"TextEncoder: ids must be an Int64 (B, T) tensor, got {ids.DType} [{string.Join(", ", ids.Shape)}]");
        }
        int b = ids.Size(0), t = ids.Size(1);
        if (lengths.Length != b)
        {
            throw new ArgumentException($"TextEncoder: {lengths.Length} lengths for a batch of {b}");
        }
        var mask = TokenBatch.PaddingMaskFromLengths(lengths, t); // validates the lengths
        var x = Embedding.Forward(ids); // (B, T, E)
        Tensor pooled;
        if (_attention is not null)
        {
            pooled = _attention.Forward(x, mask).Pooled;
        }
        else
        {
            var run = _lstm!.Forward(x, lengths: lengths);
            if (Options.Pooling == TextPooling.BiLstmLast)
            {
                // h: (2, B, H), forward then reverse; the packed-sequence semantics give each row's last real step.
                pooled = Tensor.Cat(new[] { run.H.Select(0, 0), run.H.Select(0, 1) }, 1);
            }
            else
            {
                // Outputs past a length are zero, so the sum over T is the sum over real steps.
                var count = new double[b];
                for (int i = 0; i < b; i++)
                {
                    count[i] = 1.0 / Math.Max(lengths[i], 1);
                }
                var scale = Tensor.FromArray(count, new[] { b, 1 }).To(x.DType);
                pooled = run.Output.Sum(1) * scale;
            }
        }
        return _proj is null ? pooled : _proj.Forward(pooled);
    }

    /// <inheritdoc />
    public override string ExtraRepr() => $"pooling={Options.Pooling}, out={OutputDim}";
}
