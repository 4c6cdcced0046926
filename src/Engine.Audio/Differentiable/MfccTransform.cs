using System.Collections.Concurrent;
using Engine.Audio.Features;

namespace Engine.Audio.Differentiable;

/// <summary>
/// The features of <see cref="FeaturePipeline"/> (spectrum, mel energies or MFCCs) for a batch of waveforms
/// (B, T) on any device, built only from tensor ops every backend has: framing by one index_select, the frame
/// operations (window, and Kaldi's DC removal and pre-emphasis) folded into a real-DFT basis so the power
/// spectrum is one (B * frames, frame) x (frame, 2 bins) GEMM, a mel GEMM, the log in float64 (CUDA's float32
/// log is approximate), and a float64 DCT GEMM. The constant matrices are built once per configuration and
/// uploaded once per device and dtype; the framing index is cached per device and signal length.
/// Output (B, frames, values) or (frames, values) for a 1-D input: row-for-row what FeaturePipeline.Compute
/// returns for each waveform alone. Dither is not supported (the CPU's seeded noise has no device twin).
/// The DFT by matmul costs O(n_fft^2) per frame, which a GPU repays by doing the whole batch in one GEMM.
/// </summary>
public sealed partial class MfccTransform : IDisposable
{
    private const int MaxFftLength = 4096;
    private const int MaxCachedLengths = 64;
    // The CPU pipeline's floors, as it applies them (float constants widened).
    private const double KaldiEpsilon = 1.1920928955078125e-07;
    private static readonly double DbAmin = (double)1e-10f;
    private static readonly double DbScale = 10.0 / Math.Log(10.0);

    private readonly FeatureOptions _o;
    private readonly FeaturePipeline _cpu;
    private readonly bool _orthoDct;
    private readonly bool _logMels;
    private readonly HostConstants _host;
    private readonly ConcurrentDictionary<(Device, DType), DeviceConstants> _constants = new();
    private readonly ConcurrentDictionary<(Device, int), Tensor> _indices = new();
    private bool _disposed;

    /// <summary>A transform computing what <c>new FeaturePipeline(options).Compute</c> computes, batched on any device.</summary>
    public MfccTransform(FeatureOptions options)
        : this(options, orthoDct: true, logMels: false)
    {
    }

    /// <summary>MFCCs of an <see cref="MfccOptions"/> preset for audio at <paramref name="sampleRate"/> Hz (no resampling on the device).</summary>
    public MfccTransform(MfccOptions options, int sampleRate)
        : this(CheckRate(options, sampleRate).ToFeatureOptions(sampleRate))
    {
    }

