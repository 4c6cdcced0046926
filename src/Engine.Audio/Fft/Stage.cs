using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engine.Audio.Fft;

/// <summary>
/// One Stockham stage: radix r on a sub-transform of length n with stride s (n * s = total length).
/// For p &lt; m = n/r and q &lt; s it reads a_k = x[q + s(p + k m)], forms the r-point DFT b_t and writes
/// y[q + s(r p + t)] = b_t w^{p t} with w = e^{-2 pi i / n}. Output order is natural after the last stage.
/// </summary>
internal sealed class Stage
{
    private readonly int _n;
    private readonly int _m;
    // Twiddles w^{p t} for t = 1..r-1, laid out [p * (r - 1) + t - 1].
    private readonly float[] _twRe;
    private readonly float[] _twIm;
    private readonly double[] _twReD;
    private readonly double[] _twImD;
    // Direct-butterfly table cos/sin(2 pi t k / r) for the generic radices.
    private readonly float[] _cos;
    private readonly float[] _sin;
    private readonly double[] _cosD;
    private readonly double[] _sinD;

    public Stage(int radix, int n)
    {
        Radix = radix;
        _n = n;
        _m = n / radix;
        _twRe = new float[_m * (radix - 1)];
        _twIm = new float[_m * (radix - 1)];
        _twReD = new double[_m * (radix - 1)];
        _twImD = new double[_m * (radix - 1)];
        for (int p = 0; p < _m; p++)
        {
            for (int t = 1; t < radix; t++)
            {
                // Reduce p*t mod n in integers before the angle, so large products lose no precision.
                double angle = -2.0 * Math.PI * ((long)p * t % n) / n;
                _twRe[p * (radix - 1) + t - 1] = (float)Math.Cos(angle);
                _twIm[p * (radix - 1) + t - 1] = (float)Math.Sin(angle);
                _twReD[p * (radix - 1) + t - 1] = Math.Cos(angle);
                _twImD[p * (radix - 1) + t - 1] = Math.Sin(angle);
            }
        }
        _cos = new float[radix * radix];
        _sin = new float[radix * radix];
        _cosD = new double[radix * radix];
        _sinD = new double[radix * radix];
        for (int t = 0; t < radix; t++)
        {
            for (int k = 0; k < radix; k++)
            {
                double angle = 2.0 * Math.PI * (t * k % radix) / radix;
                _cos[t * radix + k] = (float)Math.Cos(angle);
                _sin[t * radix + k] = (float)Math.Sin(angle);
                _cosD[t * radix + k] = Math.Cos(angle);
                _sinD[t * radix + k] = Math.Sin(angle);
            }
        }
    }

    public int Radix { get; }

    public void Run<T, TOps>(Span<T> xr, Span<T> xi, Span<T> yr, Span<T> yi, int s)
        where T : unmanaged where TOps : ILaneOps<T>
    {
        switch (Radix)
        {
            case 2: Radix2<T, TOps>(xr, xi, yr, yi, s); break;
            case 3: Radix3<T, TOps>(xr, xi, yr, yi, s); break;
            case 4: Radix4<T, TOps>(xr, xi, yr, yi, s); break;
            case 5: Radix5<T, TOps>(xr, xi, yr, yi, s); break;
            default: RadixGeneric<T, TOps>(xr, xi, yr, yi, s); break;
        }
    }

    /// <summary>(ar + i ai)(br + i bi), real part.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T CRe<T, TOps>(T ar, T ai, T br, T bi) where T : unmanaged where TOps : ILaneOps<T> =>
        TOps.Sub(TOps.Mul(ar, br), TOps.Mul(ai, bi));

    /// <summary>(ar + i ai)(br + i bi), imaginary part.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T CIm<T, TOps>(T ar, T ai, T br, T bi) where T : unmanaged where TOps : ILaneOps<T> =>
        TOps.MulAdd(ar, bi, TOps.Mul(ai, br));

    private void Radix2<T, TOps>(Span<T> xr, Span<T> xi, Span<T> yr, Span<T> yi, int s)
        where T : unmanaged where TOps : ILaneOps<T>
    {
        ref T xrR = ref MemoryMarshal.GetReference(xr);
        ref T xiR = ref MemoryMarshal.GetReference(xi);
        ref T yrR = ref MemoryMarshal.GetReference(yr);
        ref T yiR = ref MemoryMarshal.GetReference(yi);
        int m = _m;
        for (int p = 0; p < m; p++)
        {
            T wr = TOps.Tw(_twRe, _twReD, p), wi = TOps.Tw(_twIm, _twImD, p);
            for (int q = 0; q < s; q++)
            {
                int i0 = q + s * p, i1 = i0 + s * m;
                T ar = Unsafe.Add(ref xrR, i0), ai = Unsafe.Add(ref xiR, i0), br = Unsafe.Add(ref xrR, i1), bi = Unsafe.Add(ref xiR, i1);
                int o = q + s * 2 * p;
                Unsafe.Add(ref yrR, o) = TOps.Add(ar, br);
                Unsafe.Add(ref yiR, o) = TOps.Add(ai, bi);
                T dr = TOps.Sub(ar, br), di = TOps.Sub(ai, bi);
                Unsafe.Add(ref yrR, o + s) = CRe<T, TOps>(dr, di, wr, wi);
                Unsafe.Add(ref yiR, o + s) = CIm<T, TOps>(dr, di, wr, wi);
            }
        }
    }

