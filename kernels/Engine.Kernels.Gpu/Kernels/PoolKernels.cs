using System.Numerics;
using ILGPU;

namespace Engine.Gpu.Kernels;

/// <summary>
/// Sizes of a 2-D pooling over Planes (H, W) planes as a kernel parameter (mirrors Pool2dParams;
/// adaptive pooling uses only Planes, H, W, OH, OW), plus the grid-stride step.
/// </summary>
public struct PoolGeom
{
    public int Planes, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW;

    /// <summary>Average pooling: 1 to count padded zeros in the divisor.</summary>
    public int IncludePad;

    /// <summary>Average pooling: the divisor override, or 0.</summary>
    public int Divisor;

    /// <summary>Threads of the launch (the grid-stride step).</summary>
    public int Step;
}

/// <summary>
/// Max, average and adaptive average pooling, forward and backward, one thread per output
/// (forward) or per input element (backward), grid-stride. Every backward is a gather over the
/// windows that contain the input element (only those: about k / stride per dimension), visited
/// in increasing output order, so it needs no atomics and adds the same terms in the same order
/// as the CPU backend.
/// </summary>
[CatalogedKernels]
public static class PoolKernels
{
    /// <summary>y = max over each window and idx = its flat index h * W + w in the plane (NaN wins, first max on ties).</summary>
    public static void MaxForward<T>(Index1D index, ArrayView<T> x, ArrayView<T> y, ArrayView<long> idx, PoolGeom g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.H, w = g.W, oh = g.OH, ow = g.OW, kh = g.KH, kw = g.KW;
        int total = g.Planes * oh * ow, step = g.Step;
        for (int e = index.X; e < total; e += step)
        {
            int q = e % ow, rest = e / ow;
            int r = rest % oh, pl = rest / oh;
            int h0 = r * g.SH - g.PH, w0 = q * g.SW - g.PW;
            int plane = pl * h * w;
            T best = T.NegativeInfinity;
            int bestIdx = -1;
            for (int i = 0; i < kh; i++)
            {
                int ih = h0 + i * g.DH;
                if (ih < 0 || ih >= h)
                {
                    continue;
                }
                for (int j = 0; j < kw; j++)
                {
                    int iw = w0 + j * g.DW;
                    if (iw < 0 || iw >= w)
                    {
                        continue;
                    }
                    int at = ih * w + iw;
                    T v = x[plane + at];
                    if (bestIdx < 0 || v > best || T.IsNaN(v))
                    {
                        best = v;
                        bestIdx = at;
                    }
                }
            }
            y[e] = best;
            idx[e] = bestIdx;
        }
    }

    /// <summary>dx[p, ih, iw] = sum of dy over the windows whose recorded max is (ih, iw) (overwrites dx).</summary>
    public static void MaxBackward<T>(Index1D index, ArrayView<T> dy, ArrayView<long> idx, ArrayView<T> dx, PoolGeom g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.H, w = g.W, oh = g.OH, ow = g.OW, kh = g.KH, kw = g.KW;
        int total = g.Planes * h * w, step = g.Step;
        for (int e = index.X; e < total; e += step)
        {
            int iw = e % w, rest = e / w;
            int ih = rest % h, pl = rest / h;
            long at = ih * w + iw;
            int r0 = FirstOut(ih, g.PH, kh, g.DH, g.SH), r1 = LastOut(ih, g.PH, g.SH, oh);
            int q0 = FirstOut(iw, g.PW, kw, g.DW, g.SW), q1 = LastOut(iw, g.PW, g.SW, ow);
            T acc = T.Zero;
            // Output rows, then columns, in increasing order: the CPU's order of additions.
            for (int r = r0; r <= r1; r++)
            {
                if ((ih + g.PH - r * g.SH) % g.DH != 0)
                {
                    continue;
                }
                int orow = (pl * oh + r) * ow;
                for (int q = q0; q <= q1; q++)
                {
                    if ((iw + g.PW - q * g.SW) % g.DW != 0)
                    {
                        continue;
                    }
                    if (idx[orow + q] == at)
                    {
                        acc += dy[orow + q];
                    }
                }
            }
            dx[e] = acc;
        }
    }

    /// <summary>y = average over each window (padding, count_include_pad and divisor as PyTorch's avg_pool2d).</summary>
    public static void AvgForward<T>(Index1D index, ArrayView<T> x, ArrayView<T> y, PoolGeom g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.H, w = g.W, oh = g.OH, ow = g.OW;
        int total = g.Planes * oh * ow, step = g.Step;
        for (int e = index.X; e < total; e += step)
        {
            int q = e % ow, rest = e / ow;
            int r = rest % oh, pl = rest / oh;
            int h0 = r * g.SH - g.PH, h1 = Math.Min(h0 + g.KH, h + g.PH);
            int w0 = q * g.SW - g.PW, w1 = Math.Min(w0 + g.KW, w + g.PW);
            int hs = Math.Max(h0, 0), he = Math.Min(h1, h), ws = Math.Max(w0, 0), we = Math.Min(w1, w);
            int plane = pl * h * w;
            T sum = T.Zero;
            for (int i = hs; i < he; i++)
            {
                for (int j = ws; j < we; j++)
                {
                    sum += x[plane + i * w + j];
                }
            }
            y[e] = sum * AvgScale<T>(g, h0, h1, hs, he, w0, w1, ws, we);
        }
    }

