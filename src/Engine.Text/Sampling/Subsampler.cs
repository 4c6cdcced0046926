namespace Engine.Text.Sampling;

/// <summary>
/// Frequent-word subsampling (Mikolov et al. 2013, in the form of the word2vec C tool): a word with
/// frequency f = count / total is kept with probability (sqrt(f / t) + 1) * t / f, capped at 1.
/// </summary>
public sealed class Subsampler
{
    /// <summary>Builds keep probabilities from word counts and the threshold t (0 disables subsampling).</summary>
    public Subsampler(IReadOnlyList<long> counts, double threshold)
    {
        if (threshold < 0 || double.IsNaN(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), $"Subsampler: threshold must be >= 0, got {threshold}.");
        }
        long total = 0;
        foreach (long c in counts)
        {
            total += c;
        }
        KeepProbability = new double[counts.Count];
        Thresholds = new uint[counts.Count];
        for (int i = 0; i < counts.Count; i++)
        {
            double p = 1.0;
            if (threshold > 0 && counts[i] > 0)
            {
                double tt = threshold * total;
                p = Math.Min(1.0, (Math.Sqrt(counts[i] / tt) + 1) * tt / counts[i]);
            }
            KeepProbability[i] = p;
            // Compared with a uniform 32-bit draw; p = 1 maps to "always".
            Thresholds[i] = p >= 1.0 ? uint.MaxValue : (uint)(p * 4294967296.0);
        }
    }

    /// <summary>Probability that each word is kept.</summary>
    public double[] KeepProbability { get; }

    /// <summary>Keep word i when a uniform 32-bit draw is below Thresholds[i] (uint.MaxValue: always keep).</summary>
    internal uint[] Thresholds { get; }

    /// <summary>Decides with one random draw whether to keep an occurrence of word <paramref name="index"/>.</summary>
    public bool Keep(int index, ref FastRandom random)
    {
        uint t = Thresholds[index];
        return t == uint.MaxValue || random.NextUInt32() < t;
    }
}