    private void Radix3<T, TOps>(Span<T> xr, Span<T> xi, Span<T> yr, Span<T> yi, int s)
        where T : unmanaged where TOps : ILaneOps<T>
    {
        ref T xrR = ref MemoryMarshal.GetReference(xr);
        ref T xiR = ref MemoryMarshal.GetReference(xi);
        ref T yrR = ref MemoryMarshal.GetReference(yr);
        ref T yiR = ref MemoryMarshal.GetReference(yi);
        int m = _m;
        T half = TOps.Splat(-0.5f);
        T sn = TOps.SplatD(Math.Sqrt(3.0) / 2.0);
        for (int p = 0; p < m; p++)
        {
            T w1r = TOps.Tw(_twRe, _twReD, 2 * p), w1i = TOps.Tw(_twIm, _twImD, 2 * p);
            T w2r = TOps.Tw(_twRe, _twReD, 2 * p + 1), w2i = TOps.Tw(_twIm, _twImD, 2 * p + 1);
            for (int q = 0; q < s; q++)
            {
                int i0 = q + s * p, i1 = i0 + s * m, i2 = i1 + s * m;
                T a0r = Unsafe.Add(ref xrR, i0), a0i = Unsafe.Add(ref xiR, i0);
                T t0r = TOps.Add(Unsafe.Add(ref xrR, i1), Unsafe.Add(ref xrR, i2)), t0i = TOps.Add(Unsafe.Add(ref xiR, i1), Unsafe.Add(ref xiR, i2));
                T dr = TOps.Sub(Unsafe.Add(ref xrR, i1), Unsafe.Add(ref xrR, i2)), di = TOps.Sub(Unsafe.Add(ref xiR, i1), Unsafe.Add(ref xiR, i2));
                T t1r = TOps.MulAdd(t0r, half, a0r), t1i = TOps.MulAdd(t0i, half, a0i);
                // -i * sin(2pi/3) * d
                T t2r = TOps.Mul(sn, di), t2i = TOps.Sub(TOps.Splat(0f), TOps.Mul(sn, dr));
                int o = q + s * 3 * p;
                Unsafe.Add(ref yrR, o) = TOps.Add(a0r, t0r);
                Unsafe.Add(ref yiR, o) = TOps.Add(a0i, t0i);
                T b1r = TOps.Add(t1r, t2r), b1i = TOps.Add(t1i, t2i);
                T b2r = TOps.Sub(t1r, t2r), b2i = TOps.Sub(t1i, t2i);
                Unsafe.Add(ref yrR, o + s) = CRe<T, TOps>(b1r, b1i, w1r, w1i);
                Unsafe.Add(ref yiR, o + s) = CIm<T, TOps>(b1r, b1i, w1r, w1i);
                Unsafe.Add(ref yrR, o + 2 * s) = CRe<T, TOps>(b2r, b2i, w2r, w2i);
                Unsafe.Add(ref yiR, o + 2 * s) = CIm<T, TOps>(b2r, b2i, w2r, w2i);
            }
        }
    }

