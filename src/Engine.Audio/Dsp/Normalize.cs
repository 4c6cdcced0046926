namespace Engine.Audio.Dsp;

/// <summary>Amplitude normalisation in place.</summary>
public static class Normalize
{
    /// <summary>Scales so the largest |x| equals <paramref name="target"/>; a silent signal is left as is. Returns the gain.</summary>
    public static float Peak(Span<float> x, float target = 1f)
    {
        float peak = 0f;
        foreach (float v in x)
        {
            peak = Math.Max(peak, Math.Abs(v));
        }
        return Scale(x, peak, target);
    }

    /// <summary>Scales so the root-mean-square equals <paramref name="target"/>; a silent signal is left as is. Returns the gain.</summary>
    public static float Rms(Span<float> x, float target = 0.1f)
    {
        double sum = 0;
        foreach (float v in x)
        {
            sum += (double)v * v;
        }
        return Scale(x, x.IsEmpty ? 0f : (float)Math.Sqrt(sum / x.Length), target);
    }

    private static float Scale(Span<float> x, float level, float target)
    {
        if (!(target >= 0f) || float.IsInfinity(target))
        {
            throw new ArgumentOutOfRangeException(nameof(target), target, "Normalize: target level must be finite and >= 0.");
        }
        if (level == 0f || !float.IsFinite(level))
        {
            return 1f;
        }
        float gain = target / level;
        for (int i = 0; i < x.Length; i++)
        {
            x[i] *= gain;
        }
        return gain;
    }
}