    private MfccTransform(FeatureOptions options, bool orthoDct, bool logMels)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The CPU pipeline validates the options and owns the filterbank builder; reuse both.
        _cpu = new FeaturePipeline(options);
        _o = options;
        _orthoDct = orthoDct;
        _logMels = logMels;
        if (options.Dither != 0f)
        {
            throw new ArgumentException($"MfccTransform: dither {options.Dither} is not supported on the device path (set Dither = 0, or use FeaturePipeline).");
        }
        if (options.FftLength > MaxFftLength)
        {
            throw new ArgumentException($"MfccTransform: n_fft {options.FftLength} is above {MaxFftLength}; the DFT-by-matmul basis would be n_fft x (n_fft + 2) values (use FeaturePipeline).");
        }
        if (logMels && (options.NMels == 0 || options.Log != LogMode.None))
        {
            throw new ArgumentException("MfccTransform: log_mels needs mel filters and no other log mode.");
        }
        _host = HostConstants.Build(options, _cpu.Filterbank, orthoDct);
    }

    /// <summary>The options computed.</summary>
    public FeatureOptions Options => _o;

    /// <summary>Values per output frame (coefficients, mel bands or spectrum bins).</summary>
    public int OutputSize => _cpu.OutputSize;

    /// <summary>Number of frames a waveform of <paramref name="samples"/> samples yields.</summary>
    public int FrameCount(int samples) => _cpu.FrameCount(samples);

    /// <summary>
    /// Features of waveforms (B, T) or (T), float32 or float64, on their device: (B, frames, OutputSize) or
    /// (frames, OutputSize) in the input's dtype. Work is in float64 when the options ask for DoublePrecision or the
    /// input is float64; the log and DCT stages are always float64. Top-dB clamping is per waveform, as the CPU
    /// pipeline does per signal (torchaudio clamps a 2-D batch against one maximum).
    /// </summary>
    public Tensor Forward(Tensor waveforms)
    {
        ArgumentNullException.ThrowIfNull(waveforms);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (waveforms.Dim is < 1 or > 2 || !waveforms.DType.IsFloating())
        {
            throw new ArgumentException($"MfccTransform.Forward: expects float32 or float64 waveforms of shape (T) or (B, T), got {waveforms.DType} with {waveforms.Dim} dimensions.");
        }
        bool single = waveforms.Dim == 1;
        var x = single ? waveforms.Unsqueeze(0) : waveforms;
        int batch = x.Shape[0], t = x.Shape[1];
        int frames = CheckLength(t);
        var device = x.Device;
        if (frames == 0 || batch == 0)
        {
            var empty = Tensor.Zeros(new[] { batch, frames, OutputSize }, x.DType, device);
            return single ? empty.Squeeze(0) : empty;
        }
        var ct = _o.DoublePrecision || x.DType == DType.Float64 ? DType.Float64 : DType.Float32;
        var k = ConstantsFor(device, ct);
        int l = _o.FrameLength, bins = _host.Bins;

        var xs = x.To(ct);
        if (_o.InputScale != 1f)
        {
            xs = xs * (double)_o.InputScale;
        }
        if (NeedsZeroSlot)
        {
            xs = Tensor.Cat(new[] { xs, Tensor.Zeros(new[] { batch, 1 }, ct, device) }, 1);
        }
        var framed = xs.IndexSelect(1, IndexFor(device, t, frames)).View(batch * frames, l); // (B * frames, l)
        var y = framed.MatMul(k.Basis);                                                      // (B * frames, 2 bins)
        var re = y.Narrow(1, 0, bins);
        var im = y.Narrow(1, bins, bins);
        var spec = re * re + im * im;
        if (_o.Magnitude)
        {
            spec = spec.To(DType.Float64).Sqrt().To(ct);
        }
        Tensor feats = k.MelT is null ? spec.To(DType.Float64) : spec.MatMul(k.MelT).To(DType.Float64);
        feats = Compress(feats);
        if (k.MelT is not null && _o.Log == LogMode.Decibel && _o.TopDb is float topDb)
        {
            int per = frames * _o.NMels;
            var flat = feats.View(batch, per);
            var floor = flat.Amax(new[] { 1 }, keepDim: true) - (double)topDb;
            feats = flat.Maximum(floor).View(batch * frames, _o.NMels);
        }
        if (k.DctT is not null)
        {
            feats = feats.MatMul(k.DctT);
        }
        if (_o.UseEnergy && (k.DctT is not null || k.MelT is null))
        {
            var energy = LogEnergy(framed, k);
            int n = feats.Shape[1];
            feats = n == 1 ? energy : Tensor.Cat(new[] { energy, feats.Narrow(1, 1, n - 1) }, 1);
        }
        var result = feats.To(x.DType).View(batch, frames, OutputSize);
        return single ? result.Squeeze(0) : result;
    }

    /// <summary>Releases the cached device constants and framing indices.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (var c in _constants.Values)
        {
            c.Dispose();
        }
        foreach (var i in _indices.Values)
        {
            i.Dispose();
        }
        _constants.Clear();
        _indices.Clear();
    }

    private bool NeedsZeroSlot => _o.Framing == FramingMode.Center && _o.PadMode == PadMode.Constant;

    /// <summary>The log stage in float64, as FeaturePipeline's Compress (or torchaudio's log_mels: ln(mel + 1e-6)).</summary>
    private Tensor Compress(Tensor v)
    {
        if (_logMels)
        {
            return (v + 1e-6).Log();
        }
        return _o.Log switch
        {
            LogMode.KaldiLog => v.Clamp(min: KaldiEpsilon).Log(),
            LogMode.Decibel => v.Clamp(min: DbAmin).Log() * DbScale,
            _ => v,
        };
    }

    /// <summary>Kaldi's frame log energy (B * frames, 1) in float64: raw (after DC removal only) or after all frame operations.</summary>
    private Tensor LogEnergy(Tensor framed, DeviceConstants k)
    {
        Tensor e = framed;
        if (k.FrameOp is not null)
        {
            e = framed.MatMul(k.FrameOp);
        }
        else if (_o.RemoveDcOffset)
        {
            e = framed - framed.Mean(1, keepDim: true);
        }
        var log = (e * e).Sum(1, keepDim: true).To(DType.Float64).Clamp(min: KaldiEpsilon).Log();
        return _o.EnergyFloor != 0f ? log.Clamp(min: Math.Log(_o.EnergyFloor)) : log;
    }

    /// <summary>Frame count for a signal of t samples, with the CPU pipeline's checks on short signals.</summary>
    private int CheckLength(int t)
    {
        if (t < 1)
        {
            throw new ArgumentException($"MfccTransform.Forward: waveforms need at least one sample, got {t}.");
        }
        int frames = _cpu.FrameCount(t);
        switch (_o.Framing)
        {
            case FramingMode.Center:
            {
                int pad = _o.FftLength / 2;
                if (_o.PadMode == PadMode.Reflect && pad >= t)
                {
                    throw new ArgumentException($"MfccTransform.Forward: reflect padding of {pad} samples needs waveforms longer than {pad} samples, got {t}.");
                }
                if (t + 2 * pad < _o.FftLength)
                {
                    throw new ArgumentException($"MfccTransform.Forward: {t} samples with {pad} padding on each side are shorter than n_fft {_o.FftLength}.");
                }
                break;
            }
            case FramingMode.KaldiReflect:
            {
                int pad = _o.FrameLength / 2 - _o.Hop / 2;
                int total = Math.Max(0, pad) + (t - Math.Max(0, -pad)) + t;
                if (pad > t || (long)(frames - 1) * _o.Hop + _o.FrameLength > total)
                {
                    throw new ArgumentException($"MfccTransform.Forward: {t} samples are too short for Kaldi framing without snip-edges (frame length {_o.FrameLength}).");
                }
                break;
            }
        }
        return frames;
    }

    private static MfccOptions CheckRate(MfccOptions options, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SampleRate is int target && target != sampleRate)
        {
            throw new ArgumentException($"MfccTransform: options ask to resample {sampleRate} Hz to {target} Hz; the device path does not resample (resample first, or pass sampleRate {target}).");
        }
        return options;
    }
}
