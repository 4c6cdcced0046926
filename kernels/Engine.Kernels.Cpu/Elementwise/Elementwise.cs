using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// Generic drivers that run an <see cref="IUnaryFn"/> or <see cref="IBinaryFn"/> over memory.
/// Each operand is (span, offset, strides) over a common <c>shape</c>; a stride of 0 broadcasts.
/// Dimensions are collapsed first, so contiguous tensors take the SIMD fast path whatever their
/// rank, and a broadcast scalar or row takes a SIMD path with the operand splatted.
/// Large ops are split across cores.
/// </summary>
public static unsafe class Elementwise
{
    private const int MaxRank = 16;

    /// <summary>Contiguous outputs at least this long (elements) are written with non-temporal stores.</summary>
    private const int NonTemporalThreshold = 1 << 18;

    /// <summary>y = f(x) over a shape, each operand strided.</summary>
    public static void Unary<T, TFn>(ReadOnlySpan<T> x, int xOffset, ReadOnlySpan<int> xStrides,
        Span<T> y, int yOffset, ReadOnlySpan<int> yStrides, ReadOnlySpan<int> shape)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFn : struct, IUnaryFn
    {
        // Unary reuses the binary machinery with the same operand twice; the functor ignores b.
        Binary<T, UnaryAsBinary<TFn>>(x, xOffset, xStrides, x, xOffset, xStrides, y, yOffset, yStrides, shape);
    }

    /// <summary>y = f(a, b) over a shape, each operand strided (stride 0 = broadcast).</summary>
    public static void Binary<T, TFn>(ReadOnlySpan<T> a, int aOffset, ReadOnlySpan<int> aStrides,
        ReadOnlySpan<T> b, int bOffset, ReadOnlySpan<int> bStrides,
        Span<T> y, int yOffset, ReadOnlySpan<int> yStrides, ReadOnlySpan<int> shape)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFn : struct, IBinaryFn
    {
        int rank = shape.Length;
        if (rank > MaxRank)
        {
            throw new ArgumentException($"Elementwise: rank {rank} exceeds the supported {MaxRank}");
        }
        long total = 1;
        for (int d = 0; d < rank; d++)
        {
            total *= shape[d];
        }
        if (total == 0)
        {
            return;
        }
        Span<int> dims = stackalloc int[Math.Max(rank, 1)];
        Span<int> sa = stackalloc int[Math.Max(rank, 1)];
        Span<int> sb = stackalloc int[Math.Max(rank, 1)];
        Span<int> sy = stackalloc int[Math.Max(rank, 1)];
        shape.CopyTo(dims);
        aStrides.CopyTo(sa);
        bStrides.CopyTo(sb);
        yStrides.CopyTo(sy);
        int r = StridedShape.Collapse(dims, sa, sb, sy, rank);

        fixed (T* pa = a)
        fixed (T* pb = b)
        fixed (T* py = y)
        {
            T* a0 = pa + aOffset, b0 = pb + bOffset, y0 = py + yOffset;
            if (total < Parallelism.MinElementsPerTask * 2 || Parallelism.MaxThreads == 1)
            {
                RunRange<T, TFn>(a0, b0, y0, dims[..r], sa[..r], sb[..r], sy[..r], 0, total);
            }
            else
            {
                // Arrays only on the parallel path (the lambda cannot capture spans).
                int[] d = dims[..r].ToArray(), xa = sa[..r].ToArray(), xb = sb[..r].ToArray(), xy = sy[..r].ToArray();
                Parallelism.ForRanges(total, Parallelism.MinElementsPerTask, (s, e) => RunRange<T, TFn>(a0, b0, y0, d, xa, xb, xy, s, e));
            }
        }
    }

    /// <summary>y = f(x) for contiguous spans of equal length.</summary>
    public static void Unary<T, TFn>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFn : struct, IUnaryFn
    {
        CheckLength(x.Length, y.Length);
        fixed (T* px = x)
        fixed (T* py = y)
        {
            Inner<T, UnaryAsBinary<TFn>>(px, 1, px, 1, py, 1, x.Length);
        }
    }

    /// <summary>y = f(a, b) for contiguous spans of equal length.</summary>
    public static void Binary<T, TFn>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFn : struct, IBinaryFn
    {
        CheckLength(a.Length, y.Length);
        CheckLength(b.Length, y.Length);
        fixed (T* pa = a)
        fixed (T* pb = b)
        fixed (T* py = y)
        {
            Inner<T, TFn>(pa, 1, pb, 1, py, 1, y.Length);
        }
    }

    private static void CheckLength(int a, int b)
    {
        if (a != b)
        {
            throw new ArgumentException($"Elementwise: span lengths differ ({a} vs {b})");
        }
    }

