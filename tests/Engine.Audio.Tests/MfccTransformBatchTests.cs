using Engine.Audio.Differentiable;
using Engine.Audio.Features;
using Engine.Audio.Io;
using Engine.Autograd;

namespace Engine.Audio.Tests;

/// <summary>MfccTransform: batches, the torchaudio-style options, float64, autograd, caching under scopes, and bad input.</summary>
public class MfccTransformBatchTests
{
    private static readonly string[] Clips = { "fsdd_3_george_0.wav", "fsdd_7_jackson_1.wav", "fsdd_9_theo_2.wav" };

    private static float[] Flat(float[,] a)
    {
        var f = new float[a.Length];
        Buffer.BlockCopy(a, 0, f, 0, a.Length * 4);
        return f;
    }

    private static double RelToPeak(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        double err = 0, peak = 1e-30;
        for (int i = 0; i < expected.Length; i++)
        {
            err = Math.Max(err, Math.Abs((double)actual[i] - expected[i]));
            peak = Math.Max(peak, Math.Abs((double)expected[i]));
        }
        return err / peak;
    }

    /// <summary>
    /// Three clips of different lengths zero-padded to the longest and run as one batch: each row equals the
    /// padded clip alone (and the CPU pipeline on it), and the frames that do not reach the padding equal the
    /// unpadded clip's (top-dB is per waveform, and silence never raises the maximum).
    /// </summary>
    [TestCase(MfccPreset.Torchaudio)]
    [TestCase(MfccPreset.Librosa)]
    [TestCase(MfccPreset.Kaldi)]
    public void BatchRowsMatchEachClipAlone(MfccPreset preset)
    {
        var clips = Clips.Select(f => WavReader.Read(Fixtures.Audio(f))).ToArray();
        int rate = clips[0].SampleRate, t = clips.Max(c => c.Samples.Length);
        Assert.That(clips.All(c => c.SampleRate == rate), Is.True);
        var padded = clips.Select(c => { var p = new float[t]; c.Samples.CopyTo(p, 0); return p; }).ToArray();
        var options = new MfccOptions { Preset = preset }.ToFeatureOptions(rate);
        using var transform = new MfccTransform(options);
        var batch = transform.Forward(Tensor.Stack(padded.Select(p => Tensor.FromArray(p)).ToArray()));
        int frames = transform.FrameCount(t), n = transform.OutputSize;
        Assert.That(batch.Shape, Is.EqualTo(new[] { clips.Length, frames, n }));
        var all = batch.ToArray<float>();
        var pipeline = new FeaturePipeline(options);
        for (int i = 0; i < clips.Length; i++)
        {
            var row = all.AsSpan(i * frames * n, frames * n);
            var alone = transform.Forward(Tensor.FromArray(padded[i])).ToArray<float>();
            Assert.That(RelToPeak(row, alone), Is.LessThanOrEqualTo(1e-6), $"clip {i}: batch row vs the same padded clip alone");
            Assert.That(RelToPeak(row, Flat(pipeline.Compute(padded[i]))), Is.LessThanOrEqualTo(1e-5), $"clip {i}: batch row vs FeaturePipeline");

            // Frames whose samples (and reflections) all lie inside the original clip.
            int len = clips[i].Samples.Length;
            var own = Flat(pipeline.Compute(clips[i].Samples));
            int start = options.Framing == FramingMode.Center ? options.FftLength / 2 : 0;
            int inside = 0;
            while (inside < frames && (long)inside * options.Hop - start + options.FrameLength <= len - 1 && (inside + 1) * n <= own.Length)
            {
                inside++;
            }
            Assert.That(inside, Is.GreaterThan(5), "enough untouched frames to compare");
            Assert.That(RelToPeak(row[..(inside * n)], own.AsSpan(0, inside * n)), Is.LessThanOrEqualTo(1e-5),
                $"clip {i}: the first {inside} frames vs the unpadded clip");
        }
    }

    /// <summary>torchaudio.transforms.MFCC(8000, 13, melkwargs n_fft 400, hop 160, n_mels 40) against its fixture.</summary>
    [Test]
    public void TorchaudioFactoryMatchesFixture()
    {
        var c = Fixtures.Case("torchaudio_fsdd_7_jackson_1");
        var clip = WavReader.Read(Fixtures.Audio("fsdd_7_jackson_1.wav"));
        using var transform = MfccTransform.Torchaudio(clip.SampleRate, nMfcc: 13, nFft: 400, hopLength: 160, nMels: 40);
        var y = transform.Forward(Tensor.FromArray(clip.Samples));
        Assert.That(y.Shape, Is.EqualTo(Fixtures.Shape(c)));
        double err = y.ToArray<float>().Zip(Fixtures.Data(c), (a, e) => Math.Abs((double)a - e)).Max();
        Assert.That(err, Is.LessThanOrEqualTo(1e-3));
    }

