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
            long len = DepthwisePlane.PaddedLength(h, wd, P.PadTop, P.PadLeft, oh, ow, P.StrideH, P.StrideW, P.DilationH, P.DilationW, kh, kw, out int hp, out int wp);
            var scratch = ConvWorkspace<T>.Get(1, len);
            var (s, e) = KernelWorkers.Range(P.Batch * oc, part, parts);
            fixed (T* pad = scratch)
            {
                long padded = -1;
                for (int plane = s; plane < e; plane++)
                {
                    int n = plane / oc, o = plane % oc, c = o / m;
                    long src = (long)n * P.InChannels + c;
                    if (src != padded)
                    {
                        // Consecutive output channels of one input channel share the padded copy.
                        DepthwisePlane.Pad(X + src * h * wd, h, wd, P.PadTop, P.PadLeft, hp, wp, pad);
                        padded = src;
                    }
                    DepthwisePlane.Correlate(pad, wp, oh, ow, P.StrideH, P.StrideW, P.DilationH, P.DilationW,
                        W + (long)o * kh * kw, kh, kw, Y + (long)plane * oh * ow, accumulate: false);
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
            // Stride 1: dx is dy correlated with the flipped taps over dy padded by (extent - 1 - pad).
            int padT = P.DilationH * (kh - 1) - P.PadTop, padL = P.DilationW * (kw - 1) - P.PadLeft;
            if (P.StrideH == 1 && P.StrideW == 1 && padT >= 0 && padL >= 0 && kh * kw <= 256)
            {
                long len = DepthwisePlane.PaddedLength(oh, ow, padT, padL, h, wd, 1, 1, P.DilationH, P.DilationW, kh, kw, out int hp, out int wp);
                var scratch = ConvWorkspace<T>.Get(1, len);
                T* flipped = stackalloc T[kh * kw];
                fixed (T* pad = scratch)
                {
                    for (int plane = s; plane < e; plane++)
                    {
                        int n = plane / c, ch = plane % c;
                        for (int mi = 0; mi < m; mi++)
                        {
                            int o = ch * m + mi;
                            T* wk = W + (long)o * kh * kw;
                            for (int t = 0; t < kh * kw; t++)
                            {
                                flipped[t] = wk[kh * kw - 1 - t];
                            }
                            DepthwisePlane.Pad(Dy + ((long)n * P.OutChannels + o) * oh * ow, oh, ow, padT, padL, hp, wp, pad);
                            DepthwisePlane.Correlate(pad, wp, h, wd, 1, 1, P.DilationH, P.DilationW, flipped, kh, kw,
                                Dx + (long)plane * h * wd, accumulate: mi > 0);
                        }
                    }
                }
                return;
            }
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
            long len = DepthwisePlane.PaddedLength(h, wd, P.PadTop, P.PadLeft, oh, ow, P.StrideH, P.StrideW, P.DilationH, P.DilationW, kh, kw, out int hp, out int wp);
            var scratch = ConvWorkspace<T>.Get(1, len);
            var (s, e) = KernelWorkers.Range(oc, part, parts);
            fixed (T* pad = scratch)
            {
                for (int o = s; o < e; o++)
                {
                    int c = o / m;
                    T* acc = Dw + (long)o * kh * kw;
                    new Span<T>(acc, kh * kw).Clear();
                    for (int n = 0; n < P.Batch; n++)
                    {
                        DepthwisePlane.Pad(X + ((long)n * P.InChannels + c) * h * wd, h, wd, P.PadTop, P.PadLeft, hp, wp, pad);
                        DepthwisePlane.TapGradients(pad, wp, Dy + ((long)n * oc + o) * oh * ow, oh, ow, P.StrideH, P.StrideW,
                            P.DilationH, P.DilationW, kh, kw, acc);
                    }
                }
            }
        }
    }
}
