using System.Numerics;
using ILGPU;

namespace Engine.Gpu.Kernels;

/// <summary>Sizes and switches of a normalisation as a kernel parameter.</summary>
public struct NormGeom
{
    /// <summary>Batch norm: x is (Batch, Channels, Inner). Row norm: Batch = rows, Channels = groups, ChannelsPerGroup and Inner as RowNormParams.</summary>
    public int Batch, Channels, ChannelsPerGroup, Inner;

    /// <summary>A combination of the NormKernels.Has* and other flag constants.</summary>
    public int Flags;

    /// <summary>Batch norm: each channel's Batch * Inner values are reduced in Chunks chunks of ChunkLen (one group each).</summary>
    public int Chunks, ChunkLen;

    /// <summary>Threads of the launch (the grid-stride step) for the implicitly grouped kernels.</summary>
    public int Step;
}

/// <summary>
/// Batch norm (statistics per channel over batch and inner) and row norm (layer norm, group norm:
/// statistics per row), forward and backward. Batch norm reduces each channel in chunks, one
/// group per chunk, then adds the chunks' sums in order (a channel can hold far more values than
/// there are channels); row norm uses one group per row. Groups reduce with a shared-memory tree
/// (<see cref="GroupReduce"/>), so results do not depend on timing. Constants
/// that the CPU backend converts with T.CreateTruncating (counts, eps, momentum) come in as T.
/// </summary>
[CatalogedKernels]
public static class NormKernels
{
    /// <summary>Shared array size: launches use a power-of-two group size up to this.</summary>
    public const int GroupSize = 256;

    /// <summary>Flag: a weight is given.</summary>
    public const int HasWeight = 1;

    /// <summary>Flag: a bias is given.</summary>
    public const int HasBias = 2;

    /// <summary>Flag: write dx.</summary>
    public const int HasDx = 4;

    /// <summary>Flag: write dweight.</summary>
    public const int HasDw = 8;

    /// <summary>Flag: write dbias.</summary>
    public const int HasDb = 16;

    /// <summary>Flag: batch norm backward through batch statistics (training).</summary>
    public const int BatchStats = 32;

    /// <summary>Flag: update the running statistics.</summary>
    public const int UpdateRunning = 64;