    /// <summary>norm = null scales DCT row k by 2 / s_k (s_0 = sqrt(1/N), s_k = sqrt(2/N)) relative to 'ortho'.</summary>
    [Test]
    public void DctNormNoneIsScaledOrtho()
    {
        var clip = WavReader.Read(Fixtures.Audio("fsdd_3_george_0.wav"));
        var wave = Tensor.FromArray(clip.Samples);
        const int nMels = 40, nMfcc = 13;
        using var ortho = MfccTransform.Torchaudio(clip.SampleRate, nMfcc, nMels: nMels, hopLength: 160);
        using var none = MfccTransform.Torchaudio(clip.SampleRate, nMfcc, norm: null, nMels: nMels, hopLength: 160);
        var a = ortho.Forward(wave).ToArray<float>();
        var b = none.Forward(wave).ToArray<float>();
        var scaled = new float[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            int k = i % nMfcc;
            scaled[i] = (float)(a[i] * 2.0 / Math.Sqrt((k == 0 ? 1.0 : 2.0) / nMels));
        }
        Assert.That(RelToPeak(b, scaled), Is.LessThanOrEqualTo(1e-6));
    }

    /// <summary>log_mels: DCT of ln(mel + 1e-6), checked against the float64 differentiable mel spectrogram.</summary>
    [Test]
    public void LogMelsMatchesFloat64Reference()
    {
        var clip = WavReader.Read(Fixtures.Audio("fsdd_9_theo_2.wav"));
        using var transform = MfccTransform.Torchaudio(clip.SampleRate, 13, logMels: true, hopLength: 160, nMels: 40);
        var y = transform.Forward(Tensor.FromArray(clip.Samples)).ToArray<float>();
        var wave = Tensor.FromArray(clip.Samples.Select(v => (double)v).ToArray());
        var mel = AudioFunctional.MelSpectrogram(wave, clip.SampleRate, 400, 160, 40);      // (n_mels, frames)
        var dct = Tensor.FromArray(Dct.Matrix(13, 40), new[] { 13, 40 }).To(DType.Float64);
        var expected = dct.MatMul((mel + 1e-6).Log()).Transpose(0, 1).Contiguous().To(DType.Float32).ToArray<float>();
        Assert.That(RelToPeak(y, expected), Is.LessThanOrEqualTo(1e-5));
    }

    /// <summary>Float64 waveforms give float64 features, computed in float64 throughout.</summary>
    [Test]
    public void Float64InputStaysFloat64()
    {
        var clip = WavReader.Read(Fixtures.Audio("fsdd_7_jackson_1.wav"));
        var options = new MfccOptions().ToFeatureOptions(clip.SampleRate) with { DoublePrecision = true };
        using var transform = new MfccTransform(options);
        var y = transform.Forward(Tensor.FromArray(clip.Samples.Select(v => (double)v).ToArray()));
        Assert.That(y.DType, Is.EqualTo(DType.Float64));
        var cpu = Flat(new FeaturePipeline(options).Compute(clip.Samples));
        Assert.That(RelToPeak(y.To(DType.Float32).ToArray<float>(), cpu), Is.LessThanOrEqualTo(1e-6));
    }

    /// <summary>The composed ops carry gradients to the waveforms (float64 finite differences), Kaldi frame operations included.</summary>
    [Test]
    public void GradientsMatchFiniteDifferences([Values] bool kaldi)
    {
        var r = new Random(5);
        var x = Tensor.FromArray(Enumerable.Range(0, 2 * 64).Select(_ => r.NextDouble() * 2 - 1).ToArray(), new[] { 2, 64 }).RequiresGrad_();
        var options = kaldi
            ? new FeatureOptions { SampleRate = 8000, FrameLength = 15, NFft = 16, Hop = 8, Window = WindowKind.Povey, PeriodicWindow = false,
                Framing = FramingMode.SnipEdges, RemoveDcOffset = true, PreEmphasis = 0.97, NMels = 6, KaldiMelBanks = true, FMin = 20,
                Log = LogMode.KaldiLog, NMfcc = 4, Lifter = 22, UseEnergy = true, RawEnergy = false }
            : new MfccOptions { NFft = 16, Hop = 8, NMels = 6, NMfcc = 4 }.ToFeatureOptions(8000);
        using var transform = new MfccTransform(options);
        Assert.That(GradCheck.Check(i => transform.Forward(i[0]), new[] { x }), Is.True);
    }