    private void Radix4<T, TOps>(Span<T> xr, Span<T> xi, Span<T> yr, Span<T> yi, int s)
        where T : unmanaged where TOps : ILaneOps<T>
    {
        ref T xrR = ref MemoryMarshal.GetReference(xr);
        ref T xiR = ref MemoryMarshal.GetReference(xi);
        ref T yrR = ref MemoryMarshal.GetReference(yr);
        ref T yiR = ref MemoryMarshal.GetReference(yi);
        int m = _m;
        for (int p = 0; p < m; p++)
        {
            T w1r = TOps.Tw(_twRe, _twReD, 3 * p), w1i = TOps.Tw(_twIm, _twImD, 3 * p);
            T w2r = TOps.Tw(_twRe, _twReD, 3 * p + 1), w2i = TOps.Tw(_twIm, _twImD, 3 * p + 1);
            T w3r = TOps.Tw(_twRe, _twReD, 3 * p + 2), w3i = TOps.Tw(_twIm, _twImD, 3 * p + 2);
            for (int q = 0; q < s; q++)
            {
                int i0 = q + s * p, i1 = i0 + s * m, i2 = i1 + s * m, i3 = i2 + s * m;
                T s02r = TOps.Add(Unsafe.Add(ref xrR, i0), Unsafe.Add(ref xrR, i2)), s02i = TOps.Add(Unsafe.Add(ref xiR, i0), Unsafe.Add(ref xiR, i2));
                T d02r = TOps.Sub(Unsafe.Add(ref xrR, i0), Unsafe.Add(ref xrR, i2)), d02i = TOps.Sub(Unsafe.Add(ref xiR, i0), Unsafe.Add(ref xiR, i2));
                T s13r = TOps.Add(Unsafe.Add(ref xrR, i1), Unsafe.Add(ref xrR, i3)), s13i = TOps.Add(Unsafe.Add(ref xiR, i1), Unsafe.Add(ref xiR, i3));
                T d13r = TOps.Sub(Unsafe.Add(ref xrR, i1), Unsafe.Add(ref xrR, i3)), d13i = TOps.Sub(Unsafe.Add(ref xiR, i1), Unsafe.Add(ref xiR, i3));
                int o = q + s * 4 * p;
                Unsafe.Add(ref yrR, o) = TOps.Add(s02r, s13r);
                Unsafe.Add(ref yiR, o) = TOps.Add(s02i, s13i);
                // -i * d13 = (d13i, -d13r)
                T b1r = TOps.Add(d02r, d13i), b1i = TOps.Sub(d02i, d13r);
                T b2r = TOps.Sub(s02r, s13r), b2i = TOps.Sub(s02i, s13i);
                T b3r = TOps.Sub(d02r, d13i), b3i = TOps.Add(d02i, d13r);
                Unsafe.Add(ref yrR, o + s) = CRe<T, TOps>(b1r, b1i, w1r, w1i);
                Unsafe.Add(ref yiR, o + s) = CIm<T, TOps>(b1r, b1i, w1r, w1i);
                Unsafe.Add(ref yrR, o + 2 * s) = CRe<T, TOps>(b2r, b2i, w2r, w2i);
                Unsafe.Add(ref yiR, o + 2 * s) = CIm<T, TOps>(b2r, b2i, w2r, w2i);
                Unsafe.Add(ref yrR, o + 3 * s) = CRe<T, TOps>(b3r, b3i, w3r, w3i);
                Unsafe.Add(ref yiR, o + 3 * s) = CIm<T, TOps>(b3r, b3i, w3r, w3i);
            }
        }
    }

