namespace Engine.Audio.Dsp;

/// <summary>
/// Rational-ratio polyphase resampling with a Kaiser-windowed sinc low-pass. The output rate over the input
/// rate is reduced to L/M; output sample n sits at input time n M / L, and its value is the windowed-sinc
/// interpolation of the input around that time, with the cutoff at the lower of the two Nyquist rates.
/// </summary>
public static class Resampler
{
    /// <summary>Resamples <paramref name="input"/> from <paramref name="fromRate"/> to <paramref name="toRate"/> Hz.</summary>
    /// <param name="input">Mono samples.</param>
    /// <param name="fromRate">Input rate in Hz.</param>
    /// <param name="toRate">Output rate in Hz.</param>
    /// <param name="zeroCrossings">Half-width of the filter in zero crossings of the sinc (quality).</param>
    /// <param name="rolloff">Cutoff as a fraction of the lower Nyquist rate.</param>
    public static float[] Resample(ReadOnlySpan<float> input, int fromRate, int toRate, int zeroCrossings = 16, double rolloff = 0.95)
    {
        if (fromRate <= 0 || toRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fromRate), $"Resampler: rates must be positive, got {fromRate} -> {toRate} Hz.");
        }
        if (zeroCrossings < 1 || rolloff <= 0 || rolloff > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(zeroCrossings), $"Resampler: zero crossings {zeroCrossings} must be >= 1 and rolloff {rolloff} in (0, 1].");
        }
        if (fromRate == toRate)
        {
            return input.ToArray();
        }
        int g = Gcd(fromRate, toRate);
        long up = toRate / g, down = fromRate / g;
        long outLength = (input.Length * up + down - 1) / down;
        var output = new float[outLength];
        // Cutoff in cycles per input sample.
        double cutoff = 0.5 * rolloff * Math.Min(1.0, (double)up / down);
        double halfWidth = zeroCrossings / (2.0 * cutoff); // in input samples
        const double beta = 8.6;
        double i0Beta = BesselI0(beta);
        // One filter per phase when the phase count is small; otherwise evaluate on the fly.
        int taps = (int)Math.Ceiling(2 * halfWidth) + 1;
        float[]? table = up <= 1024 ? new float[up * taps] : null;
        for (long phase = 0; table is not null && phase < up; phase++)
        {
            double frac = (double)phase / up;
            int first = (int)Math.Floor(frac - halfWidth) + 1;
            for (int t = 0; t < taps; t++)
            {
                table[phase * taps + t] = (float)Kernel(first + t - frac, cutoff, halfWidth, beta, i0Beta);
            }
        }
        for (long n = 0; n < outLength; n++)
        {
            long num = n * down;
            long center = num / up;
            long phase = num % up;
            double frac = (double)phase / up;
            int first = (int)Math.Floor(frac - halfWidth) + 1;
            double acc = 0;
            for (int t = 0; t < taps; t++)
            {
                long i = center + first + t;
                if (i < 0 || i >= input.Length)
                {
                    continue;
                }
                double h = table is not null ? table[phase * taps + t] : Kernel(first + t - frac, cutoff, halfWidth, beta, i0Beta);
                acc += h * input[(int)i];
            }
            output[n] = (float)acc;
        }
        return output;
    }

    /// <summary>2 fc sinc(2 fc t) times a Kaiser window over |t| &lt;= halfWidth.</summary>
    private static double Kernel(double t, double fc, double halfWidth, double beta, double i0Beta)
    {
        if (Math.Abs(t) > halfWidth)
        {
            return 0.0;
        }
        double x = 2.0 * fc * t;
        double sinc = Math.Abs(x) < 1e-12 ? 1.0 : Math.Sin(Math.PI * x) / (Math.PI * x);
        double r = t / halfWidth;
        return 2.0 * fc * sinc * BesselI0(beta * Math.Sqrt(Math.Max(0.0, 1.0 - r * r))) / i0Beta;
    }

    private static double BesselI0(double x)
    {
        double sum = 1.0, term = 1.0, q = x * x / 4.0;
        for (int k = 1; k < 64; k++)
        {
            term *= q / (k * (double)k);
            sum += term;
            if (term < sum * 1e-17)
            {
                break;
            }
        }
        return sum;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }
        return a;
    }
}
