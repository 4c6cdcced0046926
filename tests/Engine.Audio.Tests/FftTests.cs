using Engine.Audio.Fft;

namespace Engine.Audio.Tests;

public class FftTests
{
    private static readonly int[] Lengths =
        [.. Enumerable.Range(1, 70), 81, 97, 100, 121, 125, 128, 169, 191, 200, 243, 256, 343, 375, 400, 509, 512, 1000, 1024, 1331, 2048, 4096];

    /// <summary>Direct DFT in double.</summary>
    private static (double[] Re, double[] Im) Dft(float[] re, float[] im)
    {
        int n = re.Length;
        var outRe = new double[n];
        var outIm = new double[n];
        for (int k = 0; k < n; k++)
        {
            double sr = 0, si = 0;
            for (int j = 0; j < n; j++)
            {
                double a = -2.0 * Math.PI * ((long)j * k % n) / n;
                double c = Math.Cos(a), s = Math.Sin(a);
                sr += re[j] * c - im[j] * s;
                si += re[j] * s + im[j] * c;
            }
            outRe[k] = sr;
            outIm[k] = si;
        }
        return (outRe, outIm);
    }

    private static float[] Random(int n, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
    }

    // float32 FFT error grows like eps * log n * ||x||; ||x|| ~ sqrt(n/3) for uniform [-1, 1] input.
    private static double Tolerance(int n) => 4e-7 * (Math.Log2(n) + 2) * Math.Sqrt(n);

    [Test]
    public void ComplexFftMatchesDirectDft([ValueSource(nameof(Lengths))] int n)
    {
        var re = Random(n, n);
        var im = Random(n, n + 1000);
        var (eRe, eIm) = Dft(re, im);
        Fft.Fft.Forward(re, im);
        double err = 0;
        for (int k = 0; k < n; k++)
        {
            err = Math.Max(err, Math.Max(Math.Abs(re[k] - eRe[k]), Math.Abs(im[k] - eIm[k])));
        }
        Assert.That(err, Is.LessThan(Tolerance(n)), $"n={n}, bluestein={Fft.Fft.ComplexPlan(n).UsesBluestein}");
    }

    [Test]
    public void RealFftMatchesDirectDft([ValueSource(nameof(Lengths))] int n)
    {
        var x = Random(n, 7 * n);
        var (eRe, eIm) = Dft(x, new float[n]);
        int bins = n / 2 + 1;
        var re = new float[bins];
        var im = new float[bins];
        Fft.Fft.Rfft(x, re, im);
        for (int k = 0; k < bins; k++)
        {
            Assert.That(Math.Abs(re[k] - eRe[k]), Is.LessThan(Tolerance(n)), $"n={n} bin {k} re");
            Assert.That(Math.Abs(im[k] - eIm[k]), Is.LessThan(Tolerance(n)), $"n={n} bin {k} im");
        }
    }

    [TestCase(400, 37)]
    [TestCase(512, 16)]
    [TestCase(97, 9)]
    [TestCase(375, 1)]
    [TestCase(6, 33)]
    public void BatchedRealFftMatchesSingle(int n, int count)
    {
        var frames = Random(n * count, n + count);
        int bins = n / 2 + 1;
        var re = new float[bins * count];
        var im = new float[bins * count];
        Fft.Fft.RfftBatch(frames, count, n, re, im);
        var r1 = new float[bins];
        var i1 = new float[bins];
        for (int f = 0; f < count; f++)
        {
            Fft.Fft.Rfft(frames.AsSpan(f * n, n), r1, i1);
            for (int k = 0; k < bins; k++)
            {
                Assert.That(re[f * bins + k], Is.EqualTo(r1[k]).Within(Tolerance(n)), $"frame {f} bin {k}");
                Assert.That(im[f * bins + k], Is.EqualTo(i1[k]).Within(Tolerance(n)), $"frame {f} bin {k}");
            }
        }
    }

    [Test]
    public void PlansPickBluesteinOnlyForLargePrimeFactors()
    {
        Assert.Multiple(() =>
        {
            Assert.That(new FftPlan(200).UsesBluestein, Is.False);
            Assert.That(new FftPlan(13 * 11 * 7).UsesBluestein, Is.False);
            Assert.That(new FftPlan(17).UsesBluestein, Is.True);
            Assert.That(new FftPlan(2 * 509).UsesBluestein, Is.True);
        });
    }

    [Test]
    public void BadArgumentsThrowNamingTheOp()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new FftPlan(0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("FftPlan"));
            Assert.That(() => Fft.Fft.Forward(new float[4], new float[3]), Throws.ArgumentException.With.Message.Contains("Fft.Forward"));
            Assert.That(() => Fft.Fft.Rfft(new float[8], new float[4], new float[5]), Throws.ArgumentException.With.Message.Contains("Fft.Rfft"));
        });
    }
}
