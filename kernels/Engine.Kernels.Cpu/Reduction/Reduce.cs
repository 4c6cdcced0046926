using System.Numerics;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// Reductions over the middle axis of a contiguous (outer, r, inner) block:
/// <c>y[o, i] = op over k of x[o, k, i]</c>. Reducing trailing dims is inner = 1 (each row reduced
/// with SIMD); reducing leading dims is outer = 1 (rows accumulated into y with SIMD).
/// Any set of adjacent dims maps onto this; the tensor layer permutes other sets into place.
/// </summary>
public static unsafe class Reduce
{
    /// <summary>Reduces x (outer, r, inner) over r into y (outer, inner).</summary>
    public static void Run<T, TOp>(ReadOnlySpan<T> x, int outer, int r, int inner, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IReduceOp
    {
        if ((long)outer * r * inner > x.Length || (long)outer * inner > y.Length)
        {
            throw new ArgumentException($"Reduce: spans too short for ({outer}, {r}, {inner})");
        }
        fixed (T* px = x)
        fixed (T* py = y)
        {
            T* xp = px, yp = py;
            long work = (long)outer * r * inner;
            if (inner == 1)
            {
                Parallelism.ForRanges(outer, Math.Max(1, Parallelism.MinElementsPerTask / Math.Max(1, r)), (s, e) =>
                {
                    for (long o = s; o < e; o++)
                    {
                        yp[o] = TOp.ReduceSpan(new ReadOnlySpan<T>(xp + o * r, r));
                    }
                });
                return;
            }
            // Column reduction: split over outer when there are enough rows, else over inner.
            if (outer >= Parallelism.MaxThreads || work < Parallelism.MinElementsPerTask * 2)
            {
                Parallelism.ForRanges(outer, Math.Max(1, Parallelism.MinElementsPerTask / Math.Max(1L, (long)r * inner)), (s, e) =>
                {
                    for (long o = s; o < e; o++)
                    {
                        Columns<T, TOp>(xp + o * r * inner, r, inner, inner, yp + o * inner, inner);
                    }
                });
            }
            else
            {
                Parallelism.ForRanges(inner, Math.Max(64, Parallelism.MinElementsPerTask / Math.Max(1, r)), (s, e) =>
                {
                    for (int o = 0; o < outer; o++)
                    {
                        Columns<T, TOp>(xp + (long)o * r * inner + s, r, inner, (int)(e - s), yp + (long)o * inner + s, (int)(e - s));
                    }
                });
            }
        }
    }

    /// <summary>y[0..n) = op over k of x[k * rowStride + 0..n).</summary>
    private static void Columns<T, TOp>(T* x, int r, int rowStride, int n, T* y, int _)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IReduceOp
    {
        T id = TOp.Identity<T>();
        for (int j = 0; j < n; j++)
        {
            y[j] = id;
        }
        for (int k = 0; k < r; k++)
        {
            T* row = x + (long)k * rowStride;
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j <= n - Vector512<T>.Count; j += Vector512<T>.Count)
                {
                    TOp.Combine(Vector512.Load(y + j), Vector512.Load(row + j)).Store(y + j);
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                for (; j <= n - Vector256<T>.Count; j += Vector256<T>.Count)
                {
                    TOp.Combine(Vector256.Load(y + j), Vector256.Load(row + j)).Store(y + j);
                }
            }
            for (; j < n; j++)
            {
                y[j] = TOp.Combine(y[j], row[j]);
            }
        }
    }

    /// <summary>
    /// Max (or min) with the index where it occurs, over the middle axis of (outer, r, inner).
    /// The first occurrence wins ties; a NaN counts as the extreme, as in PyTorch.
    /// </summary>
    public static void ArgExtreme<T>(ReadOnlySpan<T> x, int outer, int r, int inner, Span<T> values, Span<long> indices, bool max)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (r == 0)
        {
            throw new ArgumentException("ArgExtreme: cannot reduce over an empty dimension");
        }
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                long baseIdx = (long)o * r * inner + i;
                T best = x[(int)baseIdx];
                long bestK = 0;
                if (!T.IsNaN(best))
                {
                    for (int k = 1; k < r; k++)
                    {
                        T v = x[(int)(baseIdx + (long)k * inner)];
                        if (T.IsNaN(v))
                        {
                            best = v;
                            bestK = k;
                            break;
                        }
                        if (max ? v > best : v < best)
                        {
                            best = v;
                            bestK = k;
                        }
                    }
                }
                values[o * inner + i] = best;
                indices[o * inner + i] = bestK;
            }
        }
    }
}
