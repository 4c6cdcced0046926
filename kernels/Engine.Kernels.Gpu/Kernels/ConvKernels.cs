using System.Numerics;
using ILGPU;

namespace Engine.Gpu.Kernels;

/// <summary>Sizes of a 2-D convolution as a kernel parameter (mirrors Conv2dParams), plus the batch slice being processed.</summary>
public struct ConvGeom
{
    public int C, H, W, KH, KW, SH, SW, PT, PL, DH, DW, OH, OW;
    public int Batch0, NB, Step;
}

/// <summary>
/// im2col and its adjoint for convolution as GEMM. col holds, per image of the batch slice, a
/// (C * KH * KW, OH * OW) matrix: row c * KH * KW + kh * KW + kw, column oh * OW + ow; a group's rows
/// are consecutive, so the GEMM of group g reads rows g * (C/G) * KH * KW onwards.
/// </summary>
public static class ConvKernels
{
    /// <summary>col[n, r, pix] = x[batch0 + n, c, ih, iw] (zero in the padding).</summary>
    public static void Im2Col<T>(Index1D index, ArrayView<T> x, ArrayView<T> col, ConvGeom g) where T : unmanaged, INumberBase<T>
    {
        int ohw = g.OH * g.OW, kk = g.KH * g.KW;
        int total = g.NB * g.C * kk * ohw, step = g.Step;
        for (int e = index.X; e < total; e += step)
        {
            int pix = e % ohw, rest = e / ohw;
            int r = rest % (g.C * kk), n = rest / (g.C * kk);
            int c = r / kk, k = r - c * kk, kh = k / g.KW, kw = k - kh * g.KW;
            int oh = pix / g.OW, ow = pix - oh * g.OW;
            int ih = oh * g.SH - g.PT + kh * g.DH, iw = ow * g.SW - g.PL + kw * g.DW;
            col[e] = ih >= 0 && ih < g.H && iw >= 0 && iw < g.W ? x[((g.Batch0 + n) * g.C + c) * g.H * g.W + ih * g.W + iw] : T.Zero;
        }
    }

    /// <summary>dx[batch0 + n, c, ih, iw] = sum of the dcol entries that im2col read from that pixel (a gather: no atomics).</summary>
    public static void Col2Im<T>(Index1D index, ArrayView<T> dcol, ArrayView<T> dx, ConvGeom g) where T : unmanaged, INumberBase<T>
    {
        int ohw = g.OH * g.OW, kk = g.KH * g.KW, hw = g.H * g.W;
        int total = g.NB * g.C * hw, step = g.Step;
        for (int e = index.X; e < total; e += step)
        {
            int p = e % hw, rest = e / hw;
            int c = rest % g.C, n = rest / g.C;
            int ih = p / g.W, iw = p - ih * g.W;
            T acc = T.Zero;
            for (int kh = 0; kh < g.KH; kh++)
            {
                int hnum = ih + g.PT - kh * g.DH;
                if (hnum < 0 || hnum % g.SH != 0)
                {
                    continue;
                }
                int oh = hnum / g.SH;
                if (oh >= g.OH)
                {
                    continue;
                }
                for (int kw = 0; kw < g.KW; kw++)
                {
                    int wnum = iw + g.PL - kw * g.DW;
                    if (wnum < 0 || wnum % g.SW != 0)
                    {
                        continue;
                    }
                    int ow = wnum / g.SW;
                    if (ow >= g.OW)
                    {
                        continue;
                    }
                    acc += dcol[(n * g.C * kk + c * kk + kh * g.KW + kw) * ohw + oh * g.OW + ow];
                }
            }
            dx[(g.Batch0 + n) * g.C * hw + c * hw + p] = acc;
        }
    }

    /// <summary>y[c] = sum over n and i of x[n, c, i], one group per channel (explicitly grouped).</summary>
    public static void ChannelSum<T>(ArrayView<T> x, ArrayView<T> y, int n, int channels, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(ReduceKernels.GroupSize);
        int tid = Group.IdxX, gsize = Group.DimX, gstep = Grid.DimX;
        int count = n * inner;
        for (int c = Grid.IdxX; c < channels; c += gstep)
        {
            T acc = T.Zero;
            for (int j = tid; j < count; j += gsize)
            {
                int b = j / inner, i = j - b * inner;
                acc += x[(b * channels + c) * inner + i];
            }
            acc = GroupReduce.Sum(shared, acc, tid, gsize);
            if (tid == 0)
            {
                y[c] = acc;
            }
        }
    }
}
