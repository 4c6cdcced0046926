namespace Engine.Audio.Features;

/// <summary>DCT-II matrices and cepstral liftering.</summary>
public static class Dct
{
    /// <summary>
    /// The DCT-II matrix, row-major (n_mfcc, n_mels): D[k, n] = cos(pi / N (n + 1/2) k), times sqrt(2/N)
    /// (and 1/sqrt 2 on row 0) when <paramref name="ortho"/>, else times 2; as torchaudio.functional.create_dct, transposed.
    /// </summary>
    public static float[] Matrix(int nMfcc, int nMels, bool ortho = true)
    {
        if (nMfcc < 1 || nMels < 1 || nMfcc > nMels)
        {
            throw new ArgumentException($"Dct.Matrix: n_mfcc={nMfcc} must be in [1, n_mels={nMels}].");
        }
        var d = new float[nMfcc * nMels];
        for (int k = 0; k < nMfcc; k++)
        {
            double scale = ortho ? Math.Sqrt(2.0 / nMels) * (k == 0 ? 1.0 / Math.Sqrt(2.0) : 1.0) : 2.0;
            for (int n = 0; n < nMels; n++)
            {
                d[k * nMels + n] = (float)(Math.Cos(Math.PI / nMels * (n + 0.5) * k) * scale);
            }
        }
        return d;
    }

    /// <summary>Kaldi's sinusoidal lifter: 1 + (L / 2) sin(pi i / L) for coefficient i; all ones when L is 0.</summary>
    public static float[] Lifter(int nCeps, double lifter)
    {
        var c = new float[nCeps];
        for (int i = 0; i < nCeps; i++)
        {
            c[i] = lifter == 0.0 ? 1f : (float)(1.0 + 0.5 * lifter * Math.Sin(Math.PI * i / lifter));
        }
        return c;
    }
}
