using Engine.Text.Tokenization;

namespace Engine.Text.Encoders;

/// <summary>A padded batch of token ids.</summary>
/// <param name="Ids">(B, T) Int64 ids, <see cref="TokenIndex.PadId"/> after each sequence's length.</param>
/// <param name="Lengths">(B) the number of real tokens of each sequence (0 for an empty text).</param>
public sealed record TokenBatch(Tensor Ids, long[] Lengths)
{
    /// <summary>(B, T) Bool, true at padding positions (the key_padding_mask convention).</summary>
    public Tensor PaddingMask() => PaddingMaskFromLengths(Lengths, Ids.Size(1));

    /// <summary>(B, T) Bool padding mask (true past each length).</summary>
    public static Tensor PaddingMaskFromLengths(long[] lengths, int steps)
    {
        var m = new bool[lengths.Length * steps];
        for (int b = 0; b < lengths.Length; b++)
        {
            if (lengths[b] < 0 || lengths[b] > steps)
            {
                throw new ArgumentException($"TokenBatch: length {lengths[b]} of sequence {b} is outside [0, {steps}]");
            }
            for (int t = (int)lengths[b]; t < steps; t++)
            {
                m[b * steps + t] = true;
            }
        }
        return Tensor.FromArray(m, new[] { lengths.Length, steps });
    }
}

/// <summary>Turns strings into padded id tensors with a tokenizer and a <see cref="TokenIndex"/>.</summary>
public sealed class TextBatcher
{
    /// <summary>Creates the batcher; texts longer than <paramref name="maxLength"/> tokens are truncated.</summary>
    public TextBatcher(TokenIndex index, WordTokenizer? tokenizer = null, int maxLength = 64)
    {
        if (maxLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "TextBatcher: max length must be at least 1");
        }
        Index = index;
        Tokenizer = tokenizer ?? new WordTokenizer();
        MaxLength = maxLength;
    }

    /// <summary>The id space.</summary>
    public TokenIndex Index { get; }

    /// <summary>The tokenizer.</summary>
    public WordTokenizer Tokenizer { get; }

    /// <summary>The most tokens kept per text.</summary>
    public int MaxLength { get; }

    /// <summary>The ids of one text (unknown words map to <see cref="TokenIndex.UnkId"/>), at most <see cref="MaxLength"/>.</summary>
    public long[] Encode(string text)
    {
        var ids = new List<long>();
        Tokenizer.Tokenize(text, t =>
        {
            if (ids.Count < MaxLength)
            {
                ids.Add(Index.IdOf(t.ToString()));
            }
        });
        return ids.ToArray();
    }

    /// <summary>
    /// Encodes and pads a batch: T is the longest kept sequence (at least 1, so an all-empty batch still has a
    /// column of padding).
    /// </summary>
    public TokenBatch Batch(IReadOnlyList<string> texts)
    {
        var seqs = texts.Select(Encode).ToArray();
        int steps = Math.Max(1, seqs.Length == 0 ? 0 : seqs.Max(s => s.Length));
        var ids = new long[seqs.Length * steps];
        var lengths = new long[seqs.Length];
        for (int b = 0; b < seqs.Length; b++)
        {
            seqs[b].CopyTo(ids, b * steps);
            lengths[b] = seqs[b].Length;
        }
        return new TokenBatch(Tensor.FromArray(ids, new[] { seqs.Length, steps }), lengths);
    }
}
