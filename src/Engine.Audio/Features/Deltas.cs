namespace Engine.Audio.Features;

/// <summary>Time derivatives and normalisation of feature matrices (frames, coefficients).</summary>
public static class Deltas
{
    /// <summary>
    /// Regression deltas as torchaudio.functional.compute_deltas: d_t = sum_{k=1..N} k (c_{t+k} - c_{t-k}) /
    /// (2 sum k^2), N = (winLength - 1) / 2, edges padded by repeating the first and last frame.
    /// </summary>
    public static float[,] Compute(float[,] features, int winLength = 5)
    {
        if (winLength < 3)
        {
            throw new ArgumentOutOfRangeException(nameof(winLength), winLength, "Deltas.Compute: window must be at least 3.");
        }
        int t = features.GetLength(0), c = features.GetLength(1), n = (winLength - 1) / 2;
        double denom = n * (n + 1) * (2.0 * n + 1) / 3.0;
        var d = new float[t, c];
        for (int i = 0; i < t; i++)
        {
            for (int j = 0; j < c; j++)
            {
                double acc = 0;
                for (int k = 1; k <= n; k++)
                {
                    acc += k * (features[Math.Min(t - 1, i + k), j] - features[Math.Max(0, i - k), j]);
                }
                d[i, j] = (float)(acc / denom);
            }
        }
        return d;
    }

    /// <summary>Per-utterance mean (and optionally variance) normalisation of each coefficient, in place.</summary>
    public static void Cmvn(float[,] features, bool normalizeVariance = true)
    {
        int t = features.GetLength(0), c = features.GetLength(1);
        if (t == 0)
        {
            return;
        }
        for (int j = 0; j < c; j++)
        {
            double sum = 0, sq = 0;
            for (int i = 0; i < t; i++)
            {
                sum += features[i, j];
                sq += (double)features[i, j] * features[i, j];
            }
            double mean = sum / t;
            double std = Math.Sqrt(Math.Max(0.0, sq / t - mean * mean));
            double scale = normalizeVariance && std > 1e-10 ? 1.0 / std : 1.0;
            for (int i = 0; i < t; i++)
            {
                features[i, j] = (float)((features[i, j] - mean) * scale);
            }
        }
    }

    /// <summary>Features, deltas and delta-deltas side by side: (frames, 3 coefficients).</summary>
    public static float[,] Stack(float[,] features, int winLength = 5)
    {
        var d1 = Compute(features, winLength);
        var d2 = Compute(d1, winLength);
        int t = features.GetLength(0), c = features.GetLength(1);
        var output = new float[t, 3 * c];
        for (int i = 0; i < t; i++)
        {
            for (int j = 0; j < c; j++)
            {
                output[i, j] = features[i, j];
                output[i, c + j] = d1[i, j];
                output[i, 2 * c + j] = d2[i, j];
            }
        }
        return output;
    }
}
