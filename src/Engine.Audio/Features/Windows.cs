namespace Engine.Audio.Features;

/// <summary>Analysis window shapes.</summary>
public enum WindowKind
{
    /// <summary>0.5 - 0.5 cos(2 pi n / N).</summary>
    Hann,
    /// <summary>0.54 - 0.46 cos(2 pi n / N).</summary>
    Hamming,
    /// <summary>Kaldi's window: the symmetric Hann window raised to the power 0.85.</summary>
    Povey,
    /// <summary>All ones.</summary>
    Rectangular,
}

/// <summary>Window functions, as torch.hann_window / torch.hamming_window and Kaldi define them.</summary>
public static class Windows
{
    /// <summary>
    /// A window of <paramref name="length"/> samples. Periodic windows use denominator N (for spectral analysis,
    /// as torch's default); symmetric ones use N - 1. Povey is always symmetric, as in Kaldi.
    /// </summary>
    public static float[] Create(WindowKind kind, int length, bool periodic) =>
        Array.ConvertAll(CreateDouble(kind, length, periodic), v => (float)v);

    /// <summary>The window in double precision.</summary>
    public static double[] CreateDouble(WindowKind kind, int length, bool periodic)
    {
        if (length < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"Windows.Create: {kind} window length must be at least 1.");
        }
        var w = new double[length];
        if (length == 1)
        {
            w[0] = 1.0;
            return w;
        }
        bool sym = !periodic || kind == WindowKind.Povey;
        double denom = sym ? length - 1 : length;
        for (int i = 0; i < length; i++)
        {
            double c = Math.Cos(2.0 * Math.PI * i / denom);
            w[i] = kind switch
            {
                WindowKind.Hann => 0.5 - 0.5 * c,
                WindowKind.Hamming => 0.54 - 0.46 * c,
                WindowKind.Povey => Math.Pow(0.5 - 0.5 * c, 0.85),
                WindowKind.Rectangular => 1.0,
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Windows.Create: unknown window."),
            };
        }
        return w;
    }
}
