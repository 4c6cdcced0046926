using System.Numerics;
using Engine.Kernels;
using ILGPU;

namespace Engine.Gpu.Kernels;

/// <summary>Sizes of a reduction over the middle axis of a contiguous (outer, r, inner) block.</summary>
public struct ReduceParams
{
    public int Outer, R, Inner, Step;
}

/// <summary>
/// Reductions of (outer, r, inner) over r. With many outputs each thread owns one output and loops
/// over r (threads of a warp read neighbouring inner positions); with few outputs and long rows one
/// group of <see cref="GroupSize"/> threads shares each output through a shared-memory tree.
/// </summary>
public static class ReduceKernels
{
    /// <summary>Most threads per group of the group kernels (the shared array size; launches use a power of two up to this).</summary>
    public const int GroupSize = 256;

    /// <summary>y[o, i] = op over k of x[o, k, i], one thread per output.</summary>
    public static void ThreadPerOutput<T, TOp>(Index1D index, ArrayView<T> x, ArrayView<T> y, ReduceParams p)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IReduceOp
    {
        int count = p.Outer * p.Inner, step = p.Step, r = p.R, inner = p.Inner;
        for (int o = index.X; o < count; o += step)
        {
            int oo = o / inner, oi = o - oo * inner;
            int b = oo * r * inner + oi;
            T acc = TOp.Identity<T>();
            for (int k = 0; k < r; k++)
            {
                acc = TOp.Combine(acc, x[b + k * inner]);
            }
            y[o] = acc;
        }
    }

    /// <summary>y[o, i] = op over k of x[o, k, i], one group per output (explicitly grouped).</summary>
    public static void GroupPerOutput<T, TOp>(ArrayView<T> x, ArrayView<T> y, ReduceParams p)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IReduceOp
    {
        var shared = SharedMemory.Allocate<T>(GroupSize);
        int count = p.Outer * p.Inner, r = p.R, inner = p.Inner;
        int tid = Group.IdxX, gsize = Group.DimX, gstep = Grid.DimX;
        for (int o = Grid.IdxX; o < count; o += gstep)
        {
            int oo = o / inner, oi = o - oo * inner;
            int b = oo * r * inner + oi;
            T acc = TOp.Identity<T>();
            for (int k = tid; k < r; k += gsize)
            {
                acc = TOp.Combine(acc, x[b + k * inner]);
            }
            shared[tid] = acc;
            Group.Barrier();
            for (int s = gsize / 2; s > 0; s >>= 1)
            {
                if (tid < s)
                {
                    shared[tid] = TOp.Combine(shared[tid], shared[tid + s]);
                }
                Group.Barrier();
            }
            if (tid == 0)
            {
                y[o] = shared[0];
            }
            Group.Barrier();
        }
    }

    /// <summary>
    /// First pass of a split reduction (explicitly grouped): work item w = (o, s) reduces the chunk
    /// [s chunk, (s + 1) chunk) of output o's row into partial[o * splits + s]. Used when there are
    /// too few outputs to fill the device with one group per output (a full sum, say).
    /// </summary>
    public static void GroupPerChunk<T, TOp>(ArrayView<T> x, ArrayView<T> partial, ReduceParams p, int splits, int chunk)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IReduceOp
    {
        var shared = SharedMemory.Allocate<T>(GroupSize);
        int count = p.Outer * p.Inner, r = p.R, inner = p.Inner, work = count * splits;
        int tid = Group.IdxX, gsize = Group.DimX, gstep = Grid.DimX;
        for (int w = Grid.IdxX; w < work; w += gstep)
        {
            int o = w / splits, sIdx = w - o * splits;
            int oo = o / inner, oi = o - oo * inner;
            int b = oo * r * inner + oi;
            int k0 = sIdx * chunk, k1 = Math.Min(r, k0 + chunk);
            // Four independent accumulators keep four loads in flight per thread.
            T acc0 = TOp.Identity<T>(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
            int k = k0 + tid, g4 = 4 * gsize;
            for (; k + 3 * gsize < k1; k += g4)
            {
                acc0 = TOp.Combine(acc0, x[b + k * inner]);
                acc1 = TOp.Combine(acc1, x[b + (k + gsize) * inner]);
                acc2 = TOp.Combine(acc2, x[b + (k + 2 * gsize) * inner]);
                acc3 = TOp.Combine(acc3, x[b + (k + 3 * gsize) * inner]);
            }
            for (; k < k1; k += gsize)
            {
                acc0 = TOp.Combine(acc0, x[b + k * inner]);
            }
            shared[tid] = TOp.Combine(TOp.Combine(acc0, acc1), TOp.Combine(acc2, acc3));
            Group.Barrier();
            for (int s = gsize / 2; s > 0; s >>= 1)
            {
                if (tid < s)
                {
                    shared[tid] = TOp.Combine(shared[tid], shared[tid + s]);
                }
                Group.Barrier();
            }
            if (tid == 0)
            {
                partial[w] = shared[0];
            }
            Group.Barrier();
        }
    }

    /// <summary>Max (or min) and its first index over r; a NaN wins, as in PyTorch and the CPU kernel.</summary>
    public static void ArgExtreme<T>(Index1D index, ArrayView<T> x, ArrayView<T> values, ArrayView<long> indices, ReduceParams p, int max)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = p.Outer * p.Inner, step = p.Step, r = p.R, inner = p.Inner;
        for (int o = index.X; o < count; o += step)
        {
            int oo = o / inner, oi = o - oo * inner;
            int b = oo * r * inner + oi;
            T best = x[b];
            int bestK = 0;
            if (!T.IsNaN(best))
            {
                for (int k = 1; k < r; k++)
                {
                    T v = x[b + k * inner];
                    if (T.IsNaN(v))
                    {
                        best = v;
                        bestK = k;
                        break;
                    }
                    if (max != 0 ? v > best : v < best)
                    {
                        best = v;
                        bestK = k;
                    }
                }
            }
            values[o] = best;
            indices[o] = bestK;
        }
    }
}
