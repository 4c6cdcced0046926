using System.Numerics;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// Single-plane building blocks of the direct depthwise kernels: the plane is first copied into a
/// zero-padded scratch plane, so every tap of every output column reads in bounds and the inner
/// loops are straight SIMD multiply-adds with no edge tests and no per-row calls.
/// </summary>
internal static unsafe class DepthwisePlane
{
    /// <summary>Elements of scratch needed for <see cref="Pad{T}"/> with these sizes.</summary>
    public static long PaddedLength(int h, int w, int padT, int padL, int outH, int outW, int sh, int sw, int dh, int dw, int kh, int kw, out int hp, out int wp)
    {
        hp = Math.Max(h + padT, (outH - 1) * sh + (kh - 1) * dh + 1);
        wp = Math.Max(w + padL, (outW - 1) * sw + (kw - 1) * dw + 1);
        // One vector of slack: the last SIMD load of a row may run past the padded width.
        return (long)hp * wp + 32;
    }

    /// <summary>Copies the (h, w) plane into scratch (hp, wp) at offset (padT, padL), zeros elsewhere.</summary>
    public static void Pad<T>(T* src, int h, int w, int padT, int padL, int hp, int wp, T* dst) where T : unmanaged
    {
        new Span<T>(dst, hp * wp + 32).Clear();
        for (int r = 0; r < h; r++)
        {
            new ReadOnlySpan<T>(src + (long)r * w, w).CopyTo(new Span<T>(dst + (long)(r + padT) * wp + padL, w));
        }
    }

    /// <summary>
    /// dst (outH, outW) (+)= correlation of the padded plane with kh x kw taps: dst[r, q] =
    /// sum over (i, j) of taps[i * kw + j] * pad[r * sh + i * dh, q * sw + j * dw].
    /// </summary>
    public static void Correlate<T>(T* pad, int wp, int outH, int outW, int sh, int sw, int dh, int dw, T* taps, int kh, int kw, T* dst, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = Vector256<T>.Count;
        bool simd = Vector256.IsHardwareAccelerated && sw == 1;
        for (int r = 0; r < outH; r++)
        {
            T* drow = dst + (long)r * outW;
            T* prow = pad + (long)r * sh * wp;
            int q = 0;
            if (simd)
            {
                for (; q + v <= outW; q += v)
                {
                    var acc = accumulate ? Vector256.Load(drow + q) : Vector256<T>.Zero;
                    for (int i = 0; i < kh; i++)
                    {
                        T* src = prow + (long)i * dh * wp + q;
                        for (int j = 0; j < kw; j++)
                        {
                            acc = Simd.Fma(Vector256.Create(taps[i * kw + j]), Vector256.Load(src + j * dw), acc);
                        }
                    }
                    acc.Store(drow + q);
                }
            }
            for (; q < outW; q++)
            {
                T s = accumulate ? drow[q] : T.Zero;
                for (int i = 0; i < kh; i++)
                {
                    T* src = prow + (long)i * dh * wp + (long)q * sw;
                    for (int j = 0; j < kw; j++)
                    {
                        s += taps[i * kw + j] * src[j * dw];
                    }
                }
                drow[q] = s;
            }
        }
    }

    /// <summary>
    /// acc[i * kw + j] += sum over (r, q) of g[r, q] * pad[r * sh + i * dh, q * sw + j * dw]
    /// (the weight gradient of one plane; acc holds kh * kw sums).
    /// </summary>
    public static void TapGradients<T>(T* pad, int wp, T* g, int outH, int outW, int sh, int sw, int dh, int dw, int kh, int kw, T* acc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = Vector256<T>.Count;
        int taps = kh * kw;
        bool simd = Vector256.IsHardwareAccelerated && sw == 1 && taps <= 64;
        Span<Vector256<T>> vacc = simd ? stackalloc Vector256<T>[taps] : default;
        vacc.Clear();
        for (int r = 0; r < outH; r++)
        {
            T* grow = g + (long)r * outW;
            T* prow = pad + (long)r * sh * wp;
            int q = 0;
            if (simd)
            {
                for (; q + v <= outW; q += v)
                {
                    var gv = Vector256.Load(grow + q);
                    for (int i = 0; i < kh; i++)
                    {
                        T* src = prow + (long)i * dh * wp + q;
                        for (int j = 0; j < kw; j++)
                        {
                            vacc[i * kw + j] = Simd.Fma(gv, Vector256.Load(src + j * dw), vacc[i * kw + j]);
                        }
                    }
                }
            }
            for (; q < outW; q++)
            {
                T gq = grow[q];
                for (int i = 0; i < kh; i++)
                {
                    T* src = prow + (long)i * dh * wp + (long)q * sw;
                    for (int j = 0; j < kw; j++)
                    {
                        acc[i * kw + j] += gq * src[j * dw];
                    }
                }
            }
        }
        if (simd)
        {
            for (int t = 0; t < taps; t++)
            {
                acc[t] += Vector256.Sum(vacc[t]);
            }
        }
    }
}
