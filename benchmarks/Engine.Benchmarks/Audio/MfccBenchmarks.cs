using BenchmarkDotNet.Attributes;
using Engine.Audio.Features;
using NWaves.Windows;

namespace Engine.Benchmarks.Audio;

/// <summary>
/// MFCC of 1 s of 16 kHz audio (n_fft 400, hop 160, 40 mels, 13 coefficients) on one core: Engine's
/// torchaudio preset against NWaves 0.9.6 configured the same way (Hann window, 400-sample frames, 160-sample hop,
/// 40 filters, 13 coefficients). torchaudio's time comes from benchmarks/peers/torchaudio_mfcc.py.
/// </summary>
[MemoryDiagnoser]
public class MfccBenchmarks
{
    private float[] _signal = [];
    private FeaturePipeline _torchaudio = null!;
    private FeaturePipeline _kaldi = null!;
    private NWaves.FeatureExtractors.MfccExtractor _nwaves = null!;

    /// <summary>A deterministic second of speech-like audio: harmonics plus noise.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var r = new Random(42);
        _signal = new float[16000];
        for (int i = 0; i < _signal.Length; i++)
        {
            double t = i / 16000.0;
            _signal[i] = (float)(0.3 * Math.Sin(2 * Math.PI * 180 * t) + 0.2 * Math.Sin(2 * Math.PI * 720 * t)
                + 0.1 * Math.Sin(2 * Math.PI * 2500 * t) + 0.02 * (r.NextDouble() * 2 - 1));
        }
        _torchaudio = new FeaturePipeline(new MfccOptions { Preset = MfccPreset.Torchaudio }.ToFeatureOptions(16000));
        _kaldi = new FeaturePipeline(new MfccOptions { Preset = MfccPreset.Kaldi, NMels = 40 }.ToFeatureOptions(16000));
        _nwaves = new NWaves.FeatureExtractors.MfccExtractor(new NWaves.FeatureExtractors.Options.MfccOptions
        {
            SamplingRate = 16000,
            FeatureCount = 13,
            FrameDuration = 400 / 16000.0,
            HopDuration = 160 / 16000.0,
            FftSize = 512,
            FilterBankSize = 40,
            Window = WindowType.Hann,
        });
    }

    /// <summary>NWaves 0.9.6 MfccExtractor (FFT size must be a power of two there: 512).</summary>
    [Benchmark(Baseline = true)]
    public int NWaves() => _nwaves.ComputeFrom(_signal).Count;

    /// <summary>Engine, torchaudio preset (default: 8 float lanes, AVX2).</summary>
    [Benchmark]
    public int EngineTorchaudio() => _torchaudio.Compute(_signal).GetLength(0);

    /// <summary>Engine, torchaudio preset, 16 float lanes (AVX-512): twice the working set per group of frames.</summary>
    [Benchmark]
    public int EngineTorchaudio16Lanes() => _torchaudio.ComputeWithLanes(_signal, 16).GetLength(0);

    /// <summary>Engine, kaldi preset with 40 mels (float64 lanes, snip edges, 512-point FFT).</summary>
    [Benchmark]
    public int EngineKaldi() => _kaldi.Compute(_signal).GetLength(0);
}
