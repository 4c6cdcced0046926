using System.Numerics;
using ILGPU;

namespace Engine.Gpu.Kernels;

/// <summary>Softmax and log-softmax over the rows of a contiguous (rows, n) block: one group per row.</summary>
public static class SoftmaxKernels
{
    /// <summary>Most threads per group (the shared array size; launches use a power of two up to this).</summary>
    public const int GroupSize = 256;

    /// <summary>Forward: y = softmax(x) or log_softmax(x), shifted by the row max.</summary>
    public static void Forward<T>(ArrayView<T> x, ArrayView<T> y, int rows, int n, int log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(GroupSize);
        int tid = Group.IdxX, gsize = Group.DimX, gstep = Grid.DimX;
        for (int row = Grid.IdxX; row < rows; row += gstep)
        {
            int b = row * n;
            T m = T.NegativeInfinity;
            for (int j = tid; j < n; j += gsize)
            {
                m = T.Max(m, x[b + j]);
            }
            m = GroupReduce.Max(shared, m, tid, gsize);
            if (T.IsInfinity(m) && m < T.Zero)
            {
                m = T.Zero; // an all -inf row: keep exp() finite (the result is NaN, as in PyTorch)
            }
            T s = T.Zero;
            for (int j = tid; j < n; j += gsize)
            {
                s += T.Exp(x[b + j] - m);
            }
            s = GroupReduce.Sum(shared, s, tid, gsize);
            if (log != 0)
            {
                T shift = m + T.Log(s);
                for (int j = tid; j < n; j += gsize)
                {
                    y[b + j] = x[b + j] - shift;
                }
            }
            else
            {
                T inv = T.One / s;
                for (int j = tid; j < n; j += gsize)
                {
                    y[b + j] = T.Exp(x[b + j] - m) * inv;
                }
            }
        }
    }

    /// <summary>Backward. softmax: gx = y (g - sum(g y)); log_softmax: gx = g - exp(y) sum(g).</summary>
    public static void Backward<T>(ArrayView<T> y, ArrayView<T> g, ArrayView<T> gx, int rows, int n, int log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(GroupSize);
        int tid = Group.IdxX, gsize = Group.DimX, gstep = Grid.DimX;
        for (int row = Grid.IdxX; row < rows; row += gstep)
        {
            int b = row * n;
            T s = T.Zero;
            for (int j = tid; j < n; j += gsize)
            {
                s += log != 0 ? g[b + j] : g[b + j] * y[b + j];
            }
            s = GroupReduce.Sum(shared, s, tid, gsize);
            for (int j = tid; j < n; j += gsize)
            {
                gx[b + j] = log != 0 ? g[b + j] - T.Exp(y[b + j]) * s : y[b + j] * (g[b + j] - s);
            }
        }
    }
}

/// <summary>Shared-memory tree reductions across one group; every thread gets the result.</summary>
public static class GroupReduce
{
    /// <summary>Sum of v over the group.</summary>
    public static T Sum<T>(ArrayView<T> shared, T v, int tid, int gsize) where T : unmanaged, IFloatingPointIeee754<T>
    {
        shared[tid] = v;
        Group.Barrier();
        for (int s = gsize / 2; s > 0; s >>= 1)
        {
            if (tid < s)
            {
                shared[tid] += shared[tid + s];
            }
            Group.Barrier();
        }
        T r = shared[0];
        Group.Barrier();
        return r;
    }

    /// <summary>Max of v over the group (NaN propagates).</summary>
    public static T Max<T>(ArrayView<T> shared, T v, int tid, int gsize) where T : unmanaged, IFloatingPointIeee754<T>
    {
        shared[tid] = v;
        Group.Barrier();
        for (int s = gsize / 2; s > 0; s >>= 1)
        {
            if (tid < s)
            {
                shared[tid] = T.Max(shared[tid], shared[tid + s]);
            }
            Group.Barrier();
        }
        T r = shared[0];
        Group.Barrier();
        return r;
    }
}
