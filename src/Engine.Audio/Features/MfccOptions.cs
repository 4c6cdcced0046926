namespace Engine.Audio.Features;

/// <summary>Reference implementations an MFCC preset reproduces.</summary>
public enum MfccPreset
{
    /// <summary>torchaudio.compliance.kaldi.mfcc with its defaults, on samples scaled to the int16 range.</summary>
    Kaldi,
    /// <summary>torchaudio.transforms.MFCC(sample_rate, n_mfcc, melkwargs={n_fft, hop_length, n_mels}).</summary>
    Torchaudio,
    /// <summary>librosa.feature.mfcc: Slaney mel filters with Slaney normalisation, zero-padded centred frames, power_to_db.</summary>
    Librosa,
}

/// <summary>
/// MFCC settings: a preset plus optional overrides. Unset values take the preset's default: 13 coefficients for
/// all; torchaudio and librosa use n_fft 400, hop 160 and 40 mels; kaldi uses 25 ms frames, a 10 ms shift and
/// 23 mels (for kaldi, NFft and Hop give the frame length and shift in samples; the FFT is the next power of two).
/// </summary>
public sealed record MfccOptions
{
    /// <summary>The reference to reproduce.</summary>
    public MfccPreset Preset { get; init; } = MfccPreset.Torchaudio;
    /// <summary>Cepstral coefficients per frame.</summary>
    public int? NMfcc { get; init; }
    /// <summary>Mel filters.</summary>
    public int? NMels { get; init; }
    /// <summary>FFT length (torchaudio, librosa) or frame length in samples (kaldi).</summary>
    public int? NFft { get; init; }
    /// <summary>Hop between frames in samples.</summary>
    public int? Hop { get; init; }
    /// <summary>Resample input to this rate first; null keeps each file's own rate.</summary>
    public int? SampleRate { get; init; }

    /// <summary>The full pipeline options for audio at <paramref name="sampleRate"/> Hz.</summary>
    public FeatureOptions ToFeatureOptions(int sampleRate)
    {
        if (sampleRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "MfccOptions: sample rate must be positive.");
        }
        int nMfcc = NMfcc ?? 13;
        if (Preset == MfccPreset.Kaldi)
        {
            var kaldi = new KaldiOptions { SampleFrequency = sampleRate, NumMelBins = NMels ?? 23, NumCeps = nMfcc };
            var mfcc = kaldi.Mfcc();
            // Explicit sizes are in samples; the FFT stays the next power of two.
            int frame = NFft ?? mfcc.FrameLength;
            int padded = 1;
            while (padded < frame)
            {
                padded <<= 1;
            }
            return mfcc with { FrameLength = frame, NFft = padded, Hop = Hop ?? mfcc.Hop };
        }
        int nFft = NFft ?? 400;
        bool librosa = Preset == MfccPreset.Librosa;
        return new FeatureOptions
        {
            SampleRate = sampleRate,
            FrameLength = nFft,
            Hop = Hop ?? 160,
            NFft = nFft,
            Window = WindowKind.Hann,
            PeriodicWindow = true,
            Framing = FramingMode.Center,
            PadMode = librosa ? PadMode.Constant : PadMode.Reflect,
            NMels = NMels ?? 40,
            MelScale = librosa ? MelScale.Slaney : MelScale.Htk,
            SlaneyNorm = librosa,
            FMin = 0.0,
            FMax = librosa ? sampleRate / 2.0 : sampleRate / 2,
            Log = LogMode.Decibel,
            TopDb = 80f,
            NMfcc = nMfcc,
        };
    }
}
