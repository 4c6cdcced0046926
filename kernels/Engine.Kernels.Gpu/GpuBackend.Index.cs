using System.Reflection;
using Engine.Gpu.Functors;
using Engine.Gpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Engine.Gpu;

public sealed partial class GpuBackend
{
    private static class IndexK<T> where T : unmanaged
    {
        public static readonly MethodInfo Gather = Def(typeof(IndexKernels), nameof(IndexKernels.Gather)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo Select = Def(typeof(IndexKernels), nameof(IndexKernels.IndexSelect)).MakeGenericMethod(typeof(T));
    }

    private static class AddK<T, TAdd> where T : unmanaged where TAdd : struct, IAtomicAdd<T>
    {
        public static readonly MethodInfo Scatter = Def(typeof(IndexKernels), nameof(IndexKernels.ScatterAdd)).MakeGenericMethod(typeof(T), typeof(TAdd));
        public static readonly MethodInfo Add = Def(typeof(IndexKernels), nameof(IndexKernels.IndexAdd)).MakeGenericMethod(typeof(T), typeof(TAdd));
    }

    private IndexParams IndexP(int outer, int size, int count, int inner, out long n)
    {
        n = (long)outer * count * inner;
        return new IndexParams { Outer = outer, Size = size, Count = count, Inner = inner, Step = Extent(n) };
    }

    /// <inheritdoc />
    public override void Gather(Storage x, Storage index, Storage y, int outer, int size, int count, int inner)
    {
        switch (x.DType)
        {
            case DType.Float32: Select<float>(IndexK<float>.Gather, "gather", x, index, y, outer, size, count, inner); break;
            case DType.Float64: Select<double>(IndexK<double>.Gather, "gather", x, index, y, outer, size, count, inner); break;
            case DType.Int64: Select<long>(IndexK<long>.Gather, "gather", x, index, y, outer, size, count, inner); break;
            default: Select<byte>(IndexK<byte>.Gather, "gather", x, index, y, outer, size, count, inner); break;
        }
    }

    /// <inheritdoc />
    public override void IndexSelect(Storage x, Storage index, Storage y, int outer, int size, int count, int inner)
    {
        switch (x.DType)
        {
            case DType.Float32: Select<float>(IndexK<float>.Select, "index_select", x, index, y, outer, size, count, inner); break;
            case DType.Float64: Select<double>(IndexK<double>.Select, "index_select", x, index, y, outer, size, count, inner); break;
            case DType.Int64: Select<long>(IndexK<long>.Select, "index_select", x, index, y, outer, size, count, inner); break;
            default: Select<byte>(IndexK<byte>.Select, "index_select", x, index, y, outer, size, count, inner); break;
        }
    }

    private void Select<T>(MethodInfo method, string op, Storage x, Storage index, Storage y, int outer, int size, int count, int inner) where T : unmanaged
    {
        var p = IndexP(outer, size, count, inner, out long n);
        if (n == 0)
        {
            return;
        }
        Bind();
        var k = Kernel(method,
            static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<T>, ArrayView<long>, ArrayView<T>, ArrayView<long>, IndexParams>>()));
        k(p.Step, V<T>(x), V<long>(index), V<T>(y), ClearedErrorFlag(), p);
        ThrowIfIndexError(op, size);
    }

    /// <inheritdoc />
    public override void ScatterAdd(Storage y, Storage index, Storage src, int outer, int size, int count, int inner)
    {
        switch (y.DType)
        {
            case DType.Float32: AddT<float, AtomicF32>(AddK<float, AtomicF32>.Scatter, "scatter_add", y, index, src, outer, size, count, inner); break;
            case DType.Float64: AddT<double, AtomicF64>(AddK<double, AtomicF64>.Scatter, "scatter_add", y, index, src, outer, size, count, inner); break;
            case DType.Int64: AddT<long, AtomicI64>(AddK<long, AtomicI64>.Scatter, "scatter_add", y, index, src, outer, size, count, inner); break;
            default: throw new NotSupportedException($"scatter_add: dtype {y.DType} is not supported");
        }
    }

    /// <inheritdoc />
    public override void IndexAdd(Storage y, Storage index, Storage src, int outer, int size, int count, int inner)
    {
        switch (y.DType)
        {
            case DType.Float32: AddT<float, AtomicF32>(AddK<float, AtomicF32>.Add, "index_add", y, index, src, outer, size, count, inner); break;
            case DType.Float64: AddT<double, AtomicF64>(AddK<double, AtomicF64>.Add, "index_add", y, index, src, outer, size, count, inner); break;
            default: throw new NotSupportedException($"index_add: dtype {y.DType} is not supported");
        }
    }

    private void AddT<T, TAdd>(MethodInfo method, string op, Storage y, Storage index, Storage src, int outer, int size, int count, int inner)
        where T : unmanaged where TAdd : struct, IAtomicAdd<T>
    {
        var p = IndexP(outer, size, count, inner, out long n);
        if (n == 0)
        {
            return;
        }
        Bind();
        var k = Kernel(method,
            static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<T>, ArrayView<long>, ArrayView<T>, ArrayView<long>, IndexParams>>()));
        k(p.Step, V<T>(y), V<long>(index), V<T>(src), ClearedErrorFlag(), p);
        ThrowIfIndexError(op, size);
    }
}