    /// <summary>Processes flat (row-major) element indices [start, end) of a collapsed shape.</summary>
    private static void RunRange<T, TFn>(T* a, T* b, T* y, ReadOnlySpan<int> shape, ReadOnlySpan<int> sa, ReadOnlySpan<int> sb, ReadOnlySpan<int> sy,
        long start, long end)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFn : struct, IBinaryFn
    {
        int rank = shape.Length;
        int n = shape[rank - 1];
        int ia = sa[rank - 1], ib = sb[rank - 1], iy = sy[rank - 1];
        if (rank == 1)
        {
            Inner<T, TFn>(a + start * ia, ia, b + start * ib, ib, y + start * iy, iy, (int)(end - start));
            return;
        }
        // Odometer over the outer dims, starting at the row that holds `start`.
        Span<int> idx = stackalloc int[rank];
        long row = start / n;
        int col = (int)(start % n);
        long rem = row;
        long oa = 0, ob = 0, oy = 0;
        for (int d = rank - 2; d >= 0; d--)
        {
            idx[d] = (int)(rem % shape[d]);
            rem /= shape[d];
            oa += (long)idx[d] * sa[d];
            ob += (long)idx[d] * sb[d];
            oy += (long)idx[d] * sy[d];
        }
        long done = start;
        while (done < end)
        {
            int len = (int)Math.Min(n - col, end - done);
            Inner<T, TFn>(a + oa + (long)col * ia, ia, b + ob + (long)col * ib, ib, y + oy + (long)col * iy, iy, len);
            done += len;
            col = 0;
            for (int d = rank - 2; d >= 0; d--)
            {
                idx[d]++;
                oa += sa[d];
                ob += sb[d];
                oy += sy[d];
                if (idx[d] < shape[d])
                {
                    break;
                }
                oa -= (long)sa[d] * shape[d];
                ob -= (long)sb[d] * shape[d];
                oy -= (long)sy[d] * shape[d];
                idx[d] = 0;
            }
        }
    }

    /// <summary>The innermost loop: SIMD when every operand is unit-stride or a broadcast scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Inner<T, TFn>(T* a, int sa, T* b, int sb, T* y, int sy, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFn : struct, IBinaryFn
    {
        int i = 0;
        if (sy == 1 && (sa == 1 || sa == 0) && (sb == 1 || sb == 0))
        {
            if (Vector512.IsHardwareAccelerated)
            {
                int w = Vector512<T>.Count;
                if (sa == 1 && sb == 1)
                {
                    if (n >= NonTemporalThreshold && ((nuint)y & (nuint)(sizeof(T) - 1)) == 0)
                    {
                        // Large outputs: align the output to 64 bytes, then stream it past the cache
                        // (non-temporal stores skip the read-for-ownership of lines about to be overwritten).
                        int peel = (int)(((64 - ((nuint)y & 63)) & 63) / (nuint)sizeof(T));
                        for (; i < peel; i++)
                        {
                            y[i] = TFn.Apply(a[i], b[i]);
                        }
                        for (; i <= n - 2 * w; i += 2 * w)
                        {
                            var r0 = TFn.Apply(Vector512.Load(a + i), Vector512.Load(b + i));
                            var r1 = TFn.Apply(Vector512.Load(a + i + w), Vector512.Load(b + i + w));
                            r0.StoreAlignedNonTemporal(y + i);
                            r1.StoreAlignedNonTemporal(y + i + w);
                        }
                    }
                    // Four vectors per iteration keep more loads in flight (memory-bound ops).
                    for (; i <= n - 4 * w; i += 4 * w)
                    {
                        var r0 = TFn.Apply(Vector512.Load(a + i), Vector512.Load(b + i));
                        var r1 = TFn.Apply(Vector512.Load(a + i + w), Vector512.Load(b + i + w));
                        var r2 = TFn.Apply(Vector512.Load(a + i + 2 * w), Vector512.Load(b + i + 2 * w));
                        var r3 = TFn.Apply(Vector512.Load(a + i + 3 * w), Vector512.Load(b + i + 3 * w));
                        r0.Store(y + i);
                        r1.Store(y + i + w);
                        r2.Store(y + i + 2 * w);
                        r3.Store(y + i + 3 * w);
                    }
                    for (; i <= n - w; i += w)
                    {
                        TFn.Apply(Vector512.Load(a + i), Vector512.Load(b + i)).Store(y + i);
                    }
                }
                else if (sa == 1)
                {
                    var vb = Vector512.Create(*b);
                    for (; i <= n - w; i += w)
                    {
                        TFn.Apply(Vector512.Load(a + i), vb).Store(y + i);
                    }
                }
                else if (sb == 1)
                {
                    var va = Vector512.Create(*a);
                    for (; i <= n - w; i += w)
                    {
                        TFn.Apply(va, Vector512.Load(b + i)).Store(y + i);
                    }
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                int w = Vector256<T>.Count;
                if (sa == 1 && sb == 1)
                {
                    for (; i <= n - w; i += w)
                    {
                        TFn.Apply(Vector256.Load(a + i), Vector256.Load(b + i)).Store(y + i);
                    }
                }
                else if (sa == 1)
                {
                    var vb = Vector256.Create(*b);
                    for (; i <= n - w; i += w)
                    {
                        TFn.Apply(Vector256.Load(a + i), vb).Store(y + i);
                    }
                }
                else if (sb == 1)
                {
                    var va = Vector256.Create(*a);
                    for (; i <= n - w; i += w)
                    {
                        TFn.Apply(va, Vector256.Load(b + i)).Store(y + i);
                    }
                }
            }
        }
        for (; i < n; i++)
        {
            y[(long)i * sy] = TFn.Apply(a[(long)i * sa], b[(long)i * sb]);
        }
    }

    /// <summary>Adapts a unary functor to the binary driver (the second operand is ignored).</summary>
    private struct UnaryAsBinary<TFn> : IBinaryFn where TFn : struct, IUnaryFn
    {
        public static TT Apply<TT>(TT a, TT b) where TT : unmanaged, IFloatingPointIeee754<TT> => TFn.Apply(a);
        public static Vector256<TT> Apply<TT>(Vector256<TT> a, Vector256<TT> b) where TT : unmanaged, IFloatingPointIeee754<TT> => TFn.Apply(a);
        public static Vector512<TT> Apply<TT>(Vector512<TT> a, Vector512<TT> b) where TT : unmanaged, IFloatingPointIeee754<TT> => TFn.Apply(a);
    }
}
