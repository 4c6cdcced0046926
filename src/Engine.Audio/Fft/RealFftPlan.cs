namespace Engine.Audio.Fft;

/// <summary>
/// A forward FFT of real input of length n, returning the n/2 + 1 non-negative-frequency bins.
/// Even n packs the signal as z_j = x_{2j} + i x_{2j+1}, runs an n/2-point complex FFT and splits the
/// result (half the work of a full complex FFT); odd n runs an n-point complex FFT on x + 0i.
/// </summary>
public sealed class RealFftPlan
{
    private readonly FftPlan _complex;
    // e^{-2 pi i k / n} for k = 0..n/2 (even n only).
    private readonly float[] _wRe;
    private readonly float[] _wIm;
    private readonly double[] _wReD;
    private readonly double[] _wImD;

    /// <summary>Plans a real-input FFT of length <paramref name="length"/> (at least 1).</summary>
    public RealFftPlan(int length)
    {
        if (length < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "RealFftPlan: length must be at least 1.");
        }
        Length = length;
        IsPacked = length % 2 == 0;
        _complex = new FftPlan(IsPacked ? length / 2 : length);
        int h = length / 2;
        _wRe = new float[h + 1];
        _wIm = new float[h + 1];
        _wReD = new double[h + 1];
        _wImD = new double[h + 1];
        for (int k = 0; k <= h && IsPacked; k++)
        {
            double angle = -2.0 * Math.PI * k / length;
            _wRe[k] = (float)Math.Cos(angle);
            _wIm[k] = (float)Math.Sin(angle);
            _wReD[k] = Math.Cos(angle);
            _wImD[k] = Math.Sin(angle);
        }
    }

    /// <summary>The real input length n.</summary>
    public int Length { get; }

    /// <summary>Number of output bins, n/2 + 1.</summary>
    public int Bins => Length / 2 + 1;

    /// <summary>True when the input is packed two samples per complex element (even n).</summary>
    internal bool IsPacked { get; }

    /// <summary>Complex elements of the packed input: n/2 for even n, n for odd n.</summary>
    internal int ComplexLength => _complex.Length;

    /// <summary>Lane vectors of scratch for the transform.</summary>
    internal int WorkLength => _complex.WorkLength;

    /// <summary>Transforms packed input zr/zi (destroyed) into bins outRe/outIm (Bins elements each).</summary>
    internal void Forward<T, TOps>(Span<T> zr, Span<T> zi, Span<T> work, Span<T> outRe, Span<T> outIm)
        where T : unmanaged where TOps : ILaneOps<T>
    {
        _complex.Forward<T, TOps>(zr, zi, work);
        int bins = Bins;
        if (!IsPacked)
        {
            zr[..bins].CopyTo(outRe);
            zi[..bins].CopyTo(outIm);
            return;
        }
        for (int k = 0; k < bins; k++)
        {
            Split<T, TOps>(zr, zi, k, out outRe[k], out outIm[k]);
        }
    }

    /// <summary>Transforms packed input zr/zi (destroyed) into |X_k|^2 (power) or |X_k| (magnitude).</summary>
    internal void Power<T, TOps>(Span<T> zr, Span<T> zi, Span<T> work, Span<T> power, bool magnitude)
        where T : unmanaged where TOps : ILaneOps<T>
    {
        _complex.Forward<T, TOps>(zr, zi, work);
        int bins = Bins;
        for (int k = 0; k < bins; k++)
        {
            T xr, xi;
            if (IsPacked)
            {
                Split<T, TOps>(zr, zi, k, out xr, out xi);
            }
            else
            {
                xr = zr[k];
                xi = zi[k];
            }
            T p = TOps.MulAdd(xr, xr, TOps.Mul(xi, xi));
            power[k] = magnitude ? TOps.Sqrt(p) : p;
        }
    }

    /// <summary>X_k = E_k + w^k O_k with E = (Z_k + conj Z_{h-k}) / 2 and O = -i (Z_k - conj Z_{h-k}) / 2.</summary>
    private void Split<T, TOps>(Span<T> zr, Span<T> zi, int k, out T xr, out T xi)
        where T : unmanaged where TOps : ILaneOps<T>
    {
        int h = _complex.Length;
        int a = k == h ? 0 : k;
        int b = k == 0 ? 0 : h - k;
        T half = TOps.Splat(0.5f);
        T er = TOps.Mul(half, TOps.Add(zr[a], zr[b]));
        T ei = TOps.Mul(half, TOps.Sub(zi[a], zi[b]));
        T or = TOps.Mul(half, TOps.Add(zi[a], zi[b]));
        T oi = TOps.Mul(half, TOps.Sub(zr[b], zr[a]));
        T wr = TOps.Tw(_wRe, _wReD, k), wi = TOps.Tw(_wIm, _wImD, k);
        xr = TOps.Add(er, TOps.Sub(TOps.Mul(wr, or), TOps.Mul(wi, oi)));
        xi = TOps.Add(ei, TOps.MulAdd(wr, oi, TOps.Mul(wi, or)));
    }
}
