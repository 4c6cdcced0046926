using Engine.Audio.Differentiable;
using Engine.Audio.Features;
using Engine.Audio.Io;
using Engine.Autograd;

namespace Engine.Audio.Tests;

public class DifferentiableTests
{
    private static Tensor RandomWave(int batch, int t, int seed)
    {
        var r = new Random(seed);
        var data = Enumerable.Range(0, Math.Max(batch, 1) * t).Select(_ => r.NextDouble() * 2 - 1).ToArray();
        return Tensor.FromArray(data, batch == 0 ? new[] { t } : new[] { batch, t }).RequiresGrad_();
    }

    [TestCase(PadMode.Reflect, 2.0)]
    [TestCase(PadMode.Constant, 2.0)]
    [TestCase(PadMode.Reflect, 1.0)]
    public void SpectrogramGradCheck(PadMode pad, double power)
    {
        var x = RandomWave(2, 40, 1);
        Assert.That(GradCheck.Check(i => AudioFunctional.Spectrogram(i[0], nFft: 16, hop: 6, padMode: pad, power: power), new[] { x }), Is.True);
    }

    [Test]
    public void MelSpectrogramGradCheck()
    {
        var x = RandomWave(0, 48, 2);
        Assert.That(GradCheck.Check(i => AudioFunctional.MelSpectrogram(i[0], 8000, nFft: 16, hop: 8, nMels: 5, scale: MelScale.Slaney, slaneyNorm: true),
            new[] { x }), Is.True);
    }

    [Test]
    public void MfccGradCheck([Values(MfccPreset.Torchaudio, MfccPreset.Librosa)] MfccPreset preset)
    {
        var x = RandomWave(2, 64, 3);
        var options = new MfccOptions { Preset = preset, NFft = 16, Hop = 8, NMels = 6, NMfcc = 4 };
        Assert.That(GradCheck.Check(i => AudioFunctional.Mfcc(i[0], 8000, options), new[] { x }), Is.True);
    }

    [Test]
    public void TopDbClampPassesNoGradientToClampedCells()
    {
        // A loud first half and near-silence after: the quiet cells sit at (max - 80 dB) and get no gradient.
        var data = Enumerable.Range(0, 256).Select(i => i < 128 ? Math.Sin(i * 0.3) : 1e-9 * Math.Sin(i * 0.7)).ToArray();
        var x = Tensor.FromArray(data).RequiresGrad_();
        var mel = AudioFunctional.MelSpectrogram(x, 8000, nFft: 32, hop: 16, nMels: 6);
        var db = AudioFunctional.AmplitudeToDb(mel);
        var values = db.Detach().ToArray<double>();
        double max = values.Max();
        Assert.That(values.Min(), Is.EqualTo(max - 80).Within(1e-9), "clamped cells exist");
        db.Sum().Backward();
        var g = x.Grad!.ToArray<double>();
        Assert.That(g.Take(100).Any(v => v != 0), Is.True);
    }

    /// <summary>The tensor MFCC equals the fixture (torchaudio float64) and the array pipeline, alone and in a batch.</summary>
    [TestCase("torchaudio_fsdd_7_jackson_1", MfccPreset.Torchaudio)]
    [TestCase("librosa_sweep_s24", MfccPreset.Librosa)]
    public void TensorMfccMatchesReference(string name, MfccPreset preset)
    {
        var c = Fixtures.Case(name);
        var clip = WavReader.Read(Fixtures.Audio(c.GetProperty("file").GetString()!));
        var options = new MfccOptions { Preset = preset };
        var wave = Tensor.FromArray(clip.Samples);
        var mfcc = AudioFunctional.Mfcc(wave, clip.SampleRate, options); // (n_mfcc, frames)
        var shape = Fixtures.Shape(c);
        Assert.That(mfcc.Shape, Is.EqualTo(new[] { shape[1], shape[0] }));
        var expected = Fixtures.Data(c);
        var actual = mfcc.Transpose(0, 1).Contiguous().ToArray<float>();
        double err = actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max();
        Assert.That(err, Is.LessThan(1e-3));

        var batch = Tensor.Stack(new[] { wave, wave * 0.5 });
        var both = AudioFunctional.Mfcc(batch, clip.SampleRate, options);
        Assert.That(both.Shape, Is.EqualTo(new[] { 2, shape[1], shape[0] }));
        var first = both.Select(0, 0).Transpose(0, 1).Contiguous().ToArray<float>();
        Assert.That(first, Is.EqualTo(actual).Within(1e-4));
    }
}
