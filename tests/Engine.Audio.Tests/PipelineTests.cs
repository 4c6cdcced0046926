using Engine.Audio.Dsp;
using Engine.Audio.Features;
using Engine.Audio.Io;

namespace Engine.Audio.Tests;

public class PipelineTests
{
    private static float[] Speech() => WavReader.Read(Fixtures.Audio("fsdd_7_jackson_1.wav")).Samples;

    /// <summary>Scalar, 8-lane and 16-lane runs agree (every frame count mod the lane width, so dead lanes are exercised).</summary>
    [Test]
    public void LaneWidthsAgree([Values(MfccPreset.Torchaudio, MfccPreset.Librosa, MfccPreset.Kaldi)] MfccPreset preset)
    {
        var x = Speech();
        var pipeline = new MfccExtractor(new MfccOptions { Preset = preset }).PipelineFor(8000);
        foreach (int length in new[] { 1200, 1360, 1520, 2000, x.Length })
        {
            var part = x[..length];
            var scalar = pipeline.ComputeWithLanes(part, 1);
            foreach (int width in new[] { 8, 16, 4 })
            {
                var lanes = pipeline.ComputeWithLanes(part, width);
                double err = 0;
                for (int i = 0; i < scalar.GetLength(0); i++)
                {
                    for (int j = 0; j < scalar.GetLength(1); j++)
                    {
                        err = Math.Max(err, Math.Abs(scalar[i, j] - lanes[i, j]));
                    }
                }
                Assert.That(err, Is.LessThan(2e-3), $"length {length}, width {width}");
            }
        }
    }

    [Test]
    public void DitherIsSeededAndSmall()
    {
        var x = Speech();
        var plain = new KaldiOptions { SampleFrequency = 8000 };
        var a = new FeaturePipeline(plain.Mfcc() with { Dither = 1f, DitherSeed = 5 }).Compute(x);
        var b = new FeaturePipeline(plain.Mfcc() with { Dither = 1f, DitherSeed = 5 }).Compute(x);
        var c = new FeaturePipeline(plain.Mfcc() with { Dither = 1f, DitherSeed = 6 }).Compute(x);
        var none = new FeaturePipeline(plain.Mfcc()).Compute(x);
        Assert.That(a, Is.EqualTo(b), "same seed, same output");
        Assert.That(a, Is.Not.EqualTo(c), "another seed, other noise");
        // Dither of 1 int16 step barely moves c0 of loud speech frames.
        Assert.That(Math.Abs(a[10, 0] - none[10, 0]), Is.LessThan(0.05).And.GreaterThan(0));
    }

    [Test]
    public void ShortSignalsGiveNoFramesOrAClearError()
    {
        var kaldi = new FeaturePipeline(new KaldiOptions().Mfcc());
        Assert.That(kaldi.Compute(new float[100]).GetLength(0), Is.Zero);
        var torch = new FeaturePipeline(new MfccOptions().ToFeatureOptions(16000));
        Assert.That(() => torch.Compute(new float[100]), Throws.ArgumentException.With.Message.Contains("reflect padding"));
    }

    [Test]
    public void BadOptionsNameTheProblem()
    {
        Assert.That(() => new FeaturePipeline(new FeatureOptions { FrameLength = 400, NFft = 256 }),
            Throws.ArgumentException.With.Message.Contains("n_fft 256"));
        Assert.That(() => new FeaturePipeline(new FeatureOptions { NMfcc = 13 }),
            Throws.ArgumentException.With.Message.Contains("NMels"));
        Assert.That(() => new MfccOptions { NMfcc = 50 }.ToFeatureOptions(16000) is var o ? new FeaturePipeline(o) : null,
            Throws.ArgumentException.With.Message.Contains("n_mfcc=50"));
    }

    [Test]
    public void DeltasOfALinearRampAreItsSlope()
    {
        var f = new float[20, 2];
        for (int i = 0; i < 20; i++)
        {
            f[i, 0] = 3f * i;
            f[i, 1] = 7f;
        }
        var d = Deltas.Compute(f);
        Assert.That(d[10, 0], Is.EqualTo(3f).Within(1e-5));
        Assert.That(d[10, 1], Is.Zero);
        var stacked = Deltas.Stack(f);
        Assert.That(stacked.GetLength(1), Is.EqualTo(6));
        Assert.That(stacked[10, 4], Is.Zero.Within(1e-5), "second derivative of a ramp");
    }

    [Test]
    public void CmvnGivesZeroMeanUnitVariance()
    {
        var r = new Random(1);
        var f = new float[50, 3];
        for (int i = 0; i < 50; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                f[i, j] = (float)(r.NextDouble() * 10 + j * 100);
            }
        }
        Deltas.Cmvn(f);
        for (int j = 0; j < 3; j++)
        {
            double mean = 0, sq = 0;
            for (int i = 0; i < 50; i++)
            {
                mean += f[i, j];
                sq += f[i, j] * f[i, j];
            }
            Assert.That(mean / 50, Is.EqualTo(0).Within(1e-5));
            Assert.That(sq / 50, Is.EqualTo(1).Within(1e-4));
        }
    }

    private static float[] Sine(double hz, int rate, int n) =>
        Enumerable.Range(0, n).Select(i => (float)Math.Sin(2 * Math.PI * hz * i / rate)).ToArray();

    [TestCase(16000, 8000, 440.0)]
    [TestCase(8000, 16000, 440.0)]
    [TestCase(44100, 16000, 1000.0)]
    [TestCase(22050, 16000, 3000.0)]
    public void ResamplingKeepsATone(int from, int to, double hz)
    {
        var x = Sine(hz, from, from / 2);
        var y = Resampler.Resample(x, from, to);
        var expected = Sine(hz, to, y.Length);
        Assert.That(y, Has.Length.EqualTo((int)Math.Ceiling(x.Length * (double)to / from)));
        double err = 0;
        // Away from the edges, where the filter runs off the signal.
        for (int i = y.Length / 8; i < y.Length * 7 / 8; i++)
        {
            err = Math.Max(err, Math.Abs(y[i] - expected[i]));
        }
        Assert.That(err, Is.LessThan(2e-3));
    }

    [Test]
    public void DownsamplingRemovesToneAboveNewNyquist()
    {
        var x = Sine(6000, 16000, 8000);
        var y = Resampler.Resample(x, 16000, 8000);
        double rms = Math.Sqrt(y.Skip(500).Take(3000).Sum(v => (double)v * v) / 3000);
        Assert.That(rms, Is.LessThan(1e-3), "a 6 kHz tone must not alias into 8 kHz audio");
    }

    [Test]
    public void NormalisationHitsTargets()
    {
        var x = Sine(100, 8000, 800).Select(v => v * 0.3f).ToArray();
        Normalize.Peak(x, 0.9f);
        Assert.That(x.Max(Math.Abs), Is.EqualTo(0.9f).Within(1e-6));
        Normalize.Rms(x, 0.1f);
        Assert.That(Math.Sqrt(x.Sum(v => (double)v * v) / x.Length), Is.EqualTo(0.1).Within(1e-6));
        var silent = new float[10];
        Assert.That(Normalize.Peak(silent), Is.EqualTo(1f));
        Assert.That(silent, Is.All.Zero);
    }
}
