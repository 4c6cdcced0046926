using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// im2col and its adjoint col2im for one sample: the input (C, H, W) unrolled into a matrix of
/// C * KH * KW rows (ordered channel, kernel row, kernel column, matching the weight layout) by
/// OH * OW columns, so that convolution becomes weight (OC, C*KH*KW) times this matrix.
/// </summary>
internal static unsafe class Im2Col
{
    /// <summary>Valid output columns [lo, hi) for kernel column offset <paramref name="xoff"/> (= kw*dw - padLeft).</summary>
    internal static (int Lo, int Hi) ValidColumns(int xoff, int stride, int width, int outW)
    {
        int lo = xoff >= 0 ? 0 : (-xoff + stride - 1) / stride;
        int last = width - 1 - xoff;
        int hi = last < 0 ? 0 : Math.Min(outW, last / stride + 1);
        return (Math.Min(lo, outW), Math.Max(hi, Math.Min(lo, outW)));
    }

    /// <summary>Writes the column rows of channel <paramref name="c"/>: x points at the sample, col at the sample's matrix.</summary>
    public static void PackChannel<T>(T* x, T* col, in Conv2dParams p, int c) where T : unmanaged
    {
        int h = p.Height, w = p.Width, oh = p.OutH, ow = p.OutW, kh = p.KernelH, kw = p.KernelW;
        int sh = p.StrideH, sw = p.StrideW, dh = p.DilationH, dw = p.DilationW, pt = p.PadTop, pl = p.PadLeft;
        long ohw = (long)oh * ow;
        T* xc = x + (long)c * h * w;
        for (int i = 0; i < kh; i++)
        {
            for (int j = 0; j < kw; j++)
            {
                T* row = col + ((long)(c * kh + i) * kw + j) * ohw;
                int xoff = j * dw - pl;
                var (lo, hi) = ValidColumns(xoff, sw, w, ow);
                for (int r = 0; r < oh; r++)
                {
                    int ih = r * sh - pt + i * dh;
                    T* dst = row + (long)r * ow;
                    if ((uint)ih >= (uint)h)
                    {
                        Zero(dst, ow);
                        continue;
                    }
                    Zero(dst, lo);
                    Zero(dst + hi, ow - hi);
                    T* src = xc + (long)ih * w + xoff;
                    if (sw == 1)
                    {
                        Copy(src + lo, dst + lo, hi - lo);
                    }
                    else
                    {
                        for (int q = lo; q < hi; q++)
                        {
                            dst[q] = src[(long)q * sw];
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Adds the column rows of channel <paramref name="c"/> back into the input gradient plane
    /// (which the caller has zeroed): dx points at the sample, col at the sample's matrix.
    /// </summary>
    public static void UnpackChannel<T>(T* col, T* dx, in Conv2dParams p, int c) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int h = p.Height, w = p.Width, oh = p.OutH, ow = p.OutW, kh = p.KernelH, kw = p.KernelW;
        int sh = p.StrideH, sw = p.StrideW, dh = p.DilationH, dw = p.DilationW, pt = p.PadTop, pl = p.PadLeft;
        long ohw = (long)oh * ow;
        T* xc = dx + (long)c * h * w;
        for (int i = 0; i < kh; i++)
        {
            for (int j = 0; j < kw; j++)
            {
                T* row = col + ((long)(c * kh + i) * kw + j) * ohw;
                int xoff = j * dw - pl;
                var (lo, hi) = ValidColumns(xoff, sw, w, ow);
                if (hi <= lo)
                {
                    continue;
                }
                for (int r = 0; r < oh; r++)
                {
                    int ih = r * sh - pt + i * dh;
                    if ((uint)ih >= (uint)h)
                    {
                        continue;
                    }
                    T* src = row + (long)r * ow;
                    T* dst = xc + (long)ih * w + xoff;
                    if (sw == 1)
                    {
                        AddTo(src + lo, dst + lo, hi - lo);
                    }
                    else
                    {
                        for (int q = lo; q < hi; q++)
                        {
                            dst[(long)q * sw] += src[q];
                        }
                    }
                }
            }
        }
    }

    // Rows here are short (often 8-64 elements), so inline SIMD loops beat a call into
    // Span.CopyTo/Clear or TensorPrimitives per row.

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Zero<T>(T* d, int n) where T : unmanaged
    {
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; k + Vector256<T>.Count <= n; k += Vector256<T>.Count)
            {
                Vector256<T>.Zero.Store(d + k);
            }
        }
        for (; k < n; k++)
        {
            d[k] = default;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Copy<T>(T* s, T* d, int n) where T : unmanaged
    {
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; k + Vector256<T>.Count <= n; k += Vector256<T>.Count)
            {
                Vector256.Load(s + k).Store(d + k);
            }
        }
        for (; k < n; k++)
        {
            d[k] = s[k];
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void AddTo<T>(T* s, T* d, int n) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; k + Vector256<T>.Count <= n; k += Vector256<T>.Count)
            {
                (Vector256.Load(d + k) + Vector256.Load(s + k)).Store(d + k);
            }
        }
        for (; k < n; k++)
        {
            d[k] += s[k];
        }
    }
}
