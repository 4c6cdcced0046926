using Engine.Audio.Features;

namespace Engine.Audio.Differentiable;

public sealed partial class MfccTransform
{
    /// <summary>
    /// torchaudio.transforms.MFCC(sample_rate, n_mfcc, dct_type, norm, log_mels, melkwargs) with the melkwargs as
    /// named arguments and torchaudio's defaults (n_mfcc 40, n_mels 128, hop win_length / 2, periodic Hann window,
    /// top_db 80). Throws ArgumentException for what the device path does not do: dct_type other than 2, win_length
    /// below n_fft (torchaudio centres the window in the frame), pad, normalized, onesided false, power other than 1
    /// or 2, pad modes other than reflect and constant. Top-dB clamping is per waveform (see Forward).
    /// </summary>
    public static MfccTransform Torchaudio(int sampleRate = 16000, int nMfcc = 40, int dctType = 2, string? norm = "ortho",
        bool logMels = false, int nFft = 400, int? winLength = null, int? hopLength = null, double fMin = 0.0, double? fMax = null,
        int pad = 0, int nMels = 128, double power = 2.0, bool normalized = false, bool center = true, string padMode = "reflect",
        bool onesided = true, string? melNorm = null, string melScale = "htk")
    {
        static ArgumentException Unsupported(string what) => new($"MfccTransform.Torchaudio: {what} is not supported on the device path.");
        if (dctType != 2)
        {
            throw Unsupported($"dct_type {dctType} (only 2)");
        }
        bool ortho = norm switch
        {
            "ortho" => true,
            null => false,
            _ => throw Unsupported($"norm '{norm}' (only 'ortho' or null)"),
        };
        int win = winLength ?? nFft;
        if (win != nFft)
        {
            throw Unsupported($"win_length {win} different from n_fft {nFft}");
        }
        if (pad != 0)
        {
            throw Unsupported($"pad {pad} (only 0)");
        }
        if (power != 1.0 && power != 2.0)
        {
            throw Unsupported($"power {power} (only 1 or 2)");
        }
        if (normalized)
        {
            throw Unsupported("normalized = true");
        }
        if (!onesided)
        {
            throw Unsupported("onesided = false");
        }
        var mode = padMode switch
        {
            "reflect" => PadMode.Reflect,
            "constant" => PadMode.Constant,
            _ => throw Unsupported($"pad_mode '{padMode}' (only 'reflect' or 'constant')"),
        };
        bool slaneyNorm = melNorm switch
        {
            "slaney" => true,
            null => false,
            _ => throw Unsupported($"mel norm '{melNorm}' (only 'slaney' or null)"),
        };
        var scale = melScale switch
        {
            "htk" => MelScale.Htk,
            "slaney" => MelScale.Slaney,
            _ => throw Unsupported($"mel_scale '{melScale}' (only 'htk' or 'slaney')"),
        };
        var options = new FeatureOptions
        {
            SampleRate = sampleRate,
            FrameLength = nFft,
            Hop = hopLength ?? win / 2,
            NFft = nFft,
            Window = WindowKind.Hann,
            PeriodicWindow = true,
            Framing = center ? FramingMode.Center : FramingMode.SnipEdges,
            PadMode = mode,
            Magnitude = power == 1.0,
            NMels = nMels,
            MelScale = scale,
            SlaneyNorm = slaneyNorm,
            FMin = fMin,
            FMax = fMax ?? sampleRate / 2,
            Log = logMels ? LogMode.None : LogMode.Decibel,
            TopDb = logMels ? null : 80f,
            NMfcc = nMfcc,
        };
        return new MfccTransform(options, ortho, logMels);
    }
}
