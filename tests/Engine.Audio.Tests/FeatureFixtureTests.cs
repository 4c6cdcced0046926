using System.Text.Json;
using Engine.Audio.Features;
using Engine.Audio.Io;

namespace Engine.Audio.Tests;

/// <summary>MFCCs, filterbank energies and spectrograms against torchaudio 0.13 (float64) references.</summary>
public class FeatureFixtureTests
{
    private const double MfccTolerance = 1e-3;

    private static AudioClip Load(JsonElement c) => WavReader.Read(Fixtures.Audio(c.GetProperty("file").GetString()!));

    /// <summary>Kaldi options from a fixture's option names (those of fixtures/generate.py).</summary>
    internal static KaldiOptions Kaldi(JsonElement options, int sampleRate)
    {
        var k = new KaldiOptions { SampleFrequency = sampleRate };
        foreach (var p in options.EnumerateObject())
        {
            var v = p.Value;
            k = p.Name switch
            {
                "use_energy" => k with { UseEnergy = v.GetBoolean() },
                "snip_edges" => k with { SnipEdges = v.GetBoolean() },
                "round_to_power_of_two" => k with { RoundToPowerOfTwo = v.GetBoolean() },
                "num_mel_bins" => k with { NumMelBins = v.GetInt32() },
                "num_ceps" => k with { NumCeps = v.GetInt32() },
                "window_type" => k with { WindowType = v.GetString() switch
                {
                    "hamming" => WindowKind.Hamming,
                    "hanning" => WindowKind.Hann,
                    "rectangular" => WindowKind.Rectangular,
                    _ => WindowKind.Povey,
                } },
                "remove_dc_offset" => k with { RemoveDcOffset = v.GetBoolean() },
                "preemphasis_coefficient" => k with { PreemphasisCoefficient = v.GetSingle() },
                "cepstral_lifter" => k with { CepstralLifter = v.GetDouble() },
                "low_freq" => k with { LowFreq = v.GetDouble() },
                "high_freq" => k with { HighFreq = v.GetDouble() },
                "raw_energy" => k with { RawEnergy = v.GetBoolean() },
                "energy_floor" => k with { EnergyFloor = v.GetSingle() },
                "frame_length" => k with { FrameLength = v.GetDouble() },
                "frame_shift" => k with { FrameShift = v.GetDouble() },
                _ => throw new InvalidOperationException($"fixture option {p.Name} not mapped"),
            };
        }
        return k;
    }

    private static void AssertMatches(float[,] actual, JsonElement c, double tolerance)
    {
        var shape = Fixtures.Shape(c);
        Assert.That(new[] { actual.GetLength(0), actual.GetLength(1) }, Is.EqualTo(shape), "shape (frames, values)");
        Assert.That(Fixtures.MaxAbsDiff(actual, Fixtures.Data(c)), Is.LessThanOrEqualTo(tolerance));
    }

    public static IEnumerable<TestCaseData> PresetCases() =>
        Fixtures.Named("mfcc", c => c.GetProperty("name").GetString()!.Split('_').Length >= 2 &&
            (c.GetProperty("preset").GetString() != "kaldi" || c.GetProperty("options").EnumerateObject().Any() == false));

    /// <summary>The three presets through the public MfccExtractor, straight from the WAV file.</summary>
    [TestCaseSource(nameof(PresetCases))]
    public void PresetMatchesReference(string name)
    {
        var c = Fixtures.Case(name);
        var o = c.GetProperty("options");
        var options = new MfccOptions
        {
            Preset = c.GetProperty("preset").GetString() switch
            {
                "kaldi" => MfccPreset.Kaldi,
                "librosa" => MfccPreset.Librosa,
                _ => MfccPreset.Torchaudio,
            },
            NMfcc = o.TryGetProperty("n_mfcc", out var nm) ? nm.GetInt32() : null,
            NFft = o.TryGetProperty("n_fft", out var nf) ? nf.GetInt32() : null,
            Hop = o.TryGetProperty("hop", out var h) ? h.GetInt32() : null,
            NMels = o.TryGetProperty("n_mels", out var nmel) ? nmel.GetInt32() : null,
        };
        var mfcc = new MfccExtractor(options).ComputeFile(Fixtures.Audio(c.GetProperty("file").GetString()!));
        AssertMatches(mfcc, c, MfccTolerance);
    }

    public static IEnumerable<TestCaseData> KaldiVariantCases() =>
        Fixtures.Named("mfcc", c => c.GetProperty("preset").GetString() == "kaldi" && c.GetProperty("options").EnumerateObject().Any());

