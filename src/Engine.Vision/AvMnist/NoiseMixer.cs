namespace Engine.Vision.AvMnist;

/// <summary>Mixes background noise into a clean signal at a chosen signal-to-noise ratio (plain float samples; no audio I/O).</summary>
/// <remarks>
/// Both signals must have the same sample rate: FSDD is 8 kHz and the Speech Commands noise clips are
/// 16 kHz, so resample the noise first. The noise segment starts at an offset and wraps around the
/// clip when the signal is longer than what remains. The output is not clipped.
/// </remarks>
public static class NoiseMixer
{
    /// <summary>Mean of the squared samples.</summary>
    public static double Power(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x)
        {
            sum += (double)v * v;
        }

        return x.IsEmpty ? 0 : sum / x.Length;
    }

    /// <summary>The SNR in dB of <paramref name="noisy"/> against the clean <paramref name="clean"/> signal: 10 log10(P(clean) / P(noisy - clean)).</summary>
    public static double SnrDb(ReadOnlySpan<float> clean, ReadOnlySpan<float> noisy)
    {
        if (clean.Length != noisy.Length)
        {
            throw new ArgumentException($"NoiseMixer.SnrDb: lengths differ ({clean.Length} and {noisy.Length}).");
        }

        double noise = 0;
        for (int i = 0; i < clean.Length; i++)
        {
            double d = (double)noisy[i] - clean[i];
            noise += d * d;
        }

        return 10 * Math.Log10(Power(clean) * clean.Length / noise);
    }

    /// <summary>
    /// <paramref name="signal"/> plus the noise segment starting at <paramref name="noiseOffset"/>, scaled so
    /// that the signal-to-noise ratio of the result is <paramref name="snrDb"/> dB.
    /// </summary>
    public static float[] MixAtSnr(ReadOnlySpan<float> signal, ReadOnlySpan<float> noise, double snrDb, int noiseOffset)
    {
        if (signal.IsEmpty)
        {
            throw new ArgumentException("NoiseMixer.MixAtSnr: the signal is empty.");
        }

        if (noise.IsEmpty)
        {
            throw new ArgumentException("NoiseMixer.MixAtSnr: the noise clip is empty.");
        }

        if (!double.IsFinite(snrDb))
        {
            throw new ArgumentOutOfRangeException(nameof(snrDb), snrDb, "NoiseMixer.MixAtSnr: the SNR must be finite.");
        }

        if ((uint)noiseOffset >= (uint)noise.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(noiseOffset), noiseOffset,
                $"NoiseMixer.MixAtSnr: offset must be in 0..{noise.Length - 1}.");
        }

        var segment = new float[signal.Length];
        for (int i = 0; i < segment.Length; i++)
        {
            segment[i] = noise[(int)((noiseOffset + (long)i) % noise.Length)];
        }

        double ps = Power(signal), pn = Power(segment);
        if (ps == 0 || !double.IsFinite(ps))
        {
            throw new ArgumentException($"NoiseMixer.MixAtSnr: the signal has power {ps}; an SNR needs a non-silent, finite signal.");
        }

        if (pn == 0 || !double.IsFinite(pn))
        {
            throw new ArgumentException(
                $"NoiseMixer.MixAtSnr: the noise segment at offset {noiseOffset} ({signal.Length} samples) has power {pn}.");
        }

        // P(signal) / (g^2 P(noise)) = 10^(snr/10)
        double gain = Math.Sqrt(ps / (pn * Math.Pow(10, snrDb / 10)));
        var output = new float[signal.Length];
        for (int i = 0; i < output.Length; i++)
        {
            output[i] = (float)(signal[i] + (gain * segment[i]));
        }

        return output;
    }

    /// <summary>As <see cref="MixAtSnr(ReadOnlySpan{float}, ReadOnlySpan{float}, double, int)"/> with the noise offset drawn uniformly from <paramref name="random"/>.</summary>
    public static float[] MixAtSnr(ReadOnlySpan<float> signal, ReadOnlySpan<float> noise, double snrDb, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (noise.IsEmpty)
        {
            throw new ArgumentException("NoiseMixer.MixAtSnr: the noise clip is empty.");
        }

        return MixAtSnr(signal, noise, snrDb, random.Next(noise.Length));
    }
}
