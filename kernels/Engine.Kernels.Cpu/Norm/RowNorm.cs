using System.Numerics;
using System.Numerics.Tensors;

namespace Engine.Kernels;

/// <summary>
/// Normalisation of each row by its own mean and variance followed by a per-channel affine map:
/// layer norm and group norm (see <see cref="RowNormParams"/>). Forward and backward, float or
/// double; rows (and, for the affine gradients, channels) are split across threads.
/// </summary>
public static unsafe class RowNorm
{
    /// <summary>y = (x - mean) * rstd * weight + bias per row; writes each row's mean and rstd. weight/bias may be empty.</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> y, Span<T> mean, Span<T> rstd, in RowNormParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x.Length, y.Length, mean.Length, rstd.Length, weight.Length, bias.Length, p);
        fixed (T* px = x)
        fixed (T* pw = weight)
        fixed (T* pb = bias)
        fixed (T* py = y)
        fixed (T* pm = mean)
        fixed (T* ps = rstd)
        {
            var job = new ForwardJob<T> { X = px, W = weight.IsEmpty ? null : pw, B = bias.IsEmpty ? null : pb, Y = py, Mean = pm, Rstd = ps, P = p };
            KernelWorkers.Run(ref job, Math.Min(p.Rows, KernelWorkers.PartsFor(p.Length, 1 << 15)));
        }
    }

    /// <summary>
    /// Backward given the forward's mean and rstd: dx (through the statistics), dweight and dbias.
    /// Any of dx, dweight, dbias may be empty to skip it; weight empty means 1.
    /// </summary>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, ReadOnlySpan<T> weight, ReadOnlySpan<T> mean, ReadOnlySpan<T> rstd,
        Span<T> dx, Span<T> dweight, Span<T> dbias, in RowNormParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x.Length, dy.Length, mean.Length, rstd.Length, weight.Length, 0, p);
        fixed (T* px = x)
        fixed (T* pdy = dy)
        fixed (T* pw = weight)
        fixed (T* pm = mean)
        fixed (T* ps = rstd)
        fixed (T* pdx = dx)
        fixed (T* pdw = dweight)
        fixed (T* pdb = dbias)
        {
            if (!dx.IsEmpty)
            {
                var job = new InputJob<T> { X = px, Dy = pdy, W = weight.IsEmpty ? null : pw, Mean = pm, Rstd = ps, Dx = pdx, P = p };
                KernelWorkers.Run(ref job, Math.Min(p.Rows, KernelWorkers.PartsFor(p.Length, 1 << 15)));
            }
            if (!dweight.IsEmpty || !dbias.IsEmpty)
            {
                var job = new AffineJob<T> { X = px, Dy = pdy, Mean = pm, Rstd = ps, Dw = dweight.IsEmpty ? null : pdw, Db = dbias.IsEmpty ? null : pdb, P = p };
                KernelWorkers.Run(ref job, Math.Min(p.Channels, KernelWorkers.PartsFor(p.Length, 1 << 15)));
            }
        }
    }

    private static void Check(long x, long y, long m, long s, long w, long b, in RowNormParams p)
    {
        if (p.Rows < 0 || p.Groups <= 0 || p.ChannelsPerGroup <= 0 || p.Inner <= 0)
        {
            throw new ArgumentException($"norm: invalid sizes (rows {p.Rows}, groups {p.Groups}, channels per group {p.ChannelsPerGroup}, inner {p.Inner})");
        }
        if (x < p.Length || y < p.Length || m < p.Rows || s < p.Rows || (w != 0 && w < p.Channels) || (b != 0 && b < p.Channels))
        {
            throw new ArgumentException($"norm: buffers too small for {p.Rows} rows of {p.RowLength}");
        }
    }

    private struct ForwardJob<T> : IPartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* X, W, B, Y, Mean, Rstd;
        public RowNormParams P;

        public readonly void RunPart(int part, int parts)
        {
            int len = P.RowLength, cg = P.ChannelsPerGroup, inner = P.Inner;
            T n = T.CreateTruncating(len), eps = T.CreateTruncating(P.Eps);
            var (s, e) = KernelWorkers.Range(P.Rows, part, parts);
            for (int r = s; r < e; r++)
            {
                T* x = X + (long)r * len;
                T* y = Y + (long)r * len;
                var xs = new ReadOnlySpan<T>(x, len);
                T mean = TensorPrimitives.Sum(xs) / n;
                T sq = T.Zero;
                for (int i = 0; i < len; i++)
                {
                    T d = x[i] - mean;
                    sq += d * d;
                }
                T rstd = T.One / T.Sqrt(sq / n + eps);
                Mean[r] = mean;
                Rstd[r] = rstd;
                int ch0 = (r % P.Groups) * cg;
                for (int c = 0; c < cg; c++)
                {
                    T scale = rstd * (W == null ? T.One : W[ch0 + c]);
                    T shift = (B == null ? T.Zero : B[ch0 + c]) - mean * scale;
                    if (inner == 1)
                    {
                        y[c] = x[c] * scale + shift;
                        continue;
                    }
                    var ys = new Span<T>(y + (long)c * inner, inner);
                    TensorPrimitives.Multiply(new ReadOnlySpan<T>(x + (long)c * inner, inner), scale, ys);
                    TensorPrimitives.Add(ys, shift, ys);
                }
            }
        }
    }

    private struct InputJob<T> : IPartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* X, Dy, W, Mean, Rstd, Dx;
        public RowNormParams P;

        public readonly void RunPart(int part, int parts)
        {
            int len = P.RowLength, cg = P.ChannelsPerGroup, inner = P.Inner;
            T n = T.CreateTruncating(len);
            var (s, e) = KernelWorkers.Range(P.Rows, part, parts);
            for (int r = s; r < e; r++)
            {
                T* x = X + (long)r * len, dy = Dy + (long)r * len, dx = Dx + (long)r * len;
                T mean = Mean[r], rstd = Rstd[r];
                int ch0 = (r % P.Groups) * cg;
                // g = dy * weight; dx = rstd * (g - mean(g) - xhat * mean(g * xhat)).
                T sumG = T.Zero, sumGX = T.Zero;
                for (int i = 0; i < len; i++)
                {
                    T g = dy[i] * (W == null ? T.One : W[ch0 + i / inner]);
                    sumG += g;
                    sumGX += g * (x[i] - mean);
                }
                T mg = sumG / n, mgx = sumGX * rstd / n;
                for (int i = 0; i < len; i++)
                {
                    T g = dy[i] * (W == null ? T.One : W[ch0 + i / inner]);
                    dx[i] = rstd * (g - mg - (x[i] - mean) * rstd * mgx);
                }
            }
        }
    }

    private struct AffineJob<T> : IPartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* X, Dy, Mean, Rstd, Dw, Db;
        public RowNormParams P;

        public readonly void RunPart(int part, int parts)
        {
            int len = P.RowLength, cg = P.ChannelsPerGroup, inner = P.Inner, groups = P.Groups;
            var (s, e) = KernelWorkers.Range(P.Channels, part, parts);
            for (int ch = s; ch < e; ch++)
            {
                int g = ch / cg, c = ch % cg;
                T sw = T.Zero, sb = T.Zero;
                for (int r = g; r < P.Rows; r += groups)
                {
                    T* x = X + (long)r * len + (long)c * inner, dy = Dy + (long)r * len + (long)c * inner;
                    T mean = Mean[r], rstd = Rstd[r];
                    T sdy = T.Zero, sdyx = T.Zero;
                    for (int i = 0; i < inner; i++)
                    {
                        sdy += dy[i];
                        sdyx += dy[i] * x[i];
                    }
                    sb += sdy;
                    sw += (sdyx - mean * sdy) * rstd;
                }
                if (Dw != null)
                {
                    Dw[ch] = sw;
                }
                if (Db != null)
                {
                    Db[ch] = sb;
                }
            }
        }
    }
}
