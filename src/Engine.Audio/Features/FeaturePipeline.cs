using System.Runtime.Intrinsics;
using Engine.Audio.Fft;

namespace Engine.Audio.Features;

/// <summary>
/// Frames a signal and computes, per frame, a spectrum, mel energies or cepstral coefficients as the
/// <see cref="FeatureOptions"/> say. Frames are processed 8 at a time (AVX2; float64 work 4 at a time), one frame per
/// SIMD lane, so every stage (window, FFT, power, mel, log, DCT) is vectorised without shuffles.
/// A pipeline is immutable and thread-safe; each call allocates its own scratch.
/// </summary>
public sealed partial class FeaturePipeline
{
    private readonly FeatureOptions _o;
    private readonly RealFftPlan _fft;
    private readonly float[] _window;
    private readonly double[] _windowD;
    private readonly MelFilterbank? _mel;
    private readonly float[]? _dct;
    private readonly float[]? _lifter;
    private readonly bool _kaldiFrameOps;

    /// <summary>Builds the plans, window, filterbank and DCT for <paramref name="options"/>.</summary>
    public FeaturePipeline(FeatureOptions options)
    {
        _o = options ?? throw new ArgumentNullException(nameof(options));
        int n = options.FftLength;
        if (options.FrameLength < 1 || options.Hop < 1 || n < options.FrameLength || options.SampleRate <= 0)
        {
            throw new ArgumentException($"FeaturePipeline: need frame length >= 1, hop >= 1, n_fft >= frame length and sample rate > 0; got frame length {options.FrameLength}, hop {options.Hop}, n_fft {n}, sample rate {options.SampleRate}.");
        }
        if (options.PreEmphasis < 0 || options.PreEmphasis > 1)
        {
            throw new ArgumentException($"FeaturePipeline: pre-emphasis {options.PreEmphasis} must be in [0, 1].");
        }
        _fft = Fft.Fft.RealPlan(n);
        _window = Windows.Create(options.Window, options.FrameLength, options.PeriodicWindow);
        _windowD = Windows.CreateDouble(options.Window, options.FrameLength, options.PeriodicWindow);
        int bins = n / 2 + 1;
        if (options.NMels > 0)
        {
            if (options.KaldiMelBanks)
            {
                if (n % 2 != 0)
                {
                    throw new ArgumentException($"FeaturePipeline: Kaldi filterbanks need an even FFT length, got {n}.");
                }
                _mel = MelFilterbank.Kaldi(options.NMels, n, options.SampleRate, options.FMin, options.FMax ?? 0.0);
            }
            else
            {
                _mel = MelFilterbank.Create(bins, options.FMin, options.FMax ?? options.SampleRate / 2, options.NMels,
                    options.SampleRate, options.MelScale, options.SlaneyNorm);
            }
        }
        if (options.NMfcc > 0)
        {
            if (_mel is null)
            {
                throw new ArgumentException($"FeaturePipeline: {options.NMfcc} cepstral coefficients need NMels > 0.");
            }
            _dct = Dct.Matrix(options.NMfcc, options.NMels);
            _lifter = options.Lifter != 0.0 ? Dct.Lifter(options.NMfcc, options.Lifter) : null;
        }
        if (options.NMels == 0 && options.Log == LogMode.Decibel && options.TopDb is not null)
        {
            throw new ArgumentException("FeaturePipeline: TopDb is applied to mel energies; set NMels > 0 or TopDb = null for a decibel spectrogram.");
        }
        _kaldiFrameOps = options.Dither != 0f || options.RemoveDcOffset || options.PreEmphasis != 0f || options.UseEnergy;
        OutputSize = options.NMfcc > 0 ? options.NMfcc : options.NMels > 0 ? options.NMels : bins;
    }

    /// <summary>The options this pipeline computes.</summary>
    public FeatureOptions Options => _o;

    /// <summary>Values per output frame (coefficients, mel bands or spectrum bins).</summary>
    public int OutputSize { get; }

    /// <summary>The mel filterbank in use, if any.</summary>
    public MelFilterbank? Filterbank => _mel;

