namespace Engine.Audio.Fft;

/// <summary>
/// Bluestein's chirp-z transform: an n-point DFT as a circular convolution of length M (a power of two,
/// M &gt;= 2n - 1), so lengths with large prime factors still cost O(n log n).
/// X_k = w_k sum_j (x_j w_j) conj(w_{k-j}) with w_j = e^{-i pi j^2 / n}.
/// </summary>
internal sealed class Bluestein
{
    private readonly int _n;
    private readonly int _m;
    private readonly FftPlan _inner;
    private readonly float[] _wRe;
    private readonly float[] _wIm;
    private readonly double[] _wReD;
    private readonly double[] _wImD;
    // FFT of the conjugate chirp, pre-scaled by 1/M for the inverse transform.
    private readonly float[] _bRe;
    private readonly float[] _bIm;
    private readonly double[] _bReD;
    private readonly double[] _bImD;

    public Bluestein(int n)
    {
        _n = n;
        _m = 1;
        while (_m < 2 * n - 1)
        {
            _m <<= 1;
        }
        _inner = new FftPlan(_m);
        _wRe = new float[n];
        _wIm = new float[n];
        _wReD = new double[n];
        _wImD = new double[n];
        var bRe = new double[_m];
        var bIm = new double[_m];
        for (int j = 0; j < n; j++)
        {
            // j^2 mod 2n keeps the angle small and exact.
            double angle = -Math.PI * ((long)j * j % (2L * n)) / n;
            _wRe[j] = (float)Math.Cos(angle);
            _wIm[j] = (float)Math.Sin(angle);
            _wReD[j] = Math.Cos(angle);
            _wImD[j] = Math.Sin(angle);
            bRe[j] = Math.Cos(angle);
            bIm[j] = -Math.Sin(angle);
            if (j > 0)
            {
                bRe[_m - j] = bRe[j];
                bIm[_m - j] = bIm[j];
            }
        }
        // The chirp spectrum is computed once in double with a direct radix-2 FFT for accuracy.
        Radix2Double(bRe, bIm);
        _bRe = new float[_m];
        _bIm = new float[_m];
        _bReD = new double[_m];
        _bImD = new double[_m];
        for (int k = 0; k < _m; k++)
        {
            _bRe[k] = (float)(bRe[k] / _m);
            _bIm[k] = (float)(bIm[k] / _m);
            _bReD[k] = bRe[k] / _m;
            _bImD[k] = bIm[k] / _m;
        }
    }

    public int WorkLength => 2 * _m + _inner.WorkLength;

    public void Forward<T, TOps>(Span<T> re, Span<T> im, Span<T> work)
        where T : unmanaged where TOps : ILaneOps<T>
    {
        var ar = work[.._m];
        var ai = work.Slice(_m, _m);
        var inner = work[(2 * _m)..];
        T zero = TOps.Splat(0f);
        for (int j = 0; j < _n; j++)
        {
            T wr = TOps.Tw(_wRe, _wReD, j), wi = TOps.Tw(_wIm, _wImD, j);
            ar[j] = TOps.Sub(TOps.Mul(re[j], wr), TOps.Mul(im[j], wi));
            ai[j] = TOps.MulAdd(re[j], wi, TOps.Mul(im[j], wr));
        }
        ar[_n..].Fill(zero);
        ai[_n..].Fill(zero);
        _inner.Forward<T, TOps>(ar, ai, inner);
        // C = A * B, then conjugate so that a forward FFT computes the inverse.
        for (int k = 0; k < _m; k++)
        {
            T br = TOps.Tw(_bRe, _bReD, k), bi = TOps.Tw(_bIm, _bImD, k);
            T cr = TOps.Sub(TOps.Mul(ar[k], br), TOps.Mul(ai[k], bi));
            T ci = TOps.MulAdd(ar[k], bi, TOps.Mul(ai[k], br));
            ar[k] = cr;
            ai[k] = TOps.Sub(zero, ci);
        }
        _inner.Forward<T, TOps>(ar, ai, inner);
        for (int k = 0; k < _n; k++)
        {
            // c_k = conj(ar + i ai); X_k = w_k c_k
            T cr = ar[k], ci = TOps.Sub(zero, ai[k]);
            T wr = TOps.Tw(_wRe, _wReD, k), wi = TOps.Tw(_wIm, _wImD, k);
            re[k] = TOps.Sub(TOps.Mul(cr, wr), TOps.Mul(ci, wi));
            im[k] = TOps.MulAdd(cr, wi, TOps.Mul(ci, wr));
        }
    }

    /// <summary>In-place iterative radix-2 forward FFT in double (setup only).</summary>
    private static void Radix2Double(double[] re, double[] im)
    {
        int n = re.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1)
            {
                j ^= bit;
            }
            j ^= bit;
            if (i < j)
            {
                (re[i], re[j]) = (re[j], re[i]);
                (im[i], im[j]) = (im[j], im[i]);
            }
        }
        for (int len = 2; len <= n; len <<= 1)
        {
            double angle = -2.0 * Math.PI / len;
            for (int i = 0; i < n; i += len)
            {
                for (int k = 0; k < len / 2; k++)
                {
                    double wr = Math.Cos(angle * k), wi = Math.Sin(angle * k);
                    int a = i + k, b = a + len / 2;
                    double tr = re[b] * wr - im[b] * wi, ti = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
    }
}
