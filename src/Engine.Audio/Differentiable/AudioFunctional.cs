using Engine.Audio.Features;

namespace Engine.Audio.Differentiable;

/// <summary>
/// Spectrogram, MelSpectrogram, AmplitudeToDB and MFCC as tensor ops with autograd, batched over waveforms
/// (like torchaudio.transforms). They are composed from tensor ops only (index_select framing, window multiply,
/// a DFT as two matmuls against cos/sin bases, mel and DCT matmuls), so gradients come from the ops' own
/// backward rules and the same code runs on any device whose backend has those ops. The DFT by matmul costs
/// O(n_fft^2) per frame: fine for training front ends; the array pipeline (FeaturePipeline) is the fast path.
/// </summary>
public static class AudioFunctional
{
    /// <summary>
    /// Power (power 2) or magnitude (power 1) spectrogram of waveforms (T) or (B, T): output (F, frames) or
    /// (B, F, frames) with F = n_fft / 2 + 1, as torchaudio.transforms.Spectrogram with win_length = n_fft.
    /// </summary>
    public static Tensor Spectrogram(Tensor waveform, int nFft = 400, int hop = 200, bool center = true,
        PadMode padMode = PadMode.Reflect, WindowKind window = WindowKind.Hann, bool periodicWindow = true, double power = 2.0)
    {
        ArgumentNullException.ThrowIfNull(waveform);
        if (waveform.Dim is < 1 or > 2)
        {
            throw new ArgumentException($"Spectrogram: expects a waveform of shape (T) or (B, T), got {waveform.Dim} dimensions.");
        }
        if (nFft < 2 || hop < 1 || (power != 1.0 && power != 2.0))
        {
            throw new ArgumentException($"Spectrogram: need n_fft >= 2, hop >= 1 and power 1 or 2; got n_fft {nFft}, hop {hop}, power {power}.");
        }
        bool single = waveform.Dim == 1;
        var x = single ? waveform.Unsqueeze(0) : waveform;
        int batch = x.Shape[0], t = x.Shape[1];
        int pad = center ? nFft / 2 : 0;
        if (center && padMode == PadMode.Reflect && pad >= t)
        {
            throw new ArgumentException($"Spectrogram: reflect padding of {pad} samples needs a waveform longer than {pad} samples, got {t}.");
        }
        int padded = t + 2 * pad;
        if (padded < nFft)
        {
            throw new ArgumentException($"Spectrogram: a waveform of {t} samples is shorter than n_fft {nFft}.");
        }
        int frames = 1 + (padded - nFft) / hop;
        // One index_select does padding and framing: index[f, n] is the sample under frame f, position n.
        // Constant padding points at an extra zero appended at index T.
        var index = new long[frames * nFft];
        for (int f = 0; f < frames; f++)
        {
            for (int n = 0; n < nFft; n++)
            {
                int i = f * hop + n - pad;
                if (i < 0 || i >= t)
                {
                    i = padMode == PadMode.Reflect ? (i < 0 ? -i : 2 * (t - 1) - i) : t;
                }
                index[f * nFft + n] = i;
            }
        }
        var source = center && padMode == PadMode.Constant
            ? Tensor.Cat(new[] { x, Tensor.Zeros(new[] { batch, 1 }, x.DType, x.Device) }, 1)
            : x;
        var framed = source.IndexSelect(1, Tensor.FromArray(index, device: x.Device)).View(batch, frames, nFft);
        var (cos, sin) = DftBases(nFft, Windows.CreateDouble(window, nFft, periodicWindow), x);
        var re = framed.MatMul(cos);
        var im = framed.MatMul(sin);
        var spec = re * re + im * im; // (B, frames, F)
        if (power == 1.0)
        {
            spec = spec.Sqrt();
        }
        spec = spec.Transpose(1, 2);
        return single ? spec.Squeeze(0) : spec;
    }

