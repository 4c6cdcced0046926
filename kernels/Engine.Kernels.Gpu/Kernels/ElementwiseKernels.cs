using Engine.Gpu.Functors;
using ILGPU;

namespace Engine.Gpu.Kernels;

/// <summary>
/// Grid-stride elementwise kernels: each thread starts at its index and steps by the launch size,
/// with the loop bound and step hoisted into locals. The Lin variants cover rank-1 layouts
/// (contiguous, strided or broadcast scalars); the Strided variants unravel up to six dimensions.
/// </summary>
public static class ElementwiseKernels
{
    /// <summary>
    /// y = f(x), rank 1. Each pass of the grid-stride loop handles four elements one launch-width
    /// apart (every load still coalesced across a warp), loading all four before storing, so each
    /// thread keeps four memory requests in flight: a plain one-element loop reached only about 66%
    /// of the H200's copy bandwidth for unary ops.
    /// </summary>
    public static void UnaryLin<T, TFn>(Index1D index, ArrayView<T> x, ArrayView<T> y, Lin p)
        where T : unmanaged where TFn : struct, IGpuUnaryFn<T>
    {
        int oa = p.OffA, sa = p.SA, oy = p.OffY, sy = p.SY;
        int n = p.N, step = p.Step, stride = 4 * step;
        int i = index.X;
        if (n <= int.MaxValue - stride)
        {
            // Passes where all four elements exist; the tail below takes the rest one by one.
            for (int limit = n - 3 * step; i < limit; i += stride)
            {
                T a0 = x[oa + i * sa];
                T a1 = x[oa + (i + step) * sa];
                T a2 = x[oa + (i + 2 * step) * sa];
                T a3 = x[oa + (i + 3 * step) * sa];
                y[oy + i * sy] = TFn.Apply(a0);
                y[oy + (i + step) * sy] = TFn.Apply(a1);
                y[oy + (i + 2 * step) * sy] = TFn.Apply(a2);
                y[oy + (i + 3 * step) * sy] = TFn.Apply(a3);
            }
        }
        for (; i < n; i += step)
        {
            y[oy + i * sy] = TFn.Apply(x[oa + i * sa]);
        }
    }

    /// <summary>y = f(x), up to rank 6.</summary>
    public static void UnaryStrided<T, TFn>(Index1D index, ArrayView<T> x, ArrayView<T> y, Strided p)
        where T : unmanaged where TFn : struct, IGpuUnaryFn<T>
    {
        int n = p.N, step = p.Step;
        for (int i = index.X; i < n; i += step)
        {
            var ix = Index6.From(i, p.Dims);
            y[p.Y.At(ix)] = TFn.Apply(x[p.A.At(ix)]);
        }
    }

    /// <summary>y = f(a, b), rank 1, four elements per pass as in <see cref="UnaryLin{T, TFn}"/>.</summary>
    public static void BinaryLin<T, TFn>(Index1D index, ArrayView<T> a, ArrayView<T> b, ArrayView<T> y, Lin p)
        where T : unmanaged where TFn : struct, IGpuBinaryFn<T>
    {
        int oa = p.OffA, sa = p.SA, ob = p.OffB, sb = p.SB, oy = p.OffY, sy = p.SY;
        int n = p.N, step = p.Step, stride = 4 * step;
        int i = index.X;
        if (n <= int.MaxValue - stride)
        {
            // Passes where all four elements exist; the tail below takes the rest one by one.
            for (int limit = n - 3 * step; i < limit; i += stride)
            {
                T a0 = a[oa + i * sa], b0 = b[ob + i * sb];
                T a1 = a[oa + (i + step) * sa], b1 = b[ob + (i + step) * sb];
                T a2 = a[oa + (i + 2 * step) * sa], b2 = b[ob + (i + 2 * step) * sb];
                T a3 = a[oa + (i + 3 * step) * sa], b3 = b[ob + (i + 3 * step) * sb];
                y[oy + i * sy] = TFn.Apply(a0, b0);
                y[oy + (i + step) * sy] = TFn.Apply(a1, b1);
                y[oy + (i + 2 * step) * sy] = TFn.Apply(a2, b2);
                y[oy + (i + 3 * step) * sy] = TFn.Apply(a3, b3);
            }
        }
        for (; i < n; i += step)
        {
            y[oy + i * sy] = TFn.Apply(a[oa + i * sa], b[ob + i * sb]);
        }
    }

