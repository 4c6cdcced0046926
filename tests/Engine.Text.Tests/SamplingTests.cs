using Engine.Text.Sampling;

namespace Engine.Text.Tests;

public class SamplingTests
{
    private static readonly long[] ZipfCounts = Enumerable.Range(1, 50).Select(r => (long)(100_000 / r)).ToArray();

    [Test]
    public void SubsamplingKeepProbabilityFollowsTheWord2VecFormula()
    {
        long[] counts = [100_000, 10_000, 1_000, 100, 10];
        var s = new Subsampler(counts, 1e-3);
        double total = counts.Sum();
        for (int i = 0; i < counts.Length; i++)
        {
            double f = counts[i] / total;
            double expected = Math.Min(1.0, (Math.Sqrt(f / 1e-3) + 1) * 1e-3 / f);
            Assert.That(s.KeepProbability[i], Is.EqualTo(expected).Within(1e-12), $"word {i}");
        }
        Assert.That(s.KeepProbability[0], Is.LessThan(0.05));
        Assert.That(s.KeepProbability[4], Is.EqualTo(1.0));
        Assert.That(new Subsampler(counts, 0).KeepProbability, Is.All.EqualTo(1.0));
    }

    [Test]
    public void SubsamplingKeepsWordsAtTheExpectedRate()
    {
        long[] counts = [100_000, 10_000, 1_000, 100, 10];
        var s = new Subsampler(counts, 1e-3);
        var rng = new FastRandom(5);
        const int N = 200_000;
        for (int i = 0; i < 3; i++)
        {
            int kept = 0;
            for (int k = 0; k < N; k++)
            {
                kept += s.Keep(i, ref rng) ? 1 : 0;
            }
            double p = s.KeepProbability[i];
            double sigma = Math.Sqrt(N * p * (1 - p));
            Assert.That(kept, Is.EqualTo(N * p).Within(5 * sigma + 1), $"word {i}, p = {p}");
        }
    }

    [Test]
    public void NegativeSamplingTableIsUnigramToThePowerThreeQuarters()
    {
        var sampler = new NegativeSampler(ZipfCounts);
        double z = ZipfCounts.Sum(c => Math.Pow(c, 0.75));
        for (int i = 0; i < ZipfCounts.Length; i++)
        {
            Assert.That(sampler.Probabilities[i], Is.EqualTo(Math.Pow(ZipfCounts[i], 0.75) / z).Within(1e-12));
        }
        // Draws: Pearson chi-square against the expected counts, 49 degrees of freedom.
        const int N = 1_000_000;
        var hist = new long[ZipfCounts.Length];
        var rng = new FastRandom(11);
        for (int k = 0; k < N; k++)
        {
            hist[sampler.Sample(ref rng)]++;
        }
        double chi2 = 0;
        for (int i = 0; i < hist.Length; i++)
        {
            double e = N * sampler.Probabilities[i];
            chi2 += (hist[i] - e) * (hist[i] - e) / e;
        }
        // 99.9th percentile of chi-square with 49 dof is 85.35.
        Assert.That(chi2, Is.LessThan(85.35));
        // The flattening is real: the most frequent word is drawn far less than its unigram share.
        double unigram0 = ZipfCounts[0] / (double)ZipfCounts.Sum();
        Assert.That(hist[0] / (double)N, Is.LessThan(unigram0 * 0.8));
    }

    [Test]
    public void PowerOneGivesTheUnigramDistribution()
    {
        var sampler = new NegativeSampler([3, 1, 0, 4], power: 1.0);
        Assert.That(sampler.Probabilities, Is.EqualTo(new[] { 3 / 8.0, 1 / 8.0, 0, 4 / 8.0 }).Within(1e-12));
        var rng = new FastRandom(3);
        for (int k = 0; k < 100_000; k++)
        {
            Assert.That(sampler.Sample(ref rng), Is.Not.EqualTo(2), "a word with count 0 must never be drawn");
        }
    }

    [Test]
    public void HuffmanCodesArePrefixFreeCompleteAndOptimal()
    {
        var tree = new HuffmanTree(ZipfCounts);
        var codes = tree.Codes.Select(c => string.Concat(c.Select(b => b.ToString()))).ToArray();
        for (int i = 0; i < codes.Length; i++)
        {
            for (int j = 0; j < codes.Length; j++)
            {
                if (i != j)
                {
                    Assert.That(codes[j].StartsWith(codes[i], StringComparison.Ordinal), Is.False, $"{codes[i]} is a prefix of {codes[j]}");
                }
            }
        }
        // Complete binary tree: Kraft sum is exactly 1.
        Assert.That(tree.Codes.Sum(c => Math.Pow(2, -c.Length)), Is.EqualTo(1.0).Within(1e-12));
        // Optimal: total weighted length equals the sum of all merge weights of a Huffman construction.
        var weights = new PriorityQueue<long, long>(ZipfCounts.Select(c => (c, c)));
        long cost = 0;
        while (weights.Count > 1)
        {
            long a = weights.Dequeue(), b = weights.Dequeue();
            cost += a + b;
            weights.Enqueue(a + b, a + b);
        }
        long weighted = ZipfCounts.Select((c, i) => c * tree.Codes[i].Length).Sum();
        Assert.That(weighted, Is.EqualTo(cost));
        // Paths start at the root (last inner node) and stay in range; frequent words have short codes.
        Assert.That(tree.Points.Select(p => p[0]), Is.All.EqualTo(ZipfCounts.Length - 2));
        Assert.That(tree.Points.SelectMany(p => p), Is.All.InRange(0, ZipfCounts.Length - 2));
        Assert.That(tree.Codes[0], Has.Length.LessThan(tree.Codes[^1].Length));
    }
}
