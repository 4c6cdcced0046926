using Engine.Nn;

namespace Engine.Multimodal.Model;

/// <summary>
/// Text encoder with a bidirectional LSTM: a sample's features in text order (each word, then its character
/// trigrams; up to <see cref="Data.BatchData.MaxTextTokens"/>) are looked up in an embedding table
/// (Word2Vec-initialisable), run through a one-layer BiLSTM that stops at each sample's real length, averaged over
/// the real steps and projected to the embedding size. Input: token ids (B, L) Int64 and the real length of each
/// row; output (B, dim). A row with no tokens encodes like a zero vector (its modality is absent anyway).
/// </summary>
public sealed class BiLstmTextEncoder : Module, IWordVectorTable
{
    private readonly LSTM _lstm;
    private readonly Linear _fc;
    private readonly Dropout _drop;

    /// <summary>Creates the encoder for a vocabulary of <paramref name="vocab"/> features, with <paramref name="hidden"/> units per direction.</summary>
    public BiLstmTextEncoder(int vocab, int embedDim, int dim, double dropout, Generator g, int hidden = 32)
    {
        Table = RegisterParameter("table", Persistent(() => Tensor.Normal(new[] { Math.Max(vocab, 1), embedDim }, 0, 0.1, g)))!;
        _lstm = RegisterModule("lstm", new LSTM(embedDim, hidden, batchFirst: true, bidirectional: true, generator: g));
        _fc = RegisterModule("fc", new Linear(2 * hidden, dim, generator: g));
        _drop = RegisterModule("drop", new Dropout(dropout, g));
    }

    /// <inheritdoc />
    public Tensor Table { get; }

    /// <inheritdoc />
    public int InitFromWordVectors(IReadOnlyList<string> vocabulary, Engine.Text.Vectors.WordVectors vectors) => WordVectorTable.Init(Table, vocabulary, vectors, "BiLstmTextEncoder");

    /// <summary>Encodes token ids (B, L) whose first <paramref name="lengths"/>[b] entries are real (the rest padding).</summary>
    public Tensor Forward(Tensor tokens, long[] lengths)
    {
        if (tokens.Dim != 2 || tokens.DType != DType.Int64 || lengths.Length != tokens.Size(0))
        {
            throw new ArgumentException($"BiLstmTextEncoder: expected Int64 tokens (B, L) and B lengths, got {tokens.DType} [{string.Join(", ", tokens.Shape)}] and {lengths.Length} lengths");
        }
        int b = tokens.Size(0), l = tokens.Size(1);
        var e = Table.IndexSelect(0, tokens.Reshape(b * l)).Reshape(b, l, Table.Size(1)); // (B, L, E)
        var output = _lstm.Forward(e, lengths: lengths).Output; // (B, L, 2H), zero past each length
        var inverse = new float[b];
        for (int i = 0; i < b; i++)
        {
            inverse[i] = 1f / Math.Max(lengths[i], 1);
        }
        var pooled = output.Sum(1) * Tensor.FromArray(inverse, new[] { b, 1 }, output.Device);
        return _drop.Forward(_fc.Forward(pooled).Relu());
    }
}
