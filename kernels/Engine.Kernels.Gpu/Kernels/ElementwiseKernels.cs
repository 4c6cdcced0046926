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
    /// <summary>y = f(x), rank 1.</summary>
    public static void UnaryLin<T, TFn>(Index1D index, ArrayView<T> x, ArrayView<T> y, Lin p)
        where T : unmanaged where TFn : struct, IGpuUnaryFn<T>
    {
        int n = p.N, step = p.Step;
        for (int i = index.X; i < n; i += step)
        {
            y[p.OffY + i * p.SY] = TFn.Apply(x[p.OffA + i * p.SA]);
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

    /// <summary>y = f(a, b), rank 1.</summary>
    public static void BinaryLin<T, TFn>(Index1D index, ArrayView<T> a, ArrayView<T> b, ArrayView<T> y, Lin p)
        where T : unmanaged where TFn : struct, IGpuBinaryFn<T>
    {
        int n = p.N, step = p.Step;
        for (int i = index.X; i < n; i += step)
        {
            y[p.OffY + i * p.SY] = TFn.Apply(a[p.OffA + i * p.SA], b[p.OffB + i * p.SB]);
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

    /// <summary>y = x (same dtype, any layout), rank 1.</summary>
    public static void CopyLin<T>(Index1D index, ArrayView<T> x, ArrayView<T> y, Lin p) where T : unmanaged
    {
        int n = p.N, step = p.Step;
        for (int i = index.X; i < n; i += step)
        {
            y[p.OffY + i * p.SY] = x[p.OffA + i * p.SA];
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