    /// <summary>Number of frames a signal of <paramref name="samples"/> samples yields.</summary>
    public int FrameCount(int samples)
    {
        int l = _o.FrameLength, hop = _o.Hop;
        return _o.Framing switch
        {
            FramingMode.Center => 1 + (samples + 2 * (_o.FftLength / 2) - _o.FftLength) / hop,
            FramingMode.SnipEdges => samples < l ? 0 : 1 + (samples - l) / hop,
            _ => (samples + hop / 2) / hop,
        };
    }

    /// <summary>Features of one mono signal: (frames, OutputSize), row-major.</summary>
    public float[,] Compute(ReadOnlySpan<float> samples)
    {
        int frames = FrameCount(samples.Length);
        var output = new float[frames, OutputSize];
        if (frames == 0)
        {
            return output;
        }
        float[] padded = Pad(samples);
        if (_o.DoublePrecision)
        {
            Run<Vector256<double>, Lane256D>(padded, frames, output);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Run<Vector256<float>, Lane256>(padded, frames, output);
        }
        else
        {
            Run<float, ScalarLane>(padded, frames, output);
        }
        return output;
    }

    /// <summary>Same as <see cref="Compute"/> with a chosen lane width (1, 8 or 16 floats; 4 doubles), for tests and benchmarks.</summary>
    internal float[,] ComputeWithLanes(float[] samples, int width)
    {
        int frames = FrameCount(samples.Length);
        var output = new float[frames, OutputSize];
        if (frames == 0)
        {
            return output;
        }
        float[] padded = Pad(samples);
        switch (width)
        {
            case 16: Run<Vector512<float>, Lane512>(padded, frames, output); break;
            case 8: Run<Vector256<float>, Lane256>(padded, frames, output); break;
            case 4: Run<Vector256<double>, Lane256D>(padded, frames, output); break;
            default: Run<float, ScalarLane>(padded, frames, output); break;
        }
        return output;
    }

    /// <summary>The signal with the framing mode's padding, scaled by InputScale; frame f starts at f * hop (a thread-local buffer).</summary>
    private float[] Pad(ReadOnlySpan<float> x)
    {
        int t = x.Length;
        float scale = _o.InputScale;
        float[] p;
        int offset;
        switch (_o.Framing)
        {
            case FramingMode.Center:
            {
                int pad = _o.FftLength / 2;
                if (_o.PadMode == PadMode.Reflect && pad >= t)
                {
                    throw new ArgumentException($"FeaturePipeline: reflect padding of {pad} samples needs a signal longer than {pad} samples, got {t}.");
                }
                p = PadScratch.Rent(t + 2 * pad);
                p.AsSpan(0, t + 2 * pad).Clear();
                offset = pad;
                if (_o.PadMode == PadMode.Reflect)
                {
                    for (int i = 0; i < pad; i++)
                    {
                        p[pad - 1 - i] = x[i + 1] * scale;
                        p[pad + t + i] = x[t - 2 - i] * scale;
                    }
                }
                break;
            }
            case FramingMode.KaldiReflect:
            {
                int pad = _o.FrameLength / 2 - _o.Hop / 2;
                int start = Math.Max(0, -pad);
                int left = Math.Max(0, pad);
                if (pad > t)
                {
                    throw new ArgumentException($"FeaturePipeline: Kaldi edge mirroring of {pad} samples needs at least {pad} samples, got {t}.");
                }
                // [x[pad-1] .. x[0]] + x[start..] + [x[t-1] .. x[0]]
                int total = left + (t - start) + t;
                p = PadScratch.Rent(total);
                for (int i = 0; i < left; i++)
                {
                    p[i] = x[left - 1 - i] * scale;
                }
                for (int i = 0; i < t; i++)
                {
                    p[left + (t - start) + i] = x[t - 1 - i] * scale;
                }
                offset = left;
                for (int i = start; i < t; i++)
                {
                    p[offset + i - start] = x[i] * scale;
                }
                int frames = FrameCount(t);
                if ((long)(frames - 1) * _o.Hop + _o.FrameLength > total)
                {
                    throw new ArgumentException($"FeaturePipeline: a {t}-sample signal is too short for Kaldi framing without snip-edges (frame length {_o.FrameLength}).");
                }
                return p;
            }
            default:
                p = PadScratch.Rent(t);
                offset = 0;
                break;
        }
        for (int i = 0; i < t; i++)
        {
            p[offset + i] = x[i] * scale;
        }
        return p;
    }
}
