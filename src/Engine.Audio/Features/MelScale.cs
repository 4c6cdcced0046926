namespace Engine.Audio.Features;

/// <summary>Hz-to-mel conversion formula.</summary>
public enum MelScale
{
    /// <summary>HTK: 2595 log10(1 + f / 700).</summary>
    Htk,
    /// <summary>Slaney (Auditory Toolbox): linear below 1 kHz, logarithmic above.</summary>
    Slaney,
    /// <summary>Kaldi: 1127 ln(1 + f / 700) (HTK's scale in natural log).</summary>
    Kaldi,
}

/// <summary>Conversions between Hz and mel.</summary>
public static class Mel
{
    private const double SlaneyStep = 200.0 / 3.0;
    private const double SlaneyMinLogHz = 1000.0;
    private const double SlaneyMinLogMel = SlaneyMinLogHz / SlaneyStep;
    private static readonly double SlaneyLogStep = Math.Log(6.4) / 27.0;

    /// <summary>Hz to mel on the given scale.</summary>
    public static double FromHz(double hz, MelScale scale) => scale switch
    {
        MelScale.Htk => 2595.0 * Math.Log10(1.0 + hz / 700.0),
        MelScale.Kaldi => 1127.0 * Math.Log(1.0 + hz / 700.0),
        _ => hz >= SlaneyMinLogHz ? SlaneyMinLogMel + Math.Log(hz / SlaneyMinLogHz) / SlaneyLogStep : hz / SlaneyStep,
    };

    /// <summary>Mel to Hz on the given scale.</summary>
    public static double ToHz(double mel, MelScale scale) => scale switch
    {
        MelScale.Htk => 700.0 * (Math.Pow(10.0, mel / 2595.0) - 1.0),
        MelScale.Kaldi => 700.0 * (Math.Exp(mel / 1127.0) - 1.0),
        _ => mel >= SlaneyMinLogMel ? SlaneyMinLogHz * Math.Exp(SlaneyLogStep * (mel - SlaneyMinLogMel)) : SlaneyStep * mel,
    };
}
