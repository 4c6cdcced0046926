using Engine.Vision.AvMnist;
using Engine.Vision.Mnist;
using NUnit.Framework;

namespace Engine.Vision.Tests.AvMnist;

public class PcaTests
{
    // Rows = mean + sum_k z_k * sigma_k * u_k with orthonormal u_k and falling sigma_k, plus a little isotropic noise.
    private static float[] LowRankData(int samples, int features, double[] sigma, double noise, int seed)
    {
        var rng = new Random(seed);
        (_, double[] basis) = SymmetricEigen.Decompose(RandomSymmetric(features, seed + 1), features);
        var data = new float[samples * features];
        for (int s = 0; s < samples; s++)
        {
            for (int f = 0; f < features; f++)
            {
                double v = 0.5 + (0.1 * f) + (noise * Gaussian(rng));
                data[(s * features) + f] = (float)v;
            }

            for (int k = 0; k < sigma.Length; k++)
            {
                double z = Gaussian(rng) * sigma[k];
                for (int f = 0; f < features; f++)
                {
                    data[(s * features) + f] += (float)(z * basis[(k * features) + f]);
                }
            }
        }

        return data;
    }

    private static double[] RandomSymmetric(int n, int seed)
    {
        var rng = new Random(seed);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                a[(i * n) + j] = a[(j * n) + i] = rng.NextDouble() - 0.5;
            }
        }

        return a;
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static double MeanSquaredError(float[] a, float[] b, int samples)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            sum += d * d;
        }

        return sum / samples;
    }

    [Test]
    public void ComponentsAreOrthonormal_AndVarianceIsSortedAndMatchesProjections()
    {
        const int n = 500, f = 12;
        float[] x = LowRankData(n, f, [3, 2, 1.5, 0.7], 0.05, 1);
        Pca pca = Pca.Fit(x, n, f);
        for (int i = 0; i < f; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double dot = 0;
                for (int k = 0; k < f; k++)
                {
                    dot += pca.Components[(i * f) + k] * pca.Components[(j * f) + k];
                }

                Assert.That(dot, Is.EqualTo(i == j ? 1 : 0).Within(1e-10), $"<c{i}, c{j}>");
            }

            if (i > 0)
            {
                Assert.That(pca.ExplainedVariance[i], Is.LessThanOrEqualTo(pca.ExplainedVariance[i - 1]));
            }
        }

        // The variance of the projections onto component c is ExplainedVariance[c] (unbiased, n - 1).
        float[] z = pca.Transform(x, n, f);
        for (int c = 0; c < f; c++)
        {
            double mean = 0, sq = 0;
            for (int s = 0; s < n; s++)
            {
                mean += z[(s * f) + c];
            }

            mean /= n;
            for (int s = 0; s < n; s++)
            {
                double d = z[(s * f) + c] - mean;
                sq += d * d;
            }

            Assert.That(sq / (n - 1), Is.EqualTo(pca.ExplainedVariance[c]).Within(1e-4 * (pca.ExplainedVariance[0] + 1)), $"component {c}");
        }

        // The generating scales come back as the leading variances (sampling error of a few percent).
        Assert.That(Math.Sqrt(pca.ExplainedVariance[0]), Is.EqualTo(3).Within(0.3));
        Assert.That(Math.Sqrt(pca.ExplainedVariance[3]), Is.EqualTo(0.7).Within(0.1));
        Assert.That(Math.Sqrt(pca.ExplainedVariance[4]), Is.LessThan(0.1));
    }

    [Test]
    public void ReconstructionError_FallsWithMoreComponents_AndEqualsTheDiscardedVariance()
    {
        const int n = 400, f = 10;
        float[] x = LowRankData(n, f, [4, 3, 2, 1, 0.5, 0.25], 0.02, 2);
        Pca pca = Pca.Fit(x, n, f);
        double previous = double.MaxValue;
        for (int k = 1; k <= f; k++)
        {
            double mse = MeanSquaredError(x, pca.Reconstruct(x, n, k), n);
            Assert.That(mse, Is.LessThan(previous), $"k={k}");
            previous = mse;
            // Per-row squared error on the training rows = (n - 1) / n times the discarded variance.
            double discarded = pca.ExplainedVariance.Skip(k).Sum() * (n - 1) / n;
            Assert.That(mse, Is.EqualTo(discarded).Within((1e-4 * discarded) + 1e-9), $"k={k}");
        }

        Assert.That(previous, Is.LessThan(1e-9), "all components rebuild the data (float rounding only)");
    }

    [Test]
    public void ComponentsForEnergy_CountsTheLeadingShare()
    {
        const int n = 300, f = 6;
        // Variances roughly 16, 9, 4, 1 and tiny noise: ratios about 0.53, 0.30, 0.13, 0.03.
        float[] x = LowRankData(n, f, [4, 3, 2, 1], 0.01, 3);
        Pca pca = Pca.Fit(x, n, f);
        double[] r = pca.ExplainedVarianceRatio();
        Assert.That(r.Sum(), Is.EqualTo(1).Within(1e-12));
        Assert.That(pca.ComponentsForEnergy(r[0] - 1e-6), Is.EqualTo(1), "at least one");
        Assert.That(pca.ComponentsForEnergy(r[0] + r[1] + 1e-9), Is.EqualTo(2));
        Assert.That(pca.ComponentsForEnergy(r[0] + r[1] - 1e-9), Is.EqualTo(1));
        Assert.That(pca.ComponentsForEnergy(1.0), Is.EqualTo(f));
        Assert.Throws<ArgumentOutOfRangeException>(() => pca.ComponentsForEnergy(0));
    }

    [Test]
    public void Fit_IsDeterministic_AndSignsAreFixed()
    {
        const int n = 200, f = 5;
        float[] x = LowRankData(n, f, [2, 1], 0.1, 4);
        Pca a = Pca.Fit(x, n, f), b = Pca.Fit(x, n, f);
        Assert.That(a.Components, Is.EqualTo(b.Components));
        for (int c = 0; c < f; c++)
        {
            double max = a.Components.Skip(c * f).Take(f).MaxBy(Math.Abs);
            Assert.That(max, Is.GreaterThan(0), $"component {c}");
        }
    }

    [Test]
    public void BadInput_Throws()
    {
        Assert.Throws<ArgumentException>(() => Pca.Fit(new float[3], 1, 3));
        var e = Assert.Throws<ArgumentException>(() => Pca.Fit([0f, 1f, float.NaN, 2f], 2, 2));
        Assert.That(e!.Message, Does.Contain("sample 1, feature 0"));
        Pca pca = Pca.Fit([0f, 1f, 2f, 2f, 1f, 0f], 3, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => pca.Reconstruct(new float[4], 2, 3));
        Assert.Throws<ArgumentException>(() => pca.Reconstruct(new float[5], 2, 1));
    }

    [Test]
    public void Mnist_QuarterEnergyKeepsFewComponents_AndDegradesTheImages()
    {
        const string dir = "/work/shared/data/mnist";
        if (!Directory.Exists(dir))
        {
            Assert.Ignore($"MNIST data not found at {dir}");
        }

        MnistImages train = MnistReader.ReadImages(Path.Combine(dir, "train10k-images-idx3-ubyte.gz"));
        MnistImages test = MnistReader.ReadImages(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"));
        (float[] trainOut, float[] testOut, Pca pca, int k) = AvMnistImages.DegradeToEnergy(train, test);
        TestContext.Out.WriteLine($"25% energy -> {k} components; 196 components hold {pca.ExplainedVarianceRatio().Take(196).Sum():P2}");
        Assert.That(k, Is.InRange(2, 10), "a quarter of MNIST's variance sits in its first few components");
        Assert.That(pca.ExplainedVarianceRatio().Take(k).Sum(), Is.LessThanOrEqualTo(0.25));
        Assert.That(pca.ExplainedVarianceRatio().Take(k + 1).Sum(), Is.GreaterThan(0.25));
        Assert.That(trainOut, Has.Length.EqualTo(10000 * 784));
        Assert.That(testOut, Has.Length.EqualTo(10000 * 784));

        float[] testRaw = test.ToFloatMatrix();
        double errK = MeanSquaredError(testRaw, testOut, test.Count);
        double err196 = MeanSquaredError(testRaw, pca.Reconstruct(testRaw, test.Count, 196), test.Count);
        Assert.That(err196, Is.LessThan(errK / 5), "196 components rebuild test digits far better");
    }
}