    /// <summary>dx = each dy spread evenly over its window, gathered per input element (overwrites dx).</summary>
    public static void AvgBackward<T>(Index1D index, ArrayView<T> dy, ArrayView<T> dx, PoolGeom g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.H, w = g.W, oh = g.OH, ow = g.OW, kh = g.KH, kw = g.KW;
        int total = g.Planes * h * w, step = g.Step;
        for (int e = index.X; e < total; e += step)
        {
            int iw = e % w, rest = e / w;
            int ih = rest % h, pl = rest / h;
            int r0 = FirstOut(ih, g.PH, kh, 1, g.SH), r1 = LastOut(ih, g.PH, g.SH, oh);
            int q0 = FirstOut(iw, g.PW, kw, 1, g.SW), q1 = LastOut(iw, g.PW, g.SW, ow);
            T acc = T.Zero;
            for (int r = r0; r <= r1; r++)
            {
                int h0 = r * g.SH - g.PH, h1 = Math.Min(h0 + kh, h + g.PH);
                int hs = Math.Max(h0, 0), he = Math.Min(h1, h);
                for (int q = q0; q <= q1; q++)
                {
                    int w0 = q * g.SW - g.PW, w1 = Math.Min(w0 + kw, w + g.PW);
                    int ws = Math.Max(w0, 0), we = Math.Min(w1, w);
                    acc += dy[(pl * oh + r) * ow + q] * AvgScale<T>(g, h0, h1, hs, he, w0, w1, ws, we);
                }
            }
            dx[e] = acc;
        }
    }

    /// <summary>Adaptive average: output (r, q) averages rows [floor(r H / OH), ceil((r + 1) H / OH)) and likewise columns.</summary>
    public static void AdaptiveForward<T>(Index1D index, ArrayView<T> x, ArrayView<T> y, PoolGeom g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.H, w = g.W, oh = g.OH, ow = g.OW;
        int total = g.Planes * oh * ow, step = g.Step;
        for (int e = index.X; e < total; e += step)
        {
            int q = e % ow, rest = e / ow;
            int r = rest % oh, pl = rest / oh;
            int hs = Start(r, h, oh), he = End(r, h, oh), ws = Start(q, w, ow), we = End(q, w, ow);
            int plane = pl * h * w;
            T sum = T.Zero;
            for (int i = hs; i < he; i++)
            {
                for (int j = ws; j < we; j++)
                {
                    sum += x[plane + i * w + j];
                }
            }
            y[e] = sum * (T.One / FromInt<T>((he - hs) * (we - ws)));
        }
    }

    /// <summary>Backward of adaptive average pooling, gathered per input element (overwrites dx).</summary>
    public static void AdaptiveBackward<T>(Index1D index, ArrayView<T> dy, ArrayView<T> dx, PoolGeom g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.H, w = g.W, oh = g.OH, ow = g.OW;
        int total = g.Planes * h * w, step = g.Step;
        for (int e = index.X; e < total; e += step)
        {
            int iw = e % w, rest = e / w;
            int ih = rest % h, pl = rest / h;
            // Windows containing ih start at row floor(ih OH / H) (end(r) > ih from there on) and
            // stop once their start passes ih; likewise for columns.
            int r0 = (int)((long)ih * oh / h), q0 = (int)((long)iw * ow / w);
            T acc = T.Zero;
            for (int r = r0; r < oh; r++)
            {
                int hs = Start(r, h, oh);
                if (hs > ih)
                {
                    break;
                }
                int hlen = End(r, h, oh) - hs;
                for (int q = q0; q < ow; q++)
                {
                    int ws = Start(q, w, ow);
                    if (ws > iw)
                    {
                        break;
                    }
                    int area = hlen * (End(q, w, ow) - ws);
                    acc += dy[(pl * oh + r) * ow + q] * (T.One / FromInt<T>(area));
                }
            }
            dx[e] = acc;
        }
    }

    /// <summary>First output index whose window (k taps, dilation d, stride s, padding pad) can reach input index i.</summary>
    private static int FirstOut(int i, int pad, int k, int d, int s)
    {
        int lo = i + pad - (k - 1) * d;
        return lo <= 0 ? 0 : (lo + s - 1) / s;
    }

    /// <summary>Last output index whose window starts at or before input index i (capped at outSize - 1).</summary>
    private static int LastOut(int i, int pad, int s, int outSize) => Math.Min((i + pad) / s, outSize - 1);

    private static int Start(int o, int size, int outSize) => (int)((long)o * size / outSize);

    private static int End(int o, int size, int outSize) => (int)(((long)(o + 1) * size + outSize - 1) / outSize);

    /// <summary>1 / divisor of one average-pooling window, as the CPU backend computes it.</summary>
    private static T AvgScale<T>(PoolGeom g, int h0, int h1, int hs, int he, int w0, int w1, int ws, int we)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int divisor = g.Divisor > 0 ? g.Divisor : g.IncludePad != 0 ? (h1 - h0) * (w1 - w0) : (he - hs) * (we - ws);
        return divisor == 0 ? T.Zero : T.One / FromInt<T>(divisor);
    }

    /// <summary>
    /// A non-negative int as T, exactly (for values below 2^24 in float): built from its bits with
    /// additions, since ILGPU cannot compile T.CreateTruncating.
    /// </summary>
    internal static T FromInt<T>(int v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T r = T.Zero;
        for (int b = 30; b >= 0; b--)
        {
            r += r;
            if (((v >> b) & 1) != 0)
            {
                r += T.One;
            }
        }
        return r;
    }
}
