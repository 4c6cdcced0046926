using Engine.Audio.Differentiable;
using Engine.Audio.Features;

namespace Engine.Gpu.Tests;

public abstract partial class DeviceParityTests
{
    /// <summary>Two deterministic speech-like waveforms (harmonics plus noise, the second quieter), (2, samples) at 16 kHz.</summary>
    private static Tensor SpeechLike(int samples)
    {
        var r = new Random(7);
        var data = new float[2 * samples];
        for (int b = 0; b < 2; b++)
        {
            double f0 = b == 0 ? 180 : 110, gain = b == 0 ? 0.5 : 0.05;
            for (int i = 0; i < samples; i++)
            {
                double t = i / 16000.0;
                data[b * samples + i] = (float)(gain * (Math.Sin(2 * Math.PI * f0 * t) + 0.5 * Math.Sin(2 * Math.PI * 4 * f0 * t)
                    + 0.2 * Math.Sin(2 * Math.PI * 2500 * t)) + 0.01 * (r.NextDouble() * 2 - 1));
            }
        }
        return Tensor.FromArray(data, new[] { 2, samples });
    }

    /// <summary>
    /// MfccTransform on the device against the same transform on the CPU, for 0.25 s of audio (0.15 s for Kaldi), batch 2. Features
    /// cross zero (cepstra, dB), so each value is compared against 1e-5 of its waveform's largest |value|.
    /// </summary>
    private void MfccParity(FeatureOptions options, string what, int samples = 4000)
    {
        var x = SpeechLike(samples);
        using var transform = new MfccTransform(options);
        var expected = transform.Forward(x);
        var peak = expected.Abs().Amax(new[] { 1, 2 }, keepDim: true).Expand(expected.Shape).Contiguous();
        var actual = transform.Forward(x.To(Device));
        Assert.That(actual.Device, Is.EqualTo(Device), "the result should live on the device under test");
        var a = actual.ToDoubleArray();
        var e = expected.ToDoubleArray();
        var p = peak.ToDoubleArray();
        double worst = 0;
        for (int i = 0; i < e.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(a[i] - e[i]) / p[i]);
        }
        TestContext.Progress.WriteLine($"{what} on {Device}: max |device - cpu| / waveform peak = {worst:E2}");
        AssertClose(actual, expected, peak, what);
    }

    [Test]
    public void MfccTorchaudioPresetMatchesCpu() =>
        MfccParity(new MfccOptions { Preset = MfccPreset.Torchaudio }.ToFeatureOptions(16000), "mfcc torchaudio preset");

    /// <summary>Kaldi: snip edges, DC removal and pre-emphasis folded into the basis, float64 work, log energy in c0.</summary>
    [Test]
    public void MfccKaldiPresetWithEnergyMatchesCpu() =>
        MfccParity(new KaldiOptions { UseEnergy = true }.Mfcc(), "mfcc kaldi preset with energy", samples: 2400); // 0.15 s: float64 GEMMs are slow on ILGPU's CPU accelerator

    /// <summary>A magnitude spectrogram in dB with constant padding and Slaney mels (librosa-style mel stage, no DCT).</summary>
    [Test]
    public void MelDecibelsConstantPaddingMatchesCpu() =>
        MfccParity(new FeatureOptions
        {
            SampleRate = 16000, FrameLength = 256, Hop = 128, PadMode = PadMode.Constant, Magnitude = true,
            NMels = 32, MelScale = MelScale.Slaney, SlaneyNorm = true, Log = LogMode.Decibel, TopDb = 80f,
        }, "mel dB, constant padding");
}
