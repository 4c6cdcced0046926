namespace Engine.Text.Evaluation;

/// <summary>Spearman rank correlation (Pearson correlation of ranks, ties get their average rank, as scipy.stats.spearmanr).</summary>
public static class Spearman
{
    /// <summary>Spearman's rho of two equally long samples; NaN when fewer than 2 values or a sample is constant.</summary>
    public static double Correlation(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count)
        {
            throw new ArgumentException($"Spearman: samples have {x.Count} and {y.Count} values.");
        }
        if (x.Count < 2)
        {
            return double.NaN;
        }
        return Pearson(Ranks(x), Ranks(y));
    }

    /// <summary>1-based ranks with ties averaged.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        int n = values.Count;
        var order = Enumerable.Range(0, n).ToArray();
        var keys = values.ToArray();
        Array.Sort(keys, order);
        var ranks = new double[n];
        int i = 0;
        while (i < n)
        {
            int j = i;
            while (j + 1 < n && keys[j + 1] == keys[i])
            {
                j++;
            }
            double rank = (i + j) / 2.0 + 1.0;
            for (int k = i; k <= j; k++)
            {
                ranks[order[k]] = rank;
            }
            i = j + 1;
        }
        return ranks;
    }

    private static double Pearson(double[] a, double[] b)
    {
        double ma = a.Average();
        double mb = b.Average();
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double da = a[i] - ma;
            double db = b[i] - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        return saa > 0 && sbb > 0 ? sab / Math.Sqrt(saa * sbb) : double.NaN;
    }
}
