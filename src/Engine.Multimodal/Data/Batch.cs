namespace Engine.Multimodal.Data;

/// <summary>
/// A collated batch as plain arrays (built on the prefetch thread); <see cref="ToTensors"/> turns it into
/// tensors on the consuming thread, so they land in that thread's <see cref="TensorScope"/>.
/// </summary>
public sealed class BatchData
{
    /// <summary>Number of samples.</summary>
    public required int Size { get; init; }

    /// <summary>Sample ids.</summary>
    public required string[] Ids { get; init; }

    /// <summary>Class indices.</summary>
    public required long[] Labels { get; init; }

    /// <summary>(B, S, S, 1) pixels, zeros where absent; null when images are not used.</summary>
    public float[]? Image { get; init; }

    /// <summary>(B, T, n_mfcc) frames, zeros where absent; null when audio is not used.</summary>
    public float[]? Audio { get; init; }

    /// <summary>(B, V) normalised bag of text features (rows sum to 1, or 0 when nothing is known); null when text is not used.</summary>
    public float[]? Text { get; init; }

    /// <summary>(B, 3) presence of image, audio, text (1 or 0).</summary>
    public required float[] Mask { get; init; }

    /// <summary>Most text features per sample given to a token-level text encoder (the rest are dropped).</summary>
    public const int MaxTextTokens = 64;

    /// <summary>(B, L) text feature ids, padded with 0, for a token-level text encoder; null otherwise.</summary>
    public long[]? TextTokens { get; init; }

    /// <summary>(B, L) presence of each text token (1 or 0); null when <see cref="TextTokens"/> is.</summary>
    public float[]? TextTokenMask { get; init; }

    /// <summary>L, the padded token count of this batch (0 without tokens).</summary>
    public int TextTokenCount { get; init; }

    /// <summary>The same batch with another (B, 3) presence mask (for modality dropout before the one upload).</summary>
    public BatchData WithMask(float[] mask)
    {
        if (mask.Length != Size * 3)
        {
            throw new ArgumentException($"BatchData.WithMask: mask has {mask.Length} values, the batch needs {Size * 3}");
        }
        return new BatchData
        {
            Size = Size, Ids = Ids, Labels = Labels, Image = Image, Audio = Audio, Text = Text, Mask = mask,
            TextTokens = TextTokens, TextTokenMask = TextTokenMask, TextTokenCount = TextTokenCount,
        };
    }

    /// <summary>The tensors of this batch on <paramref name="device"/> (the CPU when null): each array is copied there once.</summary>
    public Batch ToTensors(Preprocessing prep, Device? device = null)
    {
        int b = Size, s = prep.ImageSize;
        return new Batch(
            Ids,
            Tensor.FromArray(Labels, new[] { b }, device),
            Image is null ? null : Tensor.FromArray(Image, new[] { b, s, s, 1 }, device),
            Audio is null ? null : Tensor.FromArray(Audio, new[] { b, prep.AudioFrames, prep.NMfcc }, device),
            Text is null ? null : Tensor.FromArray(Text, new[] { b, prep.Vocabulary.Length }, device),
            Tensor.FromArray(Mask, new[] { b, 3 }, device),
            TextTokens is null ? null : Tensor.FromArray(TextTokens, new[] { b, TextTokenCount }, device),
            TextTokenMask is null ? null : Tensor.FromArray(TextTokenMask, new[] { b, TextTokenCount }, device),
            TextTokenMask is null ? null : TokenLengths());
    }

    /// <summary>The real token count of each row (tokens come first in a row, padding after).</summary>
    private long[] TokenLengths()
    {
        var lengths = new long[Size];
        for (int i = 0; i < Size; i++)
        {
            for (int j = 0; j < TextTokenCount && TextTokenMask![i * TextTokenCount + j] != 0; j++)
            {
                lengths[i]++;
            }
        }
        return lengths;
    }
}

/// <summary>A batch as tensors; absent modalities of a sample are zeros with mask 0.</summary>
/// <param name="Ids">Sample ids.</param>
/// <param name="Labels">(B) Int64 class indices.</param>
/// <param name="Image">(B, S, S, 1) or null.</param>
/// <param name="Audio">(B, T, n_mfcc) or null.</param>
/// <param name="Text">(B, V) or null.</param>
/// <param name="Mask">(B, 3) presence of image, audio, text.</param>
/// <param name="TextTokens">(B, L) Int64 text feature ids for a token-level text encoder, or null.</param>
/// <param name="TextTokenMask">(B, L) presence of each token, or null.</param>
/// <param name="TextTokenLengths">The real token count of each row (on the host, for sequence encoders), or null.</param>
public sealed record Batch(string[] Ids, Tensor Labels, Tensor? Image, Tensor? Audio, Tensor? Text, Tensor Mask, Tensor? TextTokens = null, Tensor? TextTokenMask = null, long[]? TextTokenLengths = null);