    /// <summary>Constants are cached outside the caller's TensorScope, so a second call after the scope closed still works.</summary>
    [Test]
    public void CachedConstantsSurviveTensorScopes()
    {
        var clip = WavReader.Read(Fixtures.Audio("fsdd_7_jackson_1.wav"));
        using var transform = new MfccTransform(new MfccOptions(), clip.SampleRate);
        float[] first;
        using (TensorScope.Begin())
        {
            first = transform.Forward(Tensor.FromArray(clip.Samples)).ToArray<float>();
        }
        using (TensorScope.Begin())
        {
            Assert.That(transform.Forward(Tensor.FromArray(clip.Samples)).ToArray<float>(), Is.EqualTo(first));
        }
    }

    /// <summary>Snip-edges framing of a signal shorter than a frame gives zero frames, as the pipeline does.</summary>
    [Test]
    public void ShortSignalWithSnipEdgesGivesNoFrames()
    {
        using var transform = new MfccTransform(new MfccOptions { Preset = MfccPreset.Kaldi }, 16000);
        var y = transform.Forward(Tensor.Zeros(new[] { 2, 100 }));
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 0, 13 }));
    }

    public static IEnumerable<TestCaseData> BadOptions()
    {
        TestCaseData Case(string name, Func<MfccTransform> make) => new TestCaseData(make).SetName("BadOption_" + name);
        yield return Case("Dither", () => new MfccTransform(new FeatureOptions { Dither = 1f, NMels = 10 }));
        yield return Case("HugeFft", () => new MfccTransform(new FeatureOptions { FrameLength = 8192 }));
        yield return Case("ZeroHop", () => new MfccTransform(new FeatureOptions { Hop = 0 }));
        yield return Case("Resample", () => new MfccTransform(new MfccOptions { SampleRate = 16000 }, 8000));
        yield return Case("TooManyCoefficients", () => new MfccTransform(new MfccOptions { NMfcc = 50, NMels = 40 }, 16000));
        yield return Case("DctType3", () => MfccTransform.Torchaudio(dctType: 3));
        yield return Case("NormBad", () => MfccTransform.Torchaudio(norm: "backward"));
        yield return Case("WinLength", () => MfccTransform.Torchaudio(winLength: 300));
        yield return Case("Pad", () => MfccTransform.Torchaudio(pad: 4));
        yield return Case("Power", () => MfccTransform.Torchaudio(power: 0.5));
        yield return Case("Normalized", () => MfccTransform.Torchaudio(normalized: true));
        yield return Case("TwoSided", () => MfccTransform.Torchaudio(onesided: false));
        yield return Case("PadMode", () => MfccTransform.Torchaudio(padMode: "circular"));
        yield return Case("MelNorm", () => MfccTransform.Torchaudio(melNorm: "area"));
        yield return Case("MelScale", () => MfccTransform.Torchaudio(melScale: "bark"));
    }

    [TestCaseSource(nameof(BadOptions))]
    public void UnsupportedOptionsThrow(Func<MfccTransform> make)
    {
        var e = Assert.Throws(Is.InstanceOf<ArgumentException>(), () => make());
        Assert.That(e!.Message, Does.Contain("MfccTransform").Or.Contain("FeaturePipeline").Or.Contain("Dct"));
    }

    [Test]
    public void BadWaveformsThrow()
    {
        using var transform = new MfccTransform(new MfccOptions(), 16000);
        Assert.Throws<ArgumentException>(() => transform.Forward(Tensor.Zeros(new[] { 1, 2, 800 })), "3-D");
        Assert.Throws<ArgumentException>(() => transform.Forward(Tensor.Zeros(new[] { 800 }, DType.Int64)), "integer");
        var e = Assert.Throws<ArgumentException>(() => transform.Forward(Tensor.Zeros(new[] { 2, 150 })), "shorter than the reflect padding");
        Assert.That(e!.Message, Does.Contain("reflect padding of 200 samples"));
        transform.Dispose();
        Assert.Throws<ObjectDisposedException>(() => transform.Forward(Tensor.Zeros(new[] { 800 })));
    }
}
