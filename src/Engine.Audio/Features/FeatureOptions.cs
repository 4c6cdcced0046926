namespace Engine.Audio.Features;

/// <summary>How frames are cut from the signal.</summary>
public enum FramingMode
{
    /// <summary>torch.stft(center=True): pad n_fft/2 on both sides, frame t starts at t * hop.</summary>
    Center,
    /// <summary>Kaldi snip-edges: only frames that fit inside the signal; none pads.</summary>
    SnipEdges,
    /// <summary>Kaldi without snip-edges: (n + hop/2) / hop frames, the ends mirrored (sample 0 repeated).</summary>
    KaldiReflect,
}

/// <summary>Padding used by centred framing.</summary>
public enum PadMode
{
    /// <summary>Mirror without repeating the edge sample ([2, 1, | 0, 1, 2]).</summary>
    Reflect,
    /// <summary>Zeros.</summary>
    Constant,
}

/// <summary>How filterbank or spectrum energies are compressed.</summary>
public enum LogMode
{
    /// <summary>No compression.</summary>
    None,
    /// <summary>Kaldi: ln(max(x, float epsilon)).</summary>
    KaldiLog,
    /// <summary>Decibels: 10 log10(max(x, 1e-10)), then clamped to (utterance max - TopDb) when TopDb is set.</summary>
    Decibel,
}

/// <summary>
/// Every option of the framing, spectrum, mel, log and cepstrum stages. Presets in <see cref="MfccOptions"/>
/// fill these in; set them directly for anything else.
/// </summary>
public sealed record FeatureOptions
{
    /// <summary>Sample rate of the input in Hz.</summary>
    public int SampleRate { get; init; } = 16000;
    /// <summary>Multiplier applied to the samples first (Kaldi works on the int16 range: 32768).</summary>
    public float InputScale { get; init; } = 1f;
    /// <summary>Samples per frame (the window length).</summary>
    public int FrameLength { get; init; } = 400;
    /// <summary>Samples between frame starts.</summary>
    public int Hop { get; init; } = 160;
    /// <summary>FFT length; frames shorter than this are zero-padded at the end. 0 means FrameLength.</summary>
    public int NFft { get; init; }
    /// <summary>Window shape.</summary>
    public WindowKind Window { get; init; } = WindowKind.Hann;
    /// <summary>Periodic (true, torch's default) or symmetric window.</summary>
    public bool PeriodicWindow { get; init; } = true;
    /// <summary>Framing mode.</summary>
    public FramingMode Framing { get; init; } = FramingMode.Center;
    /// <summary>Padding of centred framing.</summary>
    public PadMode PadMode { get; init; } = PadMode.Reflect;
    /// <summary>Standard deviation of Gaussian dither added to every frame sample (0 = none).</summary>
    public float Dither { get; init; }
    /// <summary>Seed of the dither generator, so results are reproducible.</summary>
    public int DitherSeed { get; init; }
    /// <summary>Subtract each frame's mean (Kaldi).</summary>
    public bool RemoveDcOffset { get; init; }
    /// <summary>Pre-emphasis coefficient: x[j] -= c x[j-1] within the frame (Kaldi; 0 = off).</summary>
    public double PreEmphasis { get; init; }
    /// <summary>Frame log energy taken before pre-emphasis and windowing (true) or after (false).</summary>
    public bool RawEnergy { get; init; } = true;
    /// <summary>Floor on the frame energy (absolute; 0 = none).</summary>
    public float EnergyFloor { get; init; }
    /// <summary>Magnitude |X| instead of power |X|^2.</summary>
    public bool Magnitude { get; init; }
    /// <summary>Number of mel filters (0 = stop at the spectrum).</summary>
    public int NMels { get; init; }
    /// <summary>Mel scale of the filters (ignored for Kaldi filters).</summary>
    public MelScale MelScale { get; init; } = MelScale.Htk;
    /// <summary>Slaney area normalisation of the filters.</summary>
    public bool SlaneyNorm { get; init; }
    /// <summary>Use Kaldi's filterbank (mel-domain triangles, Nyquist bin ignored).</summary>
    public bool KaldiMelBanks { get; init; }
    /// <summary>Lowest filter edge in Hz.</summary>
    public double FMin { get; init; }
    /// <summary>Highest filter edge in Hz; null means Nyquist (sample_rate // 2); for Kaldi filters &lt;= 0 counts back from Nyquist.</summary>
    public double? FMax { get; init; }
    /// <summary>Compression of the energies.</summary>
    public LogMode Log { get; init; } = LogMode.None;
    /// <summary>Dynamic range kept by <see cref="LogMode.Decibel"/> (null = unclamped).</summary>
    public float? TopDb { get; init; }
    /// <summary>Number of cepstral coefficients (0 = stop at the mel or spectrum stage).</summary>
    public int NMfcc { get; init; }
    /// <summary>Cepstral lifter L: coefficient i is scaled by 1 + (L/2) sin(pi i / L) (0 = off).</summary>
    public double Lifter { get; init; }
    /// <summary>Replace the first output (c0, or spectrum bin 0) with the frame log energy (Kaldi use_energy).</summary>
    public bool UseEnergy { get; init; }

    /// <summary>Compute in float64 lanes (half the SIMD width) for agreement with float64 references on high-dynamic-range input.</summary>
    public bool DoublePrecision { get; init; }

    /// <summary>The FFT length actually used.</summary>
    public int FftLength => NFft == 0 ? FrameLength : NFft;
}