    /// <summary>y = f(a, b), up to rank 6.</summary>
    public static void BinaryStrided<T, TFn>(Index1D index, ArrayView<T> a, ArrayView<T> b, ArrayView<T> y, Strided p)
        where T : unmanaged where TFn : struct, IGpuBinaryFn<T>
    {
        int n = p.N, step = p.Step;
        for (int i = index.X; i < n; i += step)
        {
            var ix = Index6.From(i, p.Dims);
            y[p.Y.At(ix)] = TFn.Apply(a[p.A.At(ix)], b[p.B.At(ix)]);
        }
    }

    /// <summary>y = x (same dtype, any layout), rank 1, four elements per pass as in <see cref="UnaryLin{T, TFn}"/>.</summary>
    public static void CopyLin<T>(Index1D index, ArrayView<T> x, ArrayView<T> y, Lin p) where T : unmanaged
    {
        int oa = p.OffA, sa = p.SA, oy = p.OffY, sy = p.SY;
        int n = p.N, step = p.Step, stride = 4 * step;
        int i = index.X;
        if (n <= int.MaxValue - stride)
        {
            // Passes where all four elements exist; the tail below takes the rest one by one.
            for (int limit = n - 3 * step; i < limit; i += stride)
            {
                T a0 = x[oa + i * sa];
                T a1 = x[oa + (i + step) * sa];
                T a2 = x[oa + (i + 2 * step) * sa];
                T a3 = x[oa + (i + 3 * step) * sa];
                y[oy + i * sy] = a0;
                y[oy + (i + step) * sy] = a1;
                y[oy + (i + 2 * step) * sy] = a2;
                y[oy + (i + 3 * step) * sy] = a3;
            }
        }
        for (; i < n; i += step)
        {
            y[oy + i * sy] = x[oa + i * sa];
        }
    }

    /// <summary>y = x (same dtype), up to rank 6.</summary>
    public static void CopyStrided<T>(Index1D index, ArrayView<T> x, ArrayView<T> y, Strided p) where T : unmanaged
    {
        int n = p.N, step = p.Step;
        for (int i = index.X; i < n; i += step)
        {
            var ix = Index6.From(i, p.Dims);
            y[p.Y.At(ix)] = x[p.A.At(ix)];
        }
    }

    /// <summary>y = convert(x), up to rank 6.</summary>
    public static void ConvertStrided<TIn, TOut, TConv>(Index1D index, ArrayView<TIn> x, ArrayView<TOut> y, Strided p)
        where TIn : unmanaged where TOut : unmanaged where TConv : struct, IConvert<TIn, TOut>
    {
        int n = p.N, step = p.Step;
        for (int i = index.X; i < n; i += step)
        {
            var ix = Index6.From(i, p.Dims);
            y[p.Y.At(ix)] = TConv.Convert(x[p.A.At(ix)]);
        }
    }

    /// <summary>y = value, up to rank 6.</summary>
    public static void FillStrided<T>(Index1D index, ArrayView<T> y, T value, Strided p) where T : unmanaged
    {
        int n = p.N, step = p.Step;
        for (int i = index.X; i < n; i += step)
        {
            var ix = Index6.From(i, p.Dims);
            y[p.Y.At(ix)] = value;
        }
    }

    /// <summary>y = cond ? a : b (cond as bytes), up to rank 6.</summary>
    public static void WhereStrided<T>(Index1D index, ArrayView<byte> cond, ArrayView<T> a, ArrayView<T> b, ArrayView<T> y, Strided p)
        where T : unmanaged
    {
        int n = p.N, step = p.Step;
        for (int i = index.X; i < n; i += step)
        {
            var ix = Index6.From(i, p.Dims);
            y[p.Y.At(ix)] = cond[p.C.At(ix)] != 0 ? a[p.A.At(ix)] : b[p.B.At(ix)];
        }
    }
}