    [TestCaseSource(nameof(KaldiVariantCases))]
    public void KaldiOptionsMatchReference(string name)
    {
        var c = Fixtures.Case(name);
        var clip = Load(c);
        var options = Kaldi(c.GetProperty("options"), clip.SampleRate).Mfcc();
        AssertMatches(new FeaturePipeline(options).Compute(clip.Samples), c, MfccTolerance);
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.Named), new object?[] { "kaldi_fbank", null })]
    public void KaldiFbankMatchesReference(string name)
    {
        var c = Fixtures.Case(name);
        var clip = Load(c);
        AssertMatches(new FeaturePipeline(Kaldi(c.GetProperty("options"), clip.SampleRate).Fbank()).Compute(clip.Samples), c, MfccTolerance);
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.Named), new object?[] { "kaldi_spectrogram", null })]
    public void KaldiSpectrogramMatchesReference(string name)
    {
        var c = Fixtures.Case(name);
        var clip = Load(c);
        AssertMatches(new FeaturePipeline(Kaldi(c.GetProperty("options"), clip.SampleRate).Spectrogram()).Compute(clip.Samples), c, MfccTolerance);
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.Named), new object?[] { "spectrogram", null })]
    public void SpectrogramMatchesTorchaudio(string name)
    {
        var c = Fixtures.Case(name);
        var clip = Load(c);
        var o = c.GetProperty("options");
        int nFft = o.GetProperty("n_fft").GetInt32();
        var options = new FeatureOptions
        {
            SampleRate = clip.SampleRate,
            FrameLength = nFft,
            Hop = o.GetProperty("hop").GetInt32(),
            PadMode = o.GetProperty("pad_mode").GetString() == "constant" ? PadMode.Constant : PadMode.Reflect,
            Magnitude = o.GetProperty("power").GetDouble() == 1.0,
        };
        var spec = new FeaturePipeline(options).Compute(clip.Samples);
        var expected = Fixtures.Data(c);
        double peak = expected.Max(Math.Abs);
        // Spectrum values span many decades: compare against the largest one (float32 FFT accuracy).
        AssertMatches(spec, c, 2e-6 * peak);
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.Named), new object?[] { "delta", null })]
    public void DeltasMatchTorchaudio(string name)
    {
        var c = Fixtures.Case(name);
        var source = Fixtures.Case(c.GetProperty("source").GetString()!);
        var shape = Fixtures.Shape(source);
        var data = Fixtures.Data(source);
        var mfcc = new float[shape[0], shape[1]];
        Buffer.BlockCopy(data, 0, mfcc, 0, data.Length * 4);
        var d = Deltas.Compute(mfcc);
        if (c.GetProperty("order").GetInt32() == 2)
        {
            d = Deltas.Compute(d);
        }
        AssertMatches(d, c, 1e-4);
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.Named), new object?[] { "melbank", null })]
    public void MelFilterbankMatchesTorchaudio(string name)
    {
        var c = Fixtures.Case(name);
        var fb = MelFilterbank.Create(c.GetProperty("n_freqs").GetInt32(), c.GetProperty("f_min").GetDouble(),
            c.GetProperty("f_max").GetDouble(), c.GetProperty("n_mels").GetInt32(), c.GetProperty("sample_rate").GetInt32(),
            c.GetProperty("scale").GetString() == "slaney" ? MelScale.Slaney : MelScale.Htk,
            c.GetProperty("norm").ValueKind == JsonValueKind.String);
        // torchaudio stores (n_freqs, n_mels); ours is (n_mels, n_freqs).
        var expected = Fixtures.Data(c);
        double err = 0, peak = expected.Max();
        for (int m = 0; m < fb.NMels; m++)
        {
            for (int k = 0; k < fb.NFreqs; k++)
            {
                err = Math.Max(err, Math.Abs(fb.Weights[m * fb.NFreqs + k] - expected[k * fb.NMels + m]));
            }
        }
        // torchaudio computes the bank in float32: corner frequencies near 8 kHz carry ~1e-3 Hz of rounding, which
        // moves weights by up to ~1e-5 on 100 Hz-wide triangles. Ours is computed in double.
        Assert.That(err, Is.LessThan(2e-5 * Math.Max(1.0, peak)));
    }

    [Test]
    public void KaldiMelBanksMatchTorchaudio()
    {
        var c = Fixtures.Case("kaldi_melbank_23_256_8000");
        var fb = MelFilterbank.Kaldi(23, 256, 8000, 20.0, 0.0);
        var expected = Fixtures.Data(c); // (23, 128): without the zero Nyquist column
        double err = 0;
        for (int m = 0; m < 23; m++)
        {
            for (int k = 0; k < 128; k++)
            {
                err = Math.Max(err, Math.Abs(fb.Weights[m * 129 + k] - expected[m * 128 + k]));
            }
            Assert.That(fb.Weights[m * 129 + 128], Is.Zero, "Nyquist bin");
        }
        // Same float32-reference caveat as above.
        Assert.That(err, Is.LessThan(2e-5));
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.Named), new object?[] { "window", null })]
    public void WindowsMatchTorch(string name)
    {
        var c = Fixtures.Case(name);
        var kind = c.GetProperty("window").GetString() switch
        {
            "hann" => WindowKind.Hann,
            "hamming" => WindowKind.Hamming,
            _ => WindowKind.Povey,
        };
        var w = Windows.Create(kind, c.GetProperty("n").GetInt32(), c.GetProperty("periodic").GetBoolean());
        var expected = Fixtures.Data(c);
        Assert.That(w, Is.EqualTo(expected).Within(1e-6));
    }
}
