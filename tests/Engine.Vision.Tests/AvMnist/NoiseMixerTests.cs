using Engine.Vision.AvMnist;
using NUnit.Framework;

namespace Engine.Vision.Tests.AvMnist;

public class NoiseMixerTests
{
    private static float[] Sine(int n, double freq, double amp) =>
        Enumerable.Range(0, n).Select(i => (float)(amp * Math.Sin(2 * Math.PI * freq * i / 8000))).ToArray();

    private static float[] Noise(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray();
    }

    [TestCase(20.0)]
    [TestCase(6.0)]
    [TestCase(0.0)]
    [TestCase(-5.0)]
    public void MixedSignal_HasTheRequestedSnr(double snr)
    {
        float[] clean = Sine(3000, 440, 0.05);
        float[] noisy = NoiseMixer.MixAtSnr(clean, Noise(10000, 1), snr, 1234);
        Assert.That(NoiseMixer.SnrDb(clean, noisy), Is.EqualTo(snr).Within(1e-3));
    }

    [Test]
    public void NoiseSegment_StartsAtTheOffset_AndWraps()
    {
        float[] clean = [1f, 1f, 1f, 1f];
        float[] noise = [10f, 20f, 30f];
        // P(signal) = 1, P(segment 30,10,20,30) = 2500/4*... the shape is what matters: differences are proportional to the segment.
        float[] mixed = NoiseMixer.MixAtSnr(clean, noise, 0, 2);
        float[] added = mixed.Select(v => v - 1f).ToArray();
        Assert.That(added[1] / added[0], Is.EqualTo(10f / 30f).Within(1e-6));
        Assert.That(added[2] / added[0], Is.EqualTo(20f / 30f).Within(1e-6));
        Assert.That(added[3] / added[0], Is.EqualTo(1f).Within(1e-6));
    }

    [Test]
    public void RandomOffset_IsReproducibleWithTheSameSeed()
    {
        float[] clean = Sine(800, 300, 0.2);
        float[] noise = Noise(5000, 2);
        float[] a = NoiseMixer.MixAtSnr(clean, noise, 3, new Random(9));
        float[] b = NoiseMixer.MixAtSnr(clean, noise, 3, new Random(9));
        float[] c = NoiseMixer.MixAtSnr(clean, noise, 3, new Random(10));
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
    }

    [Test]
    public void SilentInputs_AndBadArguments_Throw()
    {
        float[] clean = Sine(100, 300, 0.2);
        var e = Assert.Throws<ArgumentException>(() => NoiseMixer.MixAtSnr(new float[100], Noise(200, 1), 0, 0));
        Assert.That(e!.Message, Does.Contain("signal has power 0"));
        e = Assert.Throws<ArgumentException>(() => NoiseMixer.MixAtSnr(clean, new float[300], 0, 5));
        Assert.That(e!.Message, Does.Contain("offset 5"));
        Assert.Throws<ArgumentOutOfRangeException>(() => NoiseMixer.MixAtSnr(clean, Noise(50, 1), 0, 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => NoiseMixer.MixAtSnr(clean, Noise(50, 1), double.NaN, 0));
        Assert.Throws<ArgumentException>(() => NoiseMixer.MixAtSnr([], Noise(50, 1), 0, 0));
    }
}
