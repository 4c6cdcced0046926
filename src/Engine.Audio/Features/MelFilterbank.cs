namespace Engine.Audio.Features;

/// <summary>
/// Triangular mel filters over the bins of a one-sided spectrum, stored row-major (mel, freq) with the
/// non-zero span of each row so that applying them touches only the triangle.
/// </summary>
public sealed class MelFilterbank
{
    private MelFilterbank(int nMels, int nFreqs, float[] weights)
    {
        NMels = nMels;
        NFreqs = nFreqs;
        Weights = weights;
        Start = new int[nMels];
        End = new int[nMels];
        for (int m = 0; m < nMels; m++)
        {
            var row = weights.AsSpan(m * nFreqs, nFreqs);
            int s = 0, e = nFreqs;
            while (s < e && row[s] == 0f)
            {
                s++;
            }
            while (e > s && row[e - 1] == 0f)
            {
                e--;
            }
            Start[m] = s;
            End[m] = e;
        }
    }

    /// <summary>Number of mel filters.</summary>
    public int NMels { get; }

    /// <summary>Number of spectrum bins each filter spans (n_fft / 2 + 1).</summary>
    public int NFreqs { get; }

    /// <summary>Weights, row-major (NMels, NFreqs).</summary>
    public float[] Weights { get; }

    /// <summary>First non-zero bin of each filter.</summary>
    public int[] Start { get; }

    /// <summary>One past the last non-zero bin of each filter.</summary>
    public int[] End { get; }

    /// <summary>
    /// torchaudio.functional.melscale_fbanks: filters whose corners are n_mels + 2 points evenly spaced in mel
    /// between f_min and f_max, evaluated at linspace(0, sample_rate // 2, n_freqs); Slaney normalisation divides
    /// each triangle by half its width in Hz so every filter has the same area.
    /// </summary>
    public static MelFilterbank Create(int nFreqs, double fMin, double fMax, int nMels, int sampleRate,
        MelScale scale = MelScale.Htk, bool slaneyNorm = false)
    {
        if (nFreqs < 2 || nMels < 1 || sampleRate <= 0 || fMin < 0 || fMax <= fMin)
        {
            throw new ArgumentException($"MelFilterbank.Create: bad options n_freqs={nFreqs}, n_mels={nMels}, sample_rate={sampleRate}, f_min={fMin}, f_max={fMax}.");
        }
        var freqs = new double[nFreqs];
        double top = sampleRate / 2; // integer division, as torchaudio's linspace(0, sample_rate // 2, n_freqs)
        for (int k = 0; k < nFreqs; k++)
        {
            freqs[k] = top * k / (nFreqs - 1);
        }
        double mMin = Mel.FromHz(fMin, scale), mMax = Mel.FromHz(fMax, scale);
        var pts = new double[nMels + 2];
        for (int i = 0; i < nMels + 2; i++)
        {
            pts[i] = Mel.ToHz(mMin + (mMax - mMin) * i / (nMels + 1), scale);
        }
        var w = new float[nMels * nFreqs];
        for (int m = 0; m < nMels; m++)
        {
            double norm = slaneyNorm ? 2.0 / (pts[m + 2] - pts[m]) : 1.0;
            for (int k = 0; k < nFreqs; k++)
            {
                double down = (freqs[k] - pts[m]) / (pts[m + 1] - pts[m]);
                double up = (pts[m + 2] - freqs[k]) / (pts[m + 2] - pts[m + 1]);
                w[m * nFreqs + k] = (float)(Math.Max(0.0, Math.Min(down, up)) * norm);
            }
        }
        return new MelFilterbank(nMels, nFreqs, w);
    }

    /// <summary>
    /// Kaldi's filterbank (torchaudio.compliance.kaldi.get_mel_banks without VTLN): triangles in the
    /// 1127 ln(1 + f/700) mel domain between low_freq and high_freq (high_freq &lt;= 0 counts back from Nyquist),
    /// over padded_window / 2 + 1 bins with the Nyquist bin weighted zero.
    /// </summary>
    public static MelFilterbank Kaldi(int nMels, int paddedWindow, double sampleRate, double lowFreq, double highFreq)
    {
        double nyquist = 0.5 * sampleRate;
        if (highFreq <= 0.0)
        {
            highFreq += nyquist;
        }
        if (nMels <= 3 || paddedWindow % 2 != 0 || !(lowFreq >= 0 && lowFreq < nyquist && highFreq > 0 && highFreq <= nyquist && lowFreq < highFreq))
        {
            throw new ArgumentException($"MelFilterbank.Kaldi: bad options num_mel_bins={nMels} (need > 3), padded window={paddedWindow} (need even), low_freq={lowFreq}, high_freq={highFreq}, nyquist={nyquist}.");
        }
        int nFft = paddedWindow / 2;
        double binWidth = sampleRate / paddedWindow;
        double mLow = Mel.FromHz(lowFreq, MelScale.Kaldi), mHigh = Mel.FromHz(highFreq, MelScale.Kaldi);
        double delta = (mHigh - mLow) / (nMels + 1);
        int nFreqs = nFft + 1;
        var w = new float[nMels * nFreqs];
        for (int m = 0; m < nMels; m++)
        {
            double left = mLow + m * delta, center = left + delta, right = center + delta;
            for (int k = 0; k < nFft; k++)
            {
                double mel = Mel.FromHz(binWidth * k, MelScale.Kaldi);
                double up = (mel - left) / (center - left), down = (right - mel) / (right - center);
                w[m * nFreqs + k] = (float)Math.Max(0.0, Math.Min(up, down));
            }
        }
        return new MelFilterbank(nMels, nFreqs, w);
    }

    /// <summary>mel[m] = sum_k weights[m, k] spectrum[k] for one frame.</summary>
    public void Apply(ReadOnlySpan<float> spectrum, Span<float> mel)
    {
        if (spectrum.Length != NFreqs || mel.Length < NMels)
        {
            throw new ArgumentException($"MelFilterbank.Apply: spectrum has {spectrum.Length} bins (need {NFreqs}), output has {mel.Length} slots (need {NMels}).");
        }
        for (int m = 0; m < NMels; m++)
        {
            double acc = 0;
            for (int k = Start[m]; k < End[m]; k++)
            {
                acc += Weights[m * NFreqs + k] * spectrum[k];
            }
            mel[m] = (float)acc;
        }
    }
}
