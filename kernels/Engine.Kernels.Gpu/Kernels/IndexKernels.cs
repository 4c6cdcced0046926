using Engine.Gpu.Functors;
using ILGPU;

namespace Engine.Gpu.Kernels;

/// <summary>Sizes of an indexing op over a contiguous (outer, size, inner) block with count selected slices.</summary>
public struct IndexParams
{
    public int Outer, Size, Count, Inner, Step;
}

/// <summary>
/// Gather, scatter-add, index-select and index-add along an axis. A kernel cannot throw, so an
/// out-of-range index is recorded in err (err[0] = 1, err[1] = the index) and skipped; the backend
/// reads err after the launch and throws the same exception as the CPU backend.
/// </summary>
public static class IndexKernels
{
    private static void Flag(ArrayView<long> err, long k)
    {
        if (Atomic.CompareExchange(ref err[0], 0L, 1L) == 0L)
        {
            err[1] = k;
        }
    }

    /// <summary>y[o, j, i] = x[o, index[o, j, i], i].</summary>
    public static void Gather<T>(Index1D index, ArrayView<T> x, ArrayView<long> idx, ArrayView<T> y, ArrayView<long> err, IndexParams p)
        where T : unmanaged
    {
        int n = p.Outer * p.Count * p.Inner, step = p.Step, inner = p.Inner, count = p.Count, size = p.Size;
        for (int e = index.X; e < n; e += step)
        {
            int i = e % inner, o = e / (inner * count);
            long k = idx[e];
            if (k < 0 || k >= size)
            {
                Flag(err, k);
                continue;
            }
            y[e] = x[(int)((o * (long)size + k) * inner + i)];
        }
    }

    /// <summary>y[o, index[o, j, i], i] += src[o, j, i] (atomically: indices may repeat).</summary>
    public static void ScatterAdd<T, TAdd>(Index1D index, ArrayView<T> y, ArrayView<long> idx, ArrayView<T> src, ArrayView<long> err, IndexParams p)
        where T : unmanaged where TAdd : struct, IAtomicAdd<T>
    {
        int n = p.Outer * p.Count * p.Inner, step = p.Step, inner = p.Inner, count = p.Count, size = p.Size;
        for (int e = index.X; e < n; e += step)
        {
            int i = e % inner, o = e / (inner * count);
            long k = idx[e];
            if (k < 0 || k >= size)
            {
                Flag(err, k);
                continue;
            }
            TAdd.Add(ref y[(int)((o * (long)size + k) * inner + i)], src[e]);
        }
    }

    /// <summary>y[o, j, i] = x[o, index[j], i].</summary>
    public static void IndexSelect<T>(Index1D index, ArrayView<T> x, ArrayView<long> idx, ArrayView<T> y, ArrayView<long> err, IndexParams p)
        where T : unmanaged
    {
        int n = p.Outer * p.Count * p.Inner, step = p.Step, inner = p.Inner, count = p.Count, size = p.Size;
        for (int e = index.X; e < n; e += step)
        {
            int i = e % inner, rest = e / inner, j = rest % count, o = rest / count;
            long k = idx[j];
            if (k < 0 || k >= size)
            {
                Flag(err, k);
                continue;
            }
            y[e] = x[(int)((o * (long)size + k) * inner + i)];
        }
    }

    /// <summary>y[o, index[j], i] += src[o, j, i] (atomically: indices may repeat).</summary>
    public static void IndexAdd<T, TAdd>(Index1D index, ArrayView<T> y, ArrayView<long> idx, ArrayView<T> src, ArrayView<long> err, IndexParams p)
        where T : unmanaged where TAdd : struct, IAtomicAdd<T>
    {
        int n = p.Outer * p.Count * p.Inner, step = p.Step, inner = p.Inner, count = p.Count, size = p.Size;
        for (int e = index.X; e < n; e += step)
        {
            int i = e % inner, rest = e / inner, j = rest % count, o = rest / count;
            long k = idx[j];
            if (k < 0 || k >= size)
            {
                Flag(err, k);
                continue;
            }
            TAdd.Add(ref y[(int)((o * (long)size + k) * inner + i)], src[e]);
        }
    }
}
