using System.Runtime.CompilerServices;

namespace Engine.Text.Sampling;

/// <summary>
/// The negative-sampling table: draws word i with probability count_i^power / sum_j count_j^power
/// (power 0.75 as in word2vec). Stored as an alias table (Walker/Vose), so a draw costs one random
/// number and one comparison, with exact probabilities and a table the size of the vocabulary
/// instead of word2vec's 10^8 entries.
/// </summary>
public sealed class NegativeSampler
{
    private readonly uint[] _accept;
    private readonly int[] _alias;

    /// <summary>Builds the table from word counts.</summary>
    public NegativeSampler(IReadOnlyList<long> counts, double power = 0.75)
    {
        int n = counts.Count;
        if (n == 0)
        {
            throw new ArgumentException("NegativeSampler: the vocabulary is empty.", nameof(counts));
        }
        var weights = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            if (counts[i] < 0)
            {
                throw new ArgumentException($"NegativeSampler: count of word {i} is negative ({counts[i]}).", nameof(counts));
            }
            weights[i] = Math.Pow(counts[i], power);
            sum += weights[i];
        }
        if (sum <= 0)
        {
            throw new ArgumentException("NegativeSampler: all counts are zero.", nameof(counts));
        }
        Probabilities = new double[n];
        for (int i = 0; i < n; i++)
        {
            Probabilities[i] = weights[i] / sum;
        }
        (_accept, _alias) = BuildAlias(Probabilities);
    }

    /// <summary>Probability of drawing each word.</summary>
    public double[] Probabilities { get; }

    /// <summary>Number of words.</summary>
    public int Count => _alias.Length;

    /// <summary>Draws a word index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Sample(ref FastRandom random)
    {
        ulong r = random.NextUInt64();
        // High 32 bits pick the column, low 32 bits decide between it and its alias.
        int column = (int)(((r >> 32) * (ulong)(uint)_alias.Length) >> 32);
        return (uint)r < _accept[column] ? column : _alias[column];
    }

    private static (uint[] Accept, int[] Alias) BuildAlias(double[] p)
    {
        int n = p.Length;
        var scaled = new double[n];
        var accept = new uint[n];
        var alias = new int[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (int i = 0; i < n; i++)
        {
            scaled[i] = p[i] * n;
            alias[i] = i;
            (scaled[i] < 1.0 ? small : large).Push(i);
        }
        while (small.Count > 0 && large.Count > 0)
        {
            int s = small.Pop();
            int l = large.Pop();
            accept[s] = ToThreshold(scaled[s]);
            alias[s] = l;
            scaled[l] = scaled[l] + scaled[s] - 1.0;
            (scaled[l] < 1.0 ? small : large).Push(l);
        }
        // Whatever is left has probability 1 up to rounding.
        while (large.Count > 0)
        {
            accept[large.Pop()] = uint.MaxValue;
        }
        while (small.Count > 0)
        {
            accept[small.Pop()] = uint.MaxValue;
        }
        return (accept, alias);
    }

    private static uint ToThreshold(double q) => q >= 1.0 ? uint.MaxValue : (uint)(q * 4294967296.0);
}
