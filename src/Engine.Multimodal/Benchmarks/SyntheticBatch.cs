using Engine.Multimodal.Data;

namespace Engine.Multimodal.Benchmarks;

/// <summary>Random inputs of the right shapes for timing and device checks (no files needed).</summary>
public static class SyntheticBatch
{
    /// <summary>
    /// Preprocessing for <paramref name="classes"/> classes, square images of side <paramref name="imageSize"/>,
    /// <paramref name="frames"/> MFCC frames of <paramref name="nMfcc"/> coefficients and a text vocabulary of
    /// <paramref name="vocab"/> features (the built-in sample's sizes by default).
    /// </summary>
    public static Preprocessing Preprocessing(int classes = 10, int imageSize = 28, int frames = 80, int nMfcc = 13, int vocab = 512) => new()
    {
        Labels = Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
        ImageSize = imageSize,
        AudioFrames = frames,
        NMfcc = nMfcc,
        AudioMean = new float[nMfcc],
        AudioStd = Enumerable.Repeat(1f, nMfcc).ToArray(),
        Vocabulary = Enumerable.Range(0, vocab).Select(i => $"w:t{i}").ToArray(),
    };

    /// <summary>
    /// A batch of <paramref name="size"/> samples drawn from <paramref name="seed"/>: normal pixels and frames, a few
    /// text features per sample (also as token ids when <paramref name="textTokens"/>), every modality present,
    /// random labels.
    /// </summary>
    public static BatchData Make(Preprocessing prep, Modality used, int size, ulong seed, bool textTokens = false)
    {
        if (size <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "SyntheticBatch: batch size must be positive");
        }
        var g = new Generator(seed);
        int pix = prep.ImageSize * prep.ImageSize, frames = prep.AudioFrames * prep.NMfcc, vocab = prep.Vocabulary.Length;
        float[]? image = (used & Modality.Image) != 0 ? Normal(size * pix, g) : null;
        float[]? audio = (used & Modality.Audio) != 0 ? Normal(size * frames, g) : null;
        float[]? text = null;
        long[]? tokens = null;
        float[]? tokenMask = null;
        if ((used & Modality.Text) != 0 && vocab > 0)
        {
            text = new float[size * vocab];
            tokens = new long[size * 4];
            tokenMask = Enumerable.Repeat(1f, size * 4).ToArray();
            for (int i = 0; i < size; i++)
            {
                for (int k = 0; k < 4; k++)
                {
                    int id = (int)g.NextInt64(vocab);
                    text[i * vocab + id] += 0.25f;
                    tokens[i * 4 + k] = id;
                }
            }
        }
        var mask = new float[size * 3];
        for (int i = 0; i < size; i++)
        {
            mask[i * 3] = image is null ? 0 : 1;
            mask[i * 3 + 1] = audio is null ? 0 : 1;
            mask[i * 3 + 2] = text is null ? 0 : 1;
        }
        return new BatchData
        {
            Size = size,
            Ids = Enumerable.Range(0, size).Select(i => $"s{i}").ToArray(),
            Labels = Enumerable.Range(0, size).Select(_ => g.NextInt64(prep.Labels.Length)).ToArray(),
            Image = image,
            Audio = audio,
            Text = text,
            Mask = mask,
            TextTokens = textTokens ? tokens : null,
            TextTokenMask = textTokens ? tokenMask : null,
            TextTokenCount = textTokens && tokens is not null ? 4 : 0,
        };
    }

    private static float[] Normal(int n, Generator g)
    {
        var v = new float[n];
        for (int i = 0; i < n; i += 2)
        {
            // Box-Muller from the seeded generator.
            double u1 = 1 - g.NextDouble(), u2 = g.NextDouble();
            double r = Math.Sqrt(-2 * Math.Log(u1));
            v[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < n)
            {
                v[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
            }
        }
        return v;
    }
}