    /// <summary>
    /// Mel spectrogram (torchaudio.transforms.MelSpectrogram with win_length = n_fft, power 2): output
    /// (n_mels, frames) or (B, n_mels, frames). Slaney scale and norm reproduce librosa's filters.
    /// </summary>
    public static Tensor MelSpectrogram(Tensor waveform, int sampleRate, int nFft = 400, int hop = 200, int nMels = 128,
        double fMin = 0.0, double? fMax = null, MelScale scale = MelScale.Htk, bool slaneyNorm = false, PadMode padMode = PadMode.Reflect)
    {
        var spec = Spectrogram(waveform, nFft, hop, true, padMode);
        var fb = MelFilterbank.Create(nFft / 2 + 1, fMin, fMax ?? sampleRate / 2, nMels, sampleRate, scale, slaneyNorm);
        // fb.Weights is (n_mels, F): the spectrogram is (.., F, frames), so mel = W @ spec.
        var w = Tensor.FromArray(fb.Weights, new[] { nMels, nFft / 2 + 1 }, spec.Device).To(spec.DType);
        return w.MatMul(spec);
    }

    /// <summary>
    /// multiplier * log10(max(x, amin)), then (with topDb) clamped below at each waveform's maximum minus topDb.
    /// Input (F, frames) or (B, F, frames). torchaudio takes one maximum over a whole 3-D batch; this takes it per waveform.
    /// </summary>
    public static Tensor AmplitudeToDb(Tensor x, double multiplier = 10.0, double amin = 1e-10, double? topDb = 80.0)
    {
        ArgumentNullException.ThrowIfNull(x);
        var db = x.Clamp(min: amin).Log() * (multiplier / Math.Log(10.0));
        if (topDb is double top)
        {
            var dims = x.Dim >= 3 ? new[] { x.Dim - 2, x.Dim - 1 } : null;
            var floor = db.Amax(dims, keepDim: x.Dim >= 3) - top;
            db = db.Maximum(floor);
        }
        return db;
    }

    /// <summary>
    /// MFCCs of waveforms (T) or (B, T) at <paramref name="sampleRate"/> for the torchaudio or librosa preset
    /// options: output (n_mfcc, frames) or (B, n_mfcc, frames). The Kaldi preset is not differentiable here.
    /// </summary>
    public static Tensor Mfcc(Tensor waveform, int sampleRate, MfccOptions? options = null)
    {
        options ??= new MfccOptions();
        if (options.Preset == MfccPreset.Kaldi)
        {
            throw new NotSupportedException("Mfcc: the kaldi preset has no tensor version; use torchaudio or librosa, or FeaturePipeline for Kaldi features.");
        }
        var o = options.ToFeatureOptions(sampleRate);
        var mel = MelSpectrogram(waveform, sampleRate, o.FftLength, o.Hop, o.NMels, o.FMin, o.FMax, o.MelScale, o.SlaneyNorm, o.PadMode);
        var db = AmplitudeToDb(mel, 10.0, 1e-10, o.TopDb);
        var dct = Tensor.FromArray(Dct.Matrix(o.NMfcc, o.NMels), new[] { o.NMfcc, o.NMels }, db.Device).To(db.DType);
        return dct.MatMul(db);
    }

    /// <summary>Windowed real-DFT bases (n_fft, F): cos[n, k] = w[n] cos(2 pi k n / N), sin[n, k] = -w[n] sin(2 pi k n / N).</summary>
    private static (Tensor Cos, Tensor Sin) DftBases(int nFft, double[] window, Tensor like)
    {
        int bins = nFft / 2 + 1;
        var c = new double[nFft * bins];
        var s = new double[nFft * bins];
        for (int n = 0; n < nFft; n++)
        {
            for (int k = 0; k < bins; k++)
            {
                double a = 2.0 * Math.PI * ((long)k * n % nFft) / nFft;
                c[n * bins + k] = window[n] * Math.Cos(a);
                s[n * bins + k] = -window[n] * Math.Sin(a);
            }
        }
        var shape = new[] { nFft, bins };
        return (Tensor.FromArray(c, shape, like.Device).To(like.DType), Tensor.FromArray(s, shape, like.Device).To(like.DType));
    }
}