    private void Radix5<T, TOps>(Span<T> xr, Span<T> xi, Span<T> yr, Span<T> yi, int s)
        where T : unmanaged where TOps : ILaneOps<T>
    {
        ref T xrR = ref MemoryMarshal.GetReference(xr);
        ref T xiR = ref MemoryMarshal.GetReference(xi);
        ref T yrR = ref MemoryMarshal.GetReference(yr);
        ref T yiR = ref MemoryMarshal.GetReference(yi);
        int m = _m;
        T c1 = TOps.SplatD(Math.Cos(2 * Math.PI / 5)), c2 = TOps.SplatD(Math.Cos(4 * Math.PI / 5));
        T s1 = TOps.SplatD(Math.Sin(2 * Math.PI / 5)), s2 = TOps.SplatD(Math.Sin(4 * Math.PI / 5));
        for (int p = 0; p < m; p++)
        {
            int tw = 4 * p;
            for (int q = 0; q < s; q++)
            {
                int i0 = q + s * p, i1 = i0 + s * m, i2 = i1 + s * m, i3 = i2 + s * m, i4 = i3 + s * m;
                T a0r = Unsafe.Add(ref xrR, i0), a0i = Unsafe.Add(ref xiR, i0);
                T t1r = TOps.Add(Unsafe.Add(ref xrR, i1), Unsafe.Add(ref xrR, i4)), t1i = TOps.Add(Unsafe.Add(ref xiR, i1), Unsafe.Add(ref xiR, i4));
                T t2r = TOps.Add(Unsafe.Add(ref xrR, i2), Unsafe.Add(ref xrR, i3)), t2i = TOps.Add(Unsafe.Add(ref xiR, i2), Unsafe.Add(ref xiR, i3));
                T t3r = TOps.Sub(Unsafe.Add(ref xrR, i1), Unsafe.Add(ref xrR, i4)), t3i = TOps.Sub(Unsafe.Add(ref xiR, i1), Unsafe.Add(ref xiR, i4));
                T t4r = TOps.Sub(Unsafe.Add(ref xrR, i2), Unsafe.Add(ref xrR, i3)), t4i = TOps.Sub(Unsafe.Add(ref xiR, i2), Unsafe.Add(ref xiR, i3));
                T m1r = TOps.MulAdd(c2, t2r, TOps.MulAdd(c1, t1r, a0r));
                T m1i = TOps.MulAdd(c2, t2i, TOps.MulAdd(c1, t1i, a0i));
                T m2r = TOps.MulAdd(c1, t2r, TOps.MulAdd(c2, t1r, a0r));
                T m2i = TOps.MulAdd(c1, t2i, TOps.MulAdd(c2, t1i, a0i));
                // u = s1 t3 + s2 t4, v = s2 t3 - s1 t4; b1 = m1 - i u, b4 = m1 + i u, b2 = m2 - i v, b3 = m2 + i v.
                T ur = TOps.MulAdd(s2, t4r, TOps.Mul(s1, t3r)), ui = TOps.MulAdd(s2, t4i, TOps.Mul(s1, t3i));
                T vr = TOps.Sub(TOps.Mul(s2, t3r), TOps.Mul(s1, t4r)), vi = TOps.Sub(TOps.Mul(s2, t3i), TOps.Mul(s1, t4i));
                int o = q + s * 5 * p;
                Unsafe.Add(ref yrR, o) = TOps.Add(a0r, TOps.Add(t1r, t2r));
                Unsafe.Add(ref yiR, o) = TOps.Add(a0i, TOps.Add(t1i, t2i));
                Twiddle<T, TOps>(TOps.Add(m1r, ui), TOps.Sub(m1i, ur), tw, ref yrR, ref yiR, o + s);
                Twiddle<T, TOps>(TOps.Add(m2r, vi), TOps.Sub(m2i, vr), tw + 1, ref yrR, ref yiR, o + 2 * s);
                Twiddle<T, TOps>(TOps.Sub(m2r, vi), TOps.Add(m2i, vr), tw + 2, ref yrR, ref yiR, o + 3 * s);
                Twiddle<T, TOps>(TOps.Sub(m1r, ui), TOps.Add(m1i, ur), tw + 3, ref yrR, ref yiR, o + 4 * s);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Twiddle<T, TOps>(T br, T bi, int tw, ref T yrR, ref T yiR, int o)
        where T : unmanaged where TOps : ILaneOps<T>
    {
        T wr = TOps.Tw(_twRe, _twReD, tw), wi = TOps.Tw(_twIm, _twImD, tw);
        Unsafe.Add(ref yrR, o) = CRe<T, TOps>(br, bi, wr, wi);
        Unsafe.Add(ref yiR, o) = CIm<T, TOps>(br, bi, wr, wi);
    }

    private void RadixGeneric<T, TOps>(Span<T> xr, Span<T> xi, Span<T> yr, Span<T> yi, int s)
        where T : unmanaged where TOps : ILaneOps<T>
    {
        ref T xrR = ref MemoryMarshal.GetReference(xr);
        ref T xiR = ref MemoryMarshal.GetReference(xi);
        ref T yrR = ref MemoryMarshal.GetReference(yr);
        ref T yiR = ref MemoryMarshal.GetReference(yi);
        int r = Radix, m = _m;
        Span<T> ar = stackalloc T[r];
        Span<T> ai = stackalloc T[r];
        for (int p = 0; p < m; p++)
        {
            for (int q = 0; q < s; q++)
            {
                for (int k = 0; k < r; k++)
                {
                    ar[k] = Unsafe.Add(ref xrR, q + s * (p + k * m));
                    ai[k] = Unsafe.Add(ref xiR, q + s * (p + k * m));
                }
                int o = q + s * r * p;
                for (int t = 0; t < r; t++)
                {
                    // b_t = sum_k a_k (cos - i sin)(2 pi t k / r)
                    T br = TOps.Splat(0f), bi = TOps.Splat(0f);
                    for (int k = 0; k < r; k++)
                    {
                        T c = TOps.Tw(_cos, _cosD, t * r + k), sn = TOps.Tw(_sin, _sinD, t * r + k);
                        br = TOps.MulAdd(ai[k], sn, TOps.MulAdd(ar[k], c, br));
                        bi = TOps.Sub(TOps.MulAdd(ai[k], c, bi), TOps.Mul(ar[k], sn));
                    }
                    if (t == 0)
                    {
                        Unsafe.Add(ref yrR, o) = br;
                        Unsafe.Add(ref yiR, o) = bi;
                    }
                    else
                    {
                        Twiddle<T, TOps>(br, bi, p * (r - 1) + t - 1, ref yrR, ref yiR, o + t * s);
                    }
                }
            }
        }
    }
}
