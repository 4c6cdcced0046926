using System.Numerics;
using System.Reflection;
using Engine.Gpu.Kernels;
using Engine.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Engine.Gpu;

public sealed partial class GpuBackend
{
    private static class ReduceK<T, TOp> where T : unmanaged where TOp : struct, IReduceOp
    {
        public static readonly MethodInfo Thread = Def(typeof(ReduceKernels), nameof(ReduceKernels.ThreadPerOutput)).MakeGenericMethod(typeof(T), typeof(TOp));
        public static readonly MethodInfo Group = Def(typeof(ReduceKernels), nameof(ReduceKernels.GroupPerOutput)).MakeGenericMethod(typeof(T), typeof(TOp));
        public static readonly MethodInfo Chunk = Def(typeof(ReduceKernels), nameof(ReduceKernels.GroupPerChunk)).MakeGenericMethod(typeof(T), typeof(TOp));
    }

    private static class RowK<T> where T : unmanaged
    {
        public static readonly MethodInfo Arg = Def(typeof(ReduceKernels), nameof(ReduceKernels.ArgExtreme)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo Softmax = Def(typeof(SoftmaxKernels), nameof(SoftmaxKernels.Forward)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo SoftmaxBack = Def(typeof(SoftmaxKernels), nameof(SoftmaxKernels.Backward)).MakeGenericMethod(typeof(T));
    }

    /// <summary>
    /// Whether a reduction with this many outputs and this row length uses one group per output
    /// (few outputs, long rows) rather than one thread per output.
    /// </summary>
    internal bool UseGroupReduce(long outputs, int r) => r >= 64 && outputs * 4 < _maxThreads;

    /// <summary>
    /// How many chunks each row is split into so that a reduction with few outputs still runs
    /// enough groups to fill the device (1: no split). Each chunk keeps at least 8 elements per thread.
    /// </summary>
    internal int SplitsFor(long outputs, int r)
    {
        if (!UseGroupReduce(outputs, r) || outputs >= _maxGroups)
        {
            return 1;
        }
        long byDevice = (_maxGroups + outputs - 1) / outputs;
        long byWork = r / (8L * RowGroupSize);
        return (int)Math.Max(1, Math.Min(byDevice, byWork));
    }

    /// <inheritdoc />
    public override void Reduce<TOp>(Storage x, Storage y, int outer, int r, int inner)
    {
        switch (x.DType)
        {
            case DType.Float32: ReduceT<float, TOp>(x, y, outer, r, inner); break;
            case DType.Float64: ReduceT<double, TOp>(x, y, outer, r, inner); break;
            default: throw new NotSupportedException($"reduce: dtype {x.DType} is not supported");
        }
    }

    private void ReduceT<T, TOp>(Storage x, Storage y, int outer, int r, int inner)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IReduceOp
    {
        long count = (long)outer * inner;
        if (count == 0)
        {
            return;
        }
        Bind();
        var p = new ReduceParams { Outer = outer, R = r, Inner = inner };
        int splits = SplitsFor(count, r);
        if (splits > 1)
        {
            // Too few outputs to fill the device: each group reduces one chunk of a row into a
            // partial, then the partials (count, splits) are reduced by the same code.
            int chunk = (int)((r + (long)splits - 1) / splits);
            var partial = (GpuStorage)Allocate(x.DType, checked((int)count * splits), false);
            try
            {
                var kc = Kernel(ReduceK<T, TOp>.Chunk, static (a, m) => a.LoadStreamKernel(m.CreateDelegate<Action<ArrayView<T>, ArrayView<T>, ReduceParams, int, int>>()));
                kc(new KernelConfig(Groups(count * splits), RowGroupSize), V<T>(x), V<T>(partial), p, splits, chunk);
                ReduceT<T, TOp>(partial, y, (int)count, splits, 1);
            }
            finally
            {
                partial.ReleaseScratch();
            }
        }
        else if (UseGroupReduce(count, r))
        {
            var k = Kernel(ReduceK<T, TOp>.Group, static (a, m) => a.LoadStreamKernel(m.CreateDelegate<Action<ArrayView<T>, ArrayView<T>, ReduceParams>>()));
            k(new KernelConfig(Groups(count), RowGroupSize), V<T>(x), V<T>(y), p);
        }
        else
        {
            var k = Kernel(ReduceK<T, TOp>.Thread, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<T>, ArrayView<T>, ReduceParams>>()));
            p.Step = Extent(count);
            k(p.Step, V<T>(x), V<T>(y), p);
        }
    }

    /// <inheritdoc />
    public override void ArgExtreme(Storage x, Storage values, Storage indices, int outer, int r, int inner, bool max)
    {
        if (r == 0)
        {
            throw new ArgumentException("ArgExtreme: cannot reduce over an empty dimension");
        }
        switch (x.DType)
        {
            case DType.Float32: ArgT<float>(x, values, indices, outer, r, inner, max); break;
            case DType.Float64: ArgT<double>(x, values, indices, outer, r, inner, max); break;
            default: throw new NotSupportedException($"argmax/argmin: dtype {x.DType} is not supported");
        }
    }

    private void ArgT<T>(Storage x, Storage values, Storage indices, int outer, int r, int inner, bool max)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long count = (long)outer * inner;
        if (count == 0)
        {
            return;
        }
        Bind();
        var k = Kernel(RowK<T>.Arg,
            static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<long>, ReduceParams, int>>()));
        var p = new ReduceParams { Outer = outer, R = r, Inner = inner, Step = Extent(count) };
        k(p.Step, V<T>(x), V<T>(values), V<long>(indices), p, max ? 1 : 0);
    }

    /// <inheritdoc />
    public override void Softmax(Storage x, Storage y, int rows, int n, bool log)
    {
        if (rows == 0 || n == 0)
        {
            return;
        }
        Bind();
        if (x.DType == DType.Float32)
        {
            SoftmaxT<float>(x, y, rows, n, log);
        }
        else
        {
            SoftmaxT<double>(x, y, rows, n, log);
        }
    }

    private void SoftmaxT<T>(Storage x, Storage y, int rows, int n, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = Kernel(RowK<T>.Softmax, static (a, m) => a.LoadStreamKernel(m.CreateDelegate<Action<ArrayView<T>, ArrayView<T>, int, int, int>>()));
        k(new KernelConfig(Groups(rows), RowGroupSize), V<T>(x), V<T>(y), rows, n, log ? 1 : 0);
    }

    /// <inheritdoc />
    public override void SoftmaxBackward(Storage y, Storage g, Storage gx, int rows, int n, bool log)
    {
        if (rows == 0 || n == 0)
        {
            return;
        }
        Bind();
        if (y.DType == DType.Float32)
        {
            SoftmaxBackT<float>(y, g, gx, rows, n, log);
        }
        else
        {
            SoftmaxBackT<double>(y, g, gx, rows, n, log);
        }
    }

    private void SoftmaxBackT<T>(Storage y, Storage g, Storage gx, int rows, int n, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = Kernel(RowK<T>.SoftmaxBack, static (a, m) => a.LoadStreamKernel(m.CreateDelegate<Action<ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int, int>>()));
        k(new KernelConfig(Groups(rows), RowGroupSize), V<T>(y), V<T>(g), V<T>(gx), rows, n, log ? 1 : 0);
    }
}
