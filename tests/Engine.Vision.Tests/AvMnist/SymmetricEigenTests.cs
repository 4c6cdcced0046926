using Engine.Vision.AvMnist;
using NUnit.Framework;

namespace Engine.Vision.Tests.AvMnist;

public class SymmetricEigenTests
{
    private static double[] RandomSymmetric(int n, int seed)
    {
        var rng = new Random(seed);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double v = (rng.NextDouble() * 2) - 1;
                a[(i * n) + j] = v;
                a[(j * n) + i] = v;
            }
        }

        return a;
    }

    private static void CheckDecomposition(double[] a, int n, double tol)
    {
        (double[] values, double[] vectors) = SymmetricEigen.Decompose(a, n);
        double scale = a.Max(Math.Abs) * n;
        for (int r = 0; r < n; r++)
        {
            if (r > 0)
            {
                Assert.That(values[r], Is.LessThanOrEqualTo(values[r - 1]), "sorted descending");
            }

            // Residual |A v - lambda v| and orthonormality of the rows.
            for (int i = 0; i < n; i++)
            {
                double av = 0;
                for (int j = 0; j < n; j++)
                {
                    av += a[(i * n) + j] * vectors[(r * n) + j];
                }

                Assert.That(av - (values[r] * vectors[(r * n) + i]), Is.EqualTo(0).Within(tol * scale), $"residual, vector {r}, row {i}");
            }

            for (int s = 0; s <= r; s++)
            {
                double dot = 0;
                for (int j = 0; j < n; j++)
                {
                    dot += vectors[(r * n) + j] * vectors[(s * n) + j];
                }

                Assert.That(dot, Is.EqualTo(r == s ? 1 : 0).Within(tol * n), $"<v{r}, v{s}>");
            }
        }

        double trace = 0;
        for (int i = 0; i < n; i++)
        {
            trace += a[(i * n) + i];
        }

        Assert.That(values.Sum(), Is.EqualTo(trace).Within(tol * scale));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(7)]
    [TestCase(40)]
    [TestCase(120)]
    public void RandomSymmetric_IsDecomposed(int n) => CheckDecomposition(RandomSymmetric(n, 100 + n), n, 1e-12);

    [Test]
    public void TwoByTwo_MatchesTheClosedForm()
    {
        // [[2, 1], [1, 2]] has eigenvalues 3 and 1 with vectors (1, 1)/sqrt2 and (1, -1)/sqrt2.
        (double[] values, double[] vectors) = SymmetricEigen.Decompose([2, 1, 1, 2], 2);
        Assert.That(values[0], Is.EqualTo(3).Within(1e-14));
        Assert.That(values[1], Is.EqualTo(1).Within(1e-14));
        Assert.That(Math.Abs(vectors[0]), Is.EqualTo(Math.Sqrt(0.5)).Within(1e-14));
        Assert.That(vectors[0] * vectors[1], Is.EqualTo(0.5).Within(1e-14));
        Assert.That(vectors[2] * vectors[3], Is.EqualTo(-0.5).Within(1e-14));
    }

    [Test]
    public void KnownSpectrum_WithRepeatsAndZeros_IsRecovered()
    {
        // A = U diag(lambda) U^T for a random orthogonal U (from decomposing a random matrix).
        const int n = 30;
        (_, double[] u) = SymmetricEigen.Decompose(RandomSymmetric(n, 9), n);
        double[] lambda = Enumerable.Range(0, n).Select(i => i < 10 ? 0.0 : i < 20 ? 2.5 : i - 15.0).ToArray();
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++)
                {
                    s += u[(k * n) + i] * lambda[k] * u[(k * n) + j];
                }

                a[(i * n) + j] = s;
            }
        }

        (double[] values, _) = SymmetricEigen.Decompose(a, n);
        double[] expected = lambda.OrderByDescending(v => v).ToArray();
        for (int i = 0; i < n; i++)
        {
            Assert.That(values[i], Is.EqualTo(expected[i]).Within(1e-12), $"eigenvalue {i}");
        }

        CheckDecomposition(a, n, 1e-12);
    }

    [Test]
    public void ZeroRowsAndColumns_AreHandled()
    {
        // Like MNIST's always-blank corner pixels: a covariance with zero rows.
        const int n = 12;
        double[] a = RandomSymmetric(n, 4);
        foreach (int z in new[] { 0, 5, 11 })
        {
            for (int k = 0; k < n; k++)
            {
                a[(z * n) + k] = 0;
                a[(k * n) + z] = 0;
            }
        }

        CheckDecomposition(a, n, 1e-12);
        Assert.That(SymmetricEigen.Decompose(new double[16], 4).Values, Is.All.EqualTo(0.0));
    }

    [Test]
    public void BadInput_Throws()
    {
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Decompose(new double[5], 2));
        var e = Assert.Throws<ArgumentException>(() => SymmetricEigen.Decompose([1, double.NaN, double.NaN, 1], 2));
        Assert.That(e!.Message, Does.Contain("(1, 0)").And.Contain("NaN"));
    }
}
