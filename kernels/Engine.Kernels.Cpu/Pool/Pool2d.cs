using System.Numerics;

namespace Engine.Kernels;

/// <summary>
/// Max, average and adaptive average pooling over planes of (H, W), forward and backward, float
/// or double. Max pooling records the flat index (h * W + w) of each maximum within its plane, as
/// PyTorch does, and its backward scatters through those indices. Planes are split across threads.
/// </summary>
public static unsafe class Pool2d
{
    /// <summary>y = max over each window, indices = where the max sits (NaN wins, as in PyTorch).</summary>
    public static void MaxForward<T>(ReadOnlySpan<T> x, Span<T> y, Span<long> indices, in Pool2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        p.Validate("max_pool2d");
        Check("max_pool2d", x.Length, p.InputLength, y.Length, p.OutputLength);
        Check("max_pool2d", indices.Length, p.OutputLength, y.Length, p.OutputLength);
        fixed (T* px = x)
        fixed (T* py = y)
        fixed (long* pi = indices)
        {
            var job = new MaxJob<T> { X = px, Y = py, I = pi, P = p };
            KernelWorkers.Run(ref job, KernelWorkers.PartsFor(p.OutputLength * p.KernelH * p.KernelW, 1 << 15));
        }
    }

    /// <summary>dx = dy scattered to the recorded maxima (overwrites dx).</summary>
    public static void MaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<long> indices, Span<T> dx, in Pool2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check("max_pool2d backward", dx.Length, p.InputLength, dy.Length, p.OutputLength);
        int plane = p.Height * p.Width, oplane = p.OutH * p.OutW;
        fixed (T* pdy = dy)
        fixed (T* pdx = dx)
        fixed (long* pi = indices)
        {
            var job = new MaxBackJob<T> { Dy = pdy, Dx = pdx, I = pi, Planes = p.Planes, Plane = plane, OPlane = oplane };
            KernelWorkers.Run(ref job, KernelWorkers.PartsFor(p.InputLength, 1 << 15));
        }
    }

    /// <summary>y = average over each window (padding and divisor as in PyTorch's avg_pool2d).</summary>
    public static void AvgForward<T>(ReadOnlySpan<T> x, Span<T> y, in Pool2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        p.Validate("avg_pool2d");
        CheckNoDilation(p);
        Check("avg_pool2d", x.Length, p.InputLength, y.Length, p.OutputLength);
        fixed (T* px = x)
        fixed (T* py = y)
        {
            var job = new AvgJob<T> { X = px, Y = py, P = p, Backward = false };
            KernelWorkers.Run(ref job, KernelWorkers.PartsFor(p.OutputLength * p.KernelH * p.KernelW, 1 << 15));
        }
    }

    /// <summary>dx = each dy spread evenly over its window (overwrites dx).</summary>
    public static void AvgBackward<T>(ReadOnlySpan<T> dy, Span<T> dx, in Pool2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        p.Validate("avg_pool2d backward");
        CheckNoDilation(p);
        Check("avg_pool2d backward", dx.Length, p.InputLength, dy.Length, p.OutputLength);
        fixed (T* pdy = dy)
        fixed (T* pdx = dx)
        {
            // Same loops as forward with the roles of x and y swapped.
            var job = new AvgJob<T> { X = pdx, Y = pdy, P = p, Backward = true };
            KernelWorkers.Run(ref job, KernelWorkers.PartsFor(p.OutputLength * p.KernelH * p.KernelW, 1 << 15));
        }
    }

    /// <summary>Adaptive average pooling: output cell (i, j) averages rows [floor(i H / OH), ceil((i + 1) H / OH)) and likewise columns.</summary>
    public static void AdaptiveAvgForward<T>(ReadOnlySpan<T> x, Span<T> y, in AdaptivePool2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        p.Validate("adaptive_avg_pool2d");
        long inLen = (long)p.Planes * p.Height * p.Width, outLen = (long)p.Planes * p.OutH * p.OutW;
        Check("adaptive_avg_pool2d", x.Length, inLen, y.Length, outLen);
        fixed (T* px = x)
        fixed (T* py = y)
        {
            var job = new AdaptiveJob<T> { X = px, Y = py, P = p, Backward = false };
            KernelWorkers.Run(ref job, KernelWorkers.PartsFor(inLen, 1 << 15));
        }
    }

    /// <summary>Backward of <see cref="AdaptiveAvgForward{T}"/> (overwrites dx).</summary>
    public static void AdaptiveAvgBackward<T>(ReadOnlySpan<T> dy, Span<T> dx, in AdaptivePool2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        p.Validate("adaptive_avg_pool2d backward");
        long inLen = (long)p.Planes * p.Height * p.Width, outLen = (long)p.Planes * p.OutH * p.OutW;
        Check("adaptive_avg_pool2d backward", dx.Length, inLen, dy.Length, outLen);
        fixed (T* pdy = dy)
        fixed (T* pdx = dx)
        {
            var job = new AdaptiveJob<T> { X = pdx, Y = pdy, P = p, Backward = true };
            KernelWorkers.Run(ref job, KernelWorkers.PartsFor(inLen, 1 << 15));
        }
    }

    private static void Check(string op, long a, long needA, long b, long needB)
    {
        if (a < needA || b < needB)
        {
            throw new ArgumentException($"{op}: buffers too small ({a} of {needA}, {b} of {needB} elements)");
        }
    }

    private static void CheckNoDilation(in Pool2dParams p)
    {
        if (p.DilationH != 1 || p.DilationW != 1)
        {
            throw new ArgumentException($"avg_pool2d: dilation is not supported, got ({p.DilationH}, {p.DilationW})");
        }
    }

    private struct MaxJob<T> : IPartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* X;
        public T* Y;
        public long* I;
        public Pool2dParams P;

        public readonly void RunPart(int part, int parts)
        {
            int h = P.Height, w = P.Width, oh = P.OutH, ow = P.OutW;
            var (s, e) = KernelWorkers.Range(P.Planes, part, parts);
            for (int pl = s; pl < e; pl++)
            {
                T* xp = X + (long)pl * h * w;
                long o = (long)pl * oh * ow;
                for (int r = 0; r < oh; r++)
                {
                    int h0 = r * P.StrideH - P.PadH;
                    for (int q = 0; q < ow; q++, o++)
                    {
                        int w0 = q * P.StrideW - P.PadW;
                        T best = T.NegativeInfinity;
                        long bestIdx = -1;
                        for (int i = 0; i < P.KernelH; i++)
                        {
                            int ih = h0 + i * P.DilationH;
                            if ((uint)ih >= (uint)h)
                            {
                                continue;
                            }
                            for (int j = 0; j < P.KernelW; j++)
                            {
                                int iw = w0 + j * P.DilationW;
                                if ((uint)iw >= (uint)w)
                                {
                                    continue;
                                }
                                long idx = (long)ih * w + iw;
                                T v = xp[idx];
                                if (bestIdx < 0 || v > best || T.IsNaN(v))
                                {
                                    best = v;
                                    bestIdx = idx;
                                }
                            }
                        }
                        Y[o] = best;
                        I[o] = bestIdx;
                    }
                }
            }
        }
    }

    private struct MaxBackJob<T> : IPartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* Dy;
        public T* Dx;
        public long* I;
        public int Planes;
        public int Plane;
        public int OPlane;

        public readonly void RunPart(int part, int parts)
        {
            var (s, e) = KernelWorkers.Range(Planes, part, parts);
            for (int pl = s; pl < e; pl++)
            {
                T* dx = Dx + (long)pl * Plane;
                new Span<T>(dx, Plane).Clear();
                long o = (long)pl * OPlane;
                for (int k = 0; k < OPlane; k++)
                {
                    long idx = I[o + k];
                    if ((ulong)idx >= (ulong)Plane)
                    {
                        throw new IndexOutOfRangeException($"max_pool2d backward: index {idx} is outside a plane of {Plane} elements");
                    }
                    dx[idx] += Dy[o + k];
                }
            }
        }
    }

    private struct AvgJob<T> : IPartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* X;
        public T* Y;
        public Pool2dParams P;
        public bool Backward;

        public readonly void RunPart(int part, int parts)
        {
            int h = P.Height, w = P.Width, oh = P.OutH, ow = P.OutW;
            var (s, e) = KernelWorkers.Range(P.Planes, part, parts);
            for (int pl = s; pl < e; pl++)
            {
                T* xp = X + (long)pl * h * w;
                if (Backward)
                {
                    new Span<T>(xp, h * w).Clear();
                }
                long o = (long)pl * oh * ow;
                for (int r = 0; r < oh; r++)
                {
                    int h0 = r * P.StrideH - P.PadH;
                    int h1 = Math.Min(h0 + P.KernelH, h + P.PadH);
                    int hs = Math.Max(h0, 0), he = Math.Min(h1, h);
                    for (int q = 0; q < ow; q++, o++)
                    {
                        int w0 = q * P.StrideW - P.PadW;
                        int w1 = Math.Min(w0 + P.KernelW, w + P.PadW);
                        int poolSize = (h1 - h0) * (w1 - w0);
                        int ws = Math.Max(w0, 0), we = Math.Min(w1, w);
                        int divisor = P.DivisorOverride > 0 ? P.DivisorOverride
                            : P.CountIncludePad ? poolSize : (he - hs) * (we - ws);
                        T inv = divisor == 0 ? T.Zero : T.One / T.CreateTruncating(divisor);
                        if (Backward)
                        {
                            T g = Y[o] * inv;
                            for (int i = hs; i < he; i++)
                            {
                                T* row = xp + (long)i * w;
                                for (int j = ws; j < we; j++)
                                {
                                    row[j] += g;
                                }
                            }
                        }
                        else
                        {
                            T sum = T.Zero;
                            for (int i = hs; i < he; i++)
                            {
                                T* row = xp + (long)i * w;
                                for (int j = ws; j < we; j++)
                                {
                                    sum += row[j];
                                }
                            }
                            Y[o] = sum * inv;
                        }
                    }
                }
            }
        }
    }

    private struct AdaptiveJob<T> : IPartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* X;
        public T* Y;
        public AdaptivePool2dParams P;
        public bool Backward;

        public readonly void RunPart(int part, int parts)
        {
            int h = P.Height, w = P.Width, oh = P.OutH, ow = P.OutW;
            var (s, e) = KernelWorkers.Range(P.Planes, part, parts);
            for (int pl = s; pl < e; pl++)
            {
                T* xp = X + (long)pl * h * w;
                if (Backward)
                {
                    new Span<T>(xp, h * w).Clear();
                }
                long o = (long)pl * oh * ow;
                for (int r = 0; r < oh; r++)
                {
                    int hs = (int)((long)r * h / oh), he = (int)(((long)(r + 1) * h + oh - 1) / oh);
                    for (int q = 0; q < ow; q++, o++)
                    {
                        int ws = (int)((long)q * w / ow), we = (int)(((long)(q + 1) * w + ow - 1) / ow);
                        T inv = T.One / T.CreateTruncating((he - hs) * (we - ws));
                        if (Backward)
                        {
                            T g = Y[o] * inv;
                            for (int i = hs; i < he; i++)
                            {
                                var row = new Span<T>(xp + (long)i * w + ws, we - ws);
                                System.Numerics.Tensors.TensorPrimitives.Add(row, g, row);
                            }
                        }
                        else
                        {
                            T sum = T.Zero;
                            for (int i = hs; i < he; i++)
                            {
                                sum += System.Numerics.Tensors.TensorPrimitives.Sum(new ReadOnlySpan<T>(xp + (long)i * w + ws, we - ws));
                            }
                            Y[o] = sum * inv;
                        }
                    }
                }
            }
        }
    }
}