    /// <summary>
    /// Partial sums of batch norm, one group per (channel, chunk) pair: the Batch * Inner values of
    /// a channel are split into Chunks chunks of ChunkLen. Mode 0: sum of x. Mode 1: sum of (x -
    /// center)^2. Mode 2: sum of dy and sum of dy (x - center). partial[ch * Chunks + s] gets the
    /// first sum, partial[Channels * Chunks + ch * Chunks + s] the second (mode 2).
    /// </summary>
    public static void BatchNormPartial<T>(ArrayView<T> x, ArrayView<T> dy, ArrayView<T> center, ArrayView<T> partial, NormGeom g, int mode)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(GroupSize);
        int tid = Group.IdxX, gsize = Group.DimX, gstep = Grid.DimX;
        int c = g.Channels, inner = g.Inner, total = g.Batch * inner, chunks = g.Chunks, chunkLen = g.ChunkLen;
        int items = c * chunks;
        for (int item = Grid.IdxX; item < items; item += gstep)
        {
            int ch = item / chunks, s = item - ch * chunks;
            int j0 = s * chunkLen, j1 = Math.Min(j0 + chunkLen, total);
            T m = mode == 0 ? T.Zero : center[ch];
            T a = T.Zero, b = T.Zero;
            for (int j = j0 + tid; j < j1; j += gsize)
            {
                int n = j / inner;
                int at = (n * c + ch) * inner + j - n * inner;
                if (mode == 0)
                {
                    a += x[at];
                }
                else if (mode == 1)
                {
                    T d = x[at] - m;
                    a += d * d;
                }
                else
                {
                    T d = dy[at];
                    a += d;
                    b += d * (x[at] - m);
                }
            }
            a = GroupReduce.Sum(shared, a, tid, gsize);
            if (mode == 2)
            {
                b = GroupReduce.Sum(shared, b, tid, gsize);
            }
            if (tid == 0)
            {
                partial[item] = a;
                if (mode == 2)
                {
                    partial[items + item] = b;
                }
            }
        }
    }

    /// <summary>mean[ch] = (sum of the channel's partial sums, in chunk order) / count, one thread per channel.</summary>
    public static void BatchNormMean<T>(Index1D index, ArrayView<T> partial, ArrayView<T> mean, NormGeom g, T count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.Channels, chunks = g.Chunks, step = g.Step;
        for (int ch = index.X; ch < c; ch += step)
        {
            T s = T.Zero;
            for (int k = 0; k < chunks; k++)
            {
                s += partial[ch * chunks + k];
            }
            mean[ch] = s / count;
        }
    }

    /// <summary>
    /// From the partial sums of squared deviations: invstd = 1 / sqrt(biased var + eps) and, with
    /// UpdateRunning, running = (1 - momentum) running + momentum batch (unbiased variance; NaN
    /// when count - 1 is 0). count and countM1 are Batch * Inner and Batch * Inner - 1 as T.
    /// </summary>
    public static void BatchNormVar<T>(Index1D index, ArrayView<T> partial, ArrayView<T> mean, ArrayView<T> invStd, ArrayView<T> runMean, ArrayView<T> runVar,
        NormGeom g, T count, T countM1, T eps, T momentum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.Channels, chunks = g.Chunks, step = g.Step;
        bool update = (g.Flags & UpdateRunning) != 0;
        for (int ch = index.X; ch < c; ch += step)
        {
            T sq = T.Zero;
            for (int k = 0; k < chunks; k++)
            {
                sq += partial[ch * chunks + k];
            }
            invStd[ch] = T.One / T.Sqrt(sq / count + eps);
            if (update)
            {
                runMean[ch] = (T.One - momentum) * runMean[ch] + momentum * mean[ch];
                T unbiased = countM1 > T.Zero ? sq / countM1 : T.NaN;
                runVar[ch] = (T.One - momentum) * runVar[ch] + momentum * unbiased;
            }
        }
    }

    /// <summary>Evaluation statistics: mean = runMean, invstd = 1 / sqrt(runVar + eps), one thread per channel.</summary>
    public static void BatchNormEvalStats<T>(Index1D index, ArrayView<T> runMean, ArrayView<T> runVar, ArrayView<T> mean, ArrayView<T> invStd,
        NormGeom g, T eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.Channels, step = g.Step;
        for (int ch = index.X; ch < c; ch += step)
        {
            mean[ch] = runMean[ch];
            invStd[ch] = T.One / T.Sqrt(runVar[ch] + eps);
        }
    }

    /// <summary>y = x * scale + shift per channel, scale = invstd * weight, shift = bias - mean * scale.</summary>
    public static void BatchNormApply<T>(Index1D index, ArrayView<T> x, ArrayView<T> weight, ArrayView<T> bias, ArrayView<T> y,
        ArrayView<T> mean, ArrayView<T> invStd, NormGeom g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.Channels, inner = g.Inner, total = g.Batch * c * inner, step = g.Step;
        bool hasW = (g.Flags & HasWeight) != 0, hasB = (g.Flags & HasBias) != 0;
        for (int e = index.X; e < total; e += step)
        {
            int ch = e / inner % c;
            T scale = invStd[ch] * (hasW ? weight[ch] : T.One);
            T shift = (hasB ? bias[ch] : T.Zero) - mean[ch] * scale;
            y[e] = x[e] * scale + shift;
        }
    }

    /// <summary>
    /// Backward, one thread per channel, from the mode-2 partial sums: dbias = sum dy, dweight =
    /// sum dy (x - mean) invstd, and the coefficients of dx = k dy + a x + b into
    /// coef[ch], coef[C + ch], coef[2C + ch] (k = weight invstd; a = b = 0 without batch statistics).
    /// </summary>
    public static void BatchNormBackwardSums<T>(Index1D index, ArrayView<T> partial, ArrayView<T> weight, ArrayView<T> mean, ArrayView<T> invStd,
        ArrayView<T> dweight, ArrayView<T> dbias, ArrayView<T> coef, NormGeom g, T count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.Channels, chunks = g.Chunks, step = g.Step, flags = g.Flags, second = c * chunks;
        for (int ch = index.X; ch < c; ch += step)
        {
            T sdy = T.Zero, sdyx = T.Zero;
            for (int k = 0; k < chunks; k++)
            {
                sdy += partial[ch * chunks + k];
                sdyx += partial[second + ch * chunks + k];
            }
            T inv = invStd[ch];
            if ((flags & HasDw) != 0)
            {
                dweight[ch] = sdyx * inv;
            }
            if ((flags & HasDb) != 0)
            {
                dbias[ch] = sdy;
            }
            if ((flags & HasDx) == 0)
            {
                continue;
            }
            T kk = ((flags & HasWeight) != 0 ? weight[ch] : T.One) * inv;
            T a = T.Zero, b = T.Zero;
            if ((flags & BatchStats) != 0)
            {
                a = -kk * inv * inv * sdyx / count;
                b = -kk * sdy / count - a * mean[ch];
            }
            coef[ch] = kk;
            coef[c + ch] = a;
            coef[2 * c + ch] = b;
        }
    }

    /// <summary>dx = k dy + a x + b with the per-channel coefficients of <see cref="BatchNormBackwardSums{T}"/> (just k dy without batch statistics).</summary>
    public static void BatchNormBackwardInput<T>(Index1D index, ArrayView<T> x, ArrayView<T> dy, ArrayView<T> coef, ArrayView<T> dx, NormGeom g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.Channels, inner = g.Inner, total = g.Batch * c * inner, step = g.Step;
        bool stats = (g.Flags & BatchStats) != 0;
        for (int e = index.X; e < total; e += step)
        {
            int ch = e / inner % c;
            dx[e] = stats ? coef[ch] * dy[e] + coef[c + ch] * x[e] + coef[2 * c + ch] : coef[ch] * dy[e];
        }
    }

    /// <summary>
    /// Row norm forward, one group per row of ChannelsPerGroup * Inner values: mean, rstd = 1 /
    /// sqrt(biased var + eps), y = x * scale + shift with the affine channel (row % groups) *
    /// ChannelsPerGroup + d / Inner. n is the row length as T.
    /// </summary>
    public static void RowNormForward<T>(ArrayView<T> x, ArrayView<T> weight, ArrayView<T> bias, ArrayView<T> y, ArrayView<T> mean, ArrayView<T> rstd,
        NormGeom g, T n, T eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(GroupSize);
        int tid = Group.IdxX, gsize = Group.DimX, gstep = Grid.DimX;
        int rows = g.Batch, groups = g.Channels, cg = g.ChannelsPerGroup, inner = g.Inner, len = cg * inner;
        bool hasW = (g.Flags & HasWeight) != 0, hasB = (g.Flags & HasBias) != 0;
        for (int r = Grid.IdxX; r < rows; r += gstep)
        {
            int b0 = r * len;
            T s = T.Zero;
            for (int j = tid; j < len; j += gsize)
            {
                s += x[b0 + j];
            }
            T m = GroupReduce.Sum(shared, s, tid, gsize) / n;
            T sq = T.Zero;
            for (int j = tid; j < len; j += gsize)
            {
                T d = x[b0 + j] - m;
                sq += d * d;
            }
            T rs = T.One / T.Sqrt(GroupReduce.Sum(shared, sq, tid, gsize) / n + eps);
            if (tid == 0)
            {
                mean[r] = m;
                rstd[r] = rs;
            }
            int ch0 = r % groups * cg;
            for (int j = tid; j < len; j += gsize)
            {
                int ch = ch0 + j / inner;
                T scale = rs * (hasW ? weight[ch] : T.One);
                T shift = (hasB ? bias[ch] : T.Zero) - m * scale;
                y[b0 + j] = x[b0 + j] * scale + shift;
            }
        }
    }

    /// <summary>Row norm backward for the input, one group per row: with g = dy weight, dx = rstd (g - mean(g) - xhat mean(g xhat)).</summary>
    public static void RowNormBackwardInput<T>(ArrayView<T> x, ArrayView<T> dy, ArrayView<T> weight, ArrayView<T> mean, ArrayView<T> rstd,
        ArrayView<T> dx, NormGeom g, T n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(GroupSize);
        int tid = Group.IdxX, gsize = Group.DimX, gstep = Grid.DimX;
        int rows = g.Batch, groups = g.Channels, cg = g.ChannelsPerGroup, inner = g.Inner, len = cg * inner;
        bool hasW = (g.Flags & HasWeight) != 0;
        for (int r = Grid.IdxX; r < rows; r += gstep)
        {
            int b0 = r * len, ch0 = r % groups * cg;
            T m = mean[r], rs = rstd[r];
            T sg = T.Zero, sgx = T.Zero;
            for (int j = tid; j < len; j += gsize)
            {
                T gv = dy[b0 + j] * (hasW ? weight[ch0 + j / inner] : T.One);
                sg += gv;
                sgx += gv * (x[b0 + j] - m);
            }
            T mg = GroupReduce.Sum(shared, sg, tid, gsize) / n;
            T mgx = GroupReduce.Sum(shared, sgx, tid, gsize) * rs / n;
            for (int j = tid; j < len; j += gsize)
            {
                T gv = dy[b0 + j] * (hasW ? weight[ch0 + j / inner] : T.One);
                dx[b0 + j] = rs * (gv - mg - (x[b0 + j] - m) * rs * mgx);
            }
        }
    }

    /// <summary>
    /// Row norm backward for the affine parameters, one group per channel: dbias = sum dy and
    /// dweight = sum dy (x - mean) rstd over the rows of the channel's group and the inner positions.
    /// </summary>
    public static void RowNormBackwardAffine<T>(ArrayView<T> x, ArrayView<T> dy, ArrayView<T> mean, ArrayView<T> rstd,
        ArrayView<T> dweight, ArrayView<T> dbias, NormGeom g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(GroupSize);
        int tid = Group.IdxX, gsize = Group.DimX, gstep = Grid.DimX;
        int rows = g.Batch, groups = g.Channels, cg = g.ChannelsPerGroup, inner = g.Inner, len = cg * inner;
        int channels = groups * cg, flags = g.Flags;
        for (int ch = Grid.IdxX; ch < channels; ch += gstep)
        {
            int grp = ch / cg, c = ch - grp * cg;
            int total = (rows - grp + groups - 1) / groups * inner;
            T sw = T.Zero, sb = T.Zero;
            for (int j = tid; j < total; j += gsize)
            {
                int k = j / inner;
                int r = grp + k * groups;
                int at = r * len + c * inner + j - k * inner;
                T d = dy[at];
                sb += d;
                sw += d * (x[at] - mean[r]) * rstd[r];
            }
            sw = GroupReduce.Sum(shared, sw, tid, gsize);
            sb = GroupReduce.Sum(shared, sb, tid, gsize);
            if (tid == 0 && (flags & HasDw) != 0)
            {
                dweight[ch] = sw;
            }
            if (tid == 0 && (flags & HasDb) != 0)
            {
                dbias[ch] = sb;
            }
        }
    }
}
