using Engine.Nn;

namespace Engine.Multimodal.Model;

/// <summary>
/// Text encoder with attention pooling: each of a sample's features (words and character trigrams, up to
/// <see cref="Data.BatchData.MaxTextTokens"/>) is looked up in an embedding table (Word2Vec-initialisable),
/// scored by v · tanh(W e + b), and the softmax-weighted sum over the present features is projected to the
/// embedding size. Input: token ids (B, L) Int64 and their presence (B, L); output (B, dim).
/// </summary>
public sealed class AttentionTextEncoder : Module, IWordVectorTable
{
    private readonly Linear _key;
    private readonly Linear _score;
    private readonly Linear _fc;
    private readonly Dropout _drop;

    /// <summary>Creates the encoder for a vocabulary of <paramref name="vocab"/> features.</summary>
    public AttentionTextEncoder(int vocab, int embedDim, int dim, double dropout, Generator g)
    {
        Table = RegisterParameter("table", Persistent(() => Tensor.Normal(new[] { Math.Max(vocab, 1), embedDim }, 0, 0.1, g)))!;
        _key = RegisterModule("key", new Linear(embedDim, embedDim, generator: g));
        _score = RegisterModule("score", new Linear(embedDim, 1, bias: false, generator: g));
        _fc = RegisterModule("fc", new Linear(embedDim, dim, generator: g));
        _drop = RegisterModule("drop", new Dropout(dropout, g));
    }

    /// <inheritdoc />
    public Tensor Table { get; }

    /// <inheritdoc />
    public int InitFromWordVectors(IReadOnlyList<string> vocabulary, Engine.Text.Vectors.WordVectors vectors) => WordVectorTable.Init(Table, vocabulary, vectors, "AttentionTextEncoder");

    /// <summary>Encodes token ids (B, L) with presence (B, L); rows with no token give the mean of padding rows (their modality is absent anyway).</summary>
    public Tensor Forward(Tensor tokens, Tensor present)
    {
        if (tokens.Dim != 2 || !present.Shape.SequenceEqual(tokens.Shape))
        {
            throw new ArgumentException($"AttentionTextEncoder: expected tokens (B, L) and presence of the same shape, got [{string.Join(", ", tokens.Shape)}] and [{string.Join(", ", present.Shape)}]");
        }
        int b = tokens.Size(0), l = tokens.Size(1);
        var e = Table.IndexSelect(0, tokens.Reshape(b * l)).Reshape(b, l, Table.Size(1)); // (B, L, E)
        var scores = _score.Forward(_key.Forward(e).Tanh()).Squeeze(2); // (B, L)
        var weights = (scores + (present - 1.0) * 1e9).Softmax(1);
        var pooled = (e * weights.Unsqueeze(2)).Sum(1); // (B, E)
        return _drop.Forward(_fc.Forward(pooled).Relu());
    }
}
