using System.Numerics;
using System.Numerics.Tensors;

namespace Engine.Kernels;

/// <summary>
/// Direct depthwise convolution (groups == in_channels, any channel multiplier): each output
/// plane is a sum of KH * KW shifted, scaled rows of one input plane, done as SIMD multiply-adds
/// along output rows. No unrolling, so no workspace. Planes are split across threads.
/// </summary>
internal static unsafe class DepthwiseConv2d
{
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, Span<T> y, in Conv2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* px = x)
        fixed (T* pw = w)
        fixed (T* py = y)
        {
            var job = new ForwardJob<T> { X = px, W = pw, Y = py, P = p };
            KernelWorkers.Run(ref job, KernelWorkers.PartsFor(p.OutputLength * p.KernelH * p.KernelW, 1 << 16));
        }
    }

    public static void BackwardInput<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> w, Span<T> dx, in Conv2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* pdy = dy)
        fixed (T* pw = w)
        fixed (T* pdx = dx)
        {
            var job = new InputJob<T> { Dy = pdy, W = pw, Dx = pdx, P = p };
            KernelWorkers.Run(ref job, KernelWorkers.PartsFor(p.OutputLength * p.KernelH * p.KernelW, 1 << 16));
        }
    }

    public static void BackwardWeight<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dw, in Conv2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* px = x)
        fixed (T* pdy = dy)
        fixed (T* pdw = dw)
        {
            var job = new WeightJob<T> { X = px, Dy = pdy, Dw = pdw, P = p };
            KernelWorkers.Run(ref job, Math.Min(p.OutChannels, KernelWorkers.PartsFor(p.OutputLength * p.KernelH * p.KernelW, 1 << 16)));
        }
    }

    private struct ForwardJob<T> : IPartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* X;
        public T* W;
        public T* Y;
        public Conv2dParams P;

        public readonly void RunPart(int part, int parts)
        {
            int oc = P.OutChannels, m = P.OutPerGroup, h = P.Height, wd = P.Width, oh = P.OutH, ow = P.OutW, kh = P.KernelH, kw = P.KernelW;
            var (s, e) = KernelWorkers.Range(P.Batch * oc, part, parts);
            for (int plane = s; plane < e; plane++)
            {
                int n = plane / oc, o = plane % oc, c = o / m;
                T* xc = X + ((long)n * P.InChannels + c) * h * wd;
                T* yp = Y + (long)plane * oh * ow;
                T* wk = W + (long)o * kh * kw;
                new Span<T>(yp, oh * ow).Clear();
                for (int r = 0; r < oh; r++)
                {
                    T* yrow = yp + (long)r * ow;
                    for (int i = 0; i < kh; i++)
                    {
                        int ih = r * P.StrideH - P.PadTop + i * P.DilationH;
                        if ((uint)ih >= (uint)h)
                        {
                            continue;
                        }
                        T* xrow = xc + (long)ih * wd;
                        for (int j = 0; j < kw; j++)
                        {
                            int xoff = j * P.DilationW - P.PadLeft;
                            var (lo, hi) = Im2Col.ValidColumns(xoff, P.StrideW, wd, ow);
                            T wv = wk[i * kw + j];
                            if (P.StrideW == 1)
                            {
                                var d = new Span<T>(yrow + lo, hi - lo);
                                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(xrow + xoff + lo, hi - lo), wv, d, d);
                            }
                            else
                            {
                                for (int q = lo; q < hi; q++)
                                {
                                    yrow[q] += wv * xrow[xoff + q * P.StrideW];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private struct InputJob<T> : IPartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* Dy;
        public T* W;
        public T* Dx;
        public Conv2dParams P;

        public readonly void RunPart(int part, int parts)
        {
            int c = P.InChannels, m = P.OutPerGroup, h = P.Height, wd = P.Width, oh = P.OutH, ow = P.OutW, kh = P.KernelH, kw = P.KernelW;
            var (s, e) = KernelWorkers.Range(P.Batch * c, part, parts);
            for (int plane = s; plane < e; plane++)
            {
                int n = plane / c, ch = plane % c;
                T* dxp = Dx + (long)plane * h * wd;
                new Span<T>(dxp, h * wd).Clear();
                for (int mi = 0; mi < m; mi++)
                {
                    int o = ch * m + mi;
                    T* dyp = Dy + ((long)n * P.OutChannels + o) * oh * ow;
                    T* wk = W + (long)o * kh * kw;
                    for (int r = 0; r < oh; r++)
                    {
                        T* dyrow = dyp + (long)r * ow;
                        for (int i = 0; i < kh; i++)
                        {
                            int ih = r * P.StrideH - P.PadTop + i * P.DilationH;
                            if ((uint)ih >= (uint)h)
                            {
                                continue;
                            }
                            T* dxrow = dxp + (long)ih * wd;
                            for (int j = 0; j < kw; j++)
                            {
                                int xoff = j * P.DilationW - P.PadLeft;
                                var (lo, hi) = Im2Col.ValidColumns(xoff, P.StrideW, wd, ow);
                                T wv = wk[i * kw + j];
                                if (P.StrideW == 1)
                                {
                                    var d = new Span<T>(dxrow + xoff + lo, hi - lo);
                                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(dyrow + lo, hi - lo), wv, d, d);
                                }
                                else
                                {
                                    for (int q = lo; q < hi; q++)
                                    {
                                        dxrow[xoff + q * P.StrideW] += wv * dyrow[q];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private struct WeightJob<T> : IPartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* X;
        public T* Dy;
        public T* Dw;
        public Conv2dParams P;

        public readonly void RunPart(int part, int parts)
        {
            int oc = P.OutChannels, m = P.OutPerGroup, h = P.Height, wd = P.Width, oh = P.OutH, ow = P.OutW, kh = P.KernelH, kw = P.KernelW;
            var (s, e) = KernelWorkers.Range(oc, part, parts);
            for (int o = s; o < e; o++)
            {
                int c = o / m;
                for (int i = 0; i < kh; i++)
                {
                    for (int j = 0; j < kw; j++)
                    {
                        int xoff = j * P.DilationW - P.PadLeft;
                        var (lo, hi) = Im2Col.ValidColumns(xoff, P.StrideW, wd, ow);
                        T sum = T.Zero;
                        for (int n = 0; n < P.Batch; n++)
                        {
                            T* xc = X + ((long)n * P.InChannels + c) * h * wd;
                            T* dyp = Dy + ((long)n * oc + o) * oh * ow;
                            for (int r = 0; r < oh; r++)
                            {
                                int ih = r * P.StrideH - P.PadTop + i * P.DilationH;
                                if ((uint)ih >= (uint)h || hi <= lo)
                                {
                                    continue;
                                }
                                T* xrow = xc + (long)ih * wd + xoff;
                                T* dyrow = dyp + (long)r * ow;
                                if (P.StrideW == 1)
                                {
                                    sum += TensorPrimitives.Dot(new ReadOnlySpan<T>(dyrow + lo, hi - lo), new ReadOnlySpan<T>(xrow + lo, hi - lo));
                                }
                                else
                                {
                                    for (int q = lo; q < hi; q++)
                                    {
                                        sum += dyrow[q] * xrow[q * P.StrideW];
                                    }
                                }
                            }
                        }
                        Dw[(long)o * kh * kw + i * kw + j] = sum;
                    }
                }
            }
        }
    }
}
