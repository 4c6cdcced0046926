namespace Engine.Audio.Features;

/// <summary>
/// The options of torchaudio.compliance.kaldi.mfcc / fbank / spectrogram (and Kaldi's compute-mfcc-feats),
/// with the same names and defaults. Samples are expected in the int16 range, so <see cref="InputScale"/>
/// defaults to 32768 for input in [-1, 1]. VTLN warping and htk_compat are not supported.
/// </summary>
public sealed record KaldiOptions
{
    /// <summary>Sample frequency in Hz.</summary>
    public double SampleFrequency { get; init; } = 16000.0;
    /// <summary>Multiplier applied to the samples (32768 maps [-1, 1] to the int16 range; use 1 for int16-valued input).</summary>
    public float InputScale { get; init; } = 32768f;
    /// <summary>Frame length in milliseconds.</summary>
    public double FrameLength { get; init; } = 25.0;
    /// <summary>Frame shift in milliseconds.</summary>
    public double FrameShift { get; init; } = 10.0;
    /// <summary>Gaussian dither amount (0 = off); seeded by <see cref="DitherSeed"/>.</summary>
    public float Dither { get; init; }
    /// <summary>Seed of the dither noise.</summary>
    public int DitherSeed { get; init; }
    /// <summary>Pre-emphasis coefficient.</summary>
    public double PreemphasisCoefficient { get; init; } = 0.97;
    /// <summary>Subtract each frame's mean.</summary>
    public bool RemoveDcOffset { get; init; } = true;
    /// <summary>Window type.</summary>
    public WindowKind WindowType { get; init; } = WindowKind.Povey;
    /// <summary>Zero-pad frames to the next power of two before the FFT.</summary>
    public bool RoundToPowerOfTwo { get; init; } = true;
    /// <summary>Only frames that fit completely in the signal.</summary>
    public bool SnipEdges { get; init; } = true;
    /// <summary>Energy before pre-emphasis and windowing.</summary>
    public bool RawEnergy { get; init; } = true;
    /// <summary>Floor on the frame energy.</summary>
    public float EnergyFloor { get; init; } = 1f;
    /// <summary>Number of triangular mel bins.</summary>
    public int NumMelBins { get; init; } = 23;
    /// <summary>Low cutoff of the filterbank in Hz.</summary>
    public double LowFreq { get; init; } = 20.0;
    /// <summary>High cutoff in Hz; &lt;= 0 counts back from Nyquist.</summary>
    public double HighFreq { get; init; }
    /// <summary>Number of cepstra.</summary>
    public int NumCeps { get; init; } = 13;
    /// <summary>Cepstral lifter (0 = off).</summary>
    public double CepstralLifter { get; init; } = 22.0;
    /// <summary>
    /// Compute in float64 (default true). With Kaldi's lifter (up to 12x on middle coefficients), float32 FFT
    /// rounding on clean tones moves MFCCs by a few 1e-3, as it does for torchaudio itself in float32.
    /// </summary>
    public bool DoublePrecision { get; init; } = true;
    /// <summary>Replace c0 (or spectrum bin 0) with the frame log energy.</summary>
    public bool UseEnergy { get; init; }

    /// <summary>Frame length in samples: int(sample_frequency * frame_length * 0.001).</summary>
    public int WindowSize => (int)(SampleFrequency * FrameLength * 0.001);

    /// <summary>Frame shift in samples.</summary>
    public int WindowShift => (int)(SampleFrequency * FrameShift * 0.001);

    /// <summary>Pipeline options for kaldi.mfcc.</summary>
    public FeatureOptions Mfcc() => Common() with
    {
        NMels = NumMelBins,
        KaldiMelBanks = true,
        Log = LogMode.KaldiLog,
        NMfcc = NumCeps,
        Lifter = CepstralLifter,
        UseEnergy = UseEnergy,
    };

    /// <summary>Pipeline options for kaldi.fbank (log mel energies, no energy column).</summary>
    public FeatureOptions Fbank() => Common() with { NMels = NumMelBins, KaldiMelBanks = true, Log = LogMode.KaldiLog };

    /// <summary>Pipeline options for kaldi.spectrogram (log power, bin 0 replaced by the log energy).</summary>
    public FeatureOptions Spectrogram() => Common() with { Log = LogMode.KaldiLog, UseEnergy = true };

    private FeatureOptions Common()
    {
        int size = WindowSize, shift = WindowShift;
        if (size < 2 || shift < 1)
        {
            throw new ArgumentException($"KaldiOptions: window size {size} samples must be >= 2 and shift {shift} >= 1 (frame_length {FrameLength} ms, frame_shift {FrameShift} ms at {SampleFrequency} Hz).");
        }
        int padded = size;
        if (RoundToPowerOfTwo)
        {
            padded = 1;
            while (padded < size)
            {
                padded <<= 1;
            }
        }
        return new FeatureOptions
        {
            SampleRate = (int)SampleFrequency,
            InputScale = InputScale,
            FrameLength = size,
            Hop = shift,
            NFft = padded,
            Window = WindowType,
            PeriodicWindow = false,
            Framing = SnipEdges ? FramingMode.SnipEdges : FramingMode.KaldiReflect,
            Dither = Dither,
            DitherSeed = DitherSeed,
            RemoveDcOffset = RemoveDcOffset,
            PreEmphasis = PreemphasisCoefficient,
            RawEnergy = RawEnergy,
            EnergyFloor = EnergyFloor,
            FMin = LowFreq,
            FMax = HighFreq,
            DoublePrecision = DoublePrecision,
        };
    }
}
