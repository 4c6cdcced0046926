using System.Numerics;
using System.Reflection;
using Engine.Backends;
using Engine.Gpu.Kernels;
using Engine.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Engine.Gpu;

/// <summary>Batch norm and row norm (layer norm, group norm) on the device (kernels in <see cref="NormKernels"/>).</summary>
public sealed partial class GpuBackend
{
    private static class NormK<T> where T : unmanaged
    {
        public static readonly MethodInfo BnPartial = Def(typeof(NormKernels), nameof(NormKernels.BatchNormPartial)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo BnMean = Def(typeof(NormKernels), nameof(NormKernels.BatchNormMean)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo BnVar = Def(typeof(NormKernels), nameof(NormKernels.BatchNormVar)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo BnEval = Def(typeof(NormKernels), nameof(NormKernels.BatchNormEvalStats)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo BnApply = Def(typeof(NormKernels), nameof(NormKernels.BatchNormApply)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo BnSums = Def(typeof(NormKernels), nameof(NormKernels.BatchNormBackwardSums)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo BnInput = Def(typeof(NormKernels), nameof(NormKernels.BatchNormBackwardInput)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo RowF = Def(typeof(NormKernels), nameof(NormKernels.RowNormForward)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo RowBx = Def(typeof(NormKernels), nameof(NormKernels.RowNormBackwardInput)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo RowBw = Def(typeof(NormKernels), nameof(NormKernels.RowNormBackwardAffine)).MakeGenericMethod(typeof(T));
    }

    /// <inheritdoc />
    public override void BatchNormForward(Storage x, Storage? weight, Storage? bias, Storage y, Storage mean, Storage invStd,
        Storage? runningMean, Storage? runningVar, bool training, double momentum, in BatchNormParams p)
    {
        CheckBatchNorm(x, y, mean, invStd, p);
        if (training ? (runningMean is null) != (runningVar is null) : runningMean is null || runningVar is null)
        {
            throw new ArgumentException(training
                ? "batch_norm: running_mean and running_var must both be given or both be null"
                : "batch_norm: running_mean and running_var are required when not training");
        }
        if (FloatType(x, "batch_norm") == DType.Float32)
        {
            BatchNormT<float>(x, weight, bias, y, mean, invStd, runningMean, runningVar, training, momentum, p);
        }
        else
        {
            BatchNormT<double>(x, weight, bias, y, mean, invStd, runningMean, runningVar, training, momentum, p);
        }
    }

    /// <inheritdoc />
    public override void BatchNormBackward(Storage x, Storage dy, Storage? weight, Storage mean, Storage invStd,
        Storage? dx, Storage? dweight, Storage? dbias, bool batchStats, in BatchNormParams p)
    {
        CheckBatchNorm(x, dy, mean, invStd, p);
        if (FloatType(x, "batch_norm backward") == DType.Float32)
        {
            BatchNormBackT<float>(x, dy, weight, mean, invStd, dx, dweight, dbias, batchStats, p);
        }
        else
        {
            BatchNormBackT<double>(x, dy, weight, mean, invStd, dx, dweight, dbias, batchStats, p);
        }
    }

    /// <inheritdoc />
    public override void RowNormForward(Storage x, Storage? weight, Storage? bias, Storage y, Storage mean, Storage rstd, in RowNormParams p)
    {
        CheckRowNorm(x, y, mean, rstd, weight, bias, p);
        if (FloatType(x, "norm") == DType.Float32)
        {
            RowNormT<float>(x, weight, bias, y, mean, rstd, p);
        }
        else
        {
            RowNormT<double>(x, weight, bias, y, mean, rstd, p);
        }
    }

    /// <inheritdoc />
    public override void RowNormBackward(Storage x, Storage dy, Storage? weight, Storage mean, Storage rstd,
        Storage? dx, Storage? dweight, Storage? dbias, in RowNormParams p)
    {
        CheckRowNorm(x, dy, mean, rstd, weight, null, p);
        if (FloatType(x, "norm backward") == DType.Float32)
        {
            RowNormBackT<float>(x, dy, weight, mean, rstd, dx, dweight, dbias, p);
        }
        else
        {
            RowNormBackT<double>(x, dy, weight, mean, rstd, dx, dweight, dbias, p);
        }
    }

    private static void CheckBatchNorm(Storage a, Storage b, Storage mean, Storage invStd, in BatchNormParams p)
    {
        if (p.Batch < 0 || p.Channels <= 0 || p.Inner < 0)
        {
            throw new ArgumentException($"batch_norm: invalid sizes (batch {p.Batch}, channels {p.Channels}, inner {p.Inner})");
        }
        if (a.Length < p.Length || b.Length < p.Length || mean.Length < p.Channels || invStd.Length < p.Channels)
        {
            throw new ArgumentException($"batch_norm: buffers too small for {p.Batch} x {p.Channels} x {p.Inner}");
        }
        if (p.Length > int.MaxValue)
        {
            throw new NotSupportedException($"batch_norm: {p.Length} elements exceed the GPU kernels' limit of {int.MaxValue}");
        }
    }

    private static void CheckRowNorm(Storage a, Storage b, Storage mean, Storage rstd, Storage? weight, Storage? bias, in RowNormParams p)
    {
        if (p.Rows < 0 || p.Groups <= 0 || p.ChannelsPerGroup <= 0 || p.Inner <= 0)
        {
            throw new ArgumentException($"norm: invalid sizes (rows {p.Rows}, groups {p.Groups}, channels per group {p.ChannelsPerGroup}, inner {p.Inner})");
        }
        if (a.Length < p.Length || b.Length < p.Length || mean.Length < p.Rows || rstd.Length < p.Rows
            || (weight is not null && weight.Length < p.Channels) || (bias is not null && bias.Length < p.Channels))
        {
            throw new ArgumentException($"norm: buffers too small for {p.Rows} rows of {p.RowLength}");
        }
        if (p.Length > int.MaxValue)
        {
            throw new NotSupportedException($"norm: {p.Length} elements exceed the GPU kernels' limit of {int.MaxValue}");
        }
    }

    private static int AffineFlags(Storage? weight, Storage? bias)
        => (weight is null ? 0 : NormKernels.HasWeight) | (bias is null ? 0 : NormKernels.HasBias);

    /// <summary>How many chunks (one group each) to split each channel's count values into: enough groups to fill the device, at least 8 values per thread.</summary>
    private (int Chunks, int ChunkLen) BatchNormChunks(long count, int channels)
    {
        long perGroup = RowGroupSize * 8L;
        long want = (count + perGroup - 1) / perGroup;
        long fill = Math.Max(1, _maxGroups / channels);
        int chunks = (int)Math.Clamp(Math.Min(want, fill), 1, 4096);
        int len = (int)((count + chunks - 1) / chunks);
        return len == 0 ? (1, 0) : ((int)((count + len - 1) / len), len);
    }

    private void BatchNormPartialT<T>(Storage x, Storage dy, Storage center, Storage partial, NormGeom g, int mode)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = Kernel(NormK<T>.BnPartial, static (a, m) => a.LoadStreamKernel(m.CreateDelegate<
            Action<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, NormGeom, int>>()));
        k(new KernelConfig(Groups((long)g.Channels * g.Chunks), RowGroupSize), V<T>(x), V<T>(dy), V<T>(center), V<T>(partial), g, mode);
    }

    private void BatchNormT<T>(Storage x, Storage? weight, Storage? bias, Storage y, Storage mean, Storage invStd,
        Storage? runningMean, Storage? runningVar, bool training, double momentum, in BatchNormParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Bind();
        var g = new NormGeom { Batch = p.Batch, Channels = p.Channels, ChannelsPerGroup = 1, Inner = p.Inner, Flags = AffineFlags(weight, bias) };
        T eps = T.CreateTruncating(p.Eps);
        g.Step = Extent(p.Channels);
        if (training)
        {
            long count = (long)p.Batch * p.Inner;
            (g.Chunks, g.ChunkLen) = BatchNormChunks(count, p.Channels);
            if (runningMean is not null)
            {
                g.Flags |= NormKernels.UpdateRunning;
            }
            T cnt = T.CreateTruncating(count);
            var partial = (GpuStorage)Allocate(x.DType, checked(p.Channels * g.Chunks), false);
            try
            {
                // Two passes as on the CPU: the mean, then the squared deviations from it.
                BatchNormPartialT<T>(x, x, mean, partial, g, 0);
                var km = Kernel(NormK<T>.BnMean, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<
                    Action<Index1D, ArrayView<T>, ArrayView<T>, NormGeom, T>>()));
                km(g.Step, V<T>(partial), V<T>(mean), g, cnt);
                BatchNormPartialT<T>(x, x, mean, partial, g, 1);
                var kv = Kernel(NormK<T>.BnVar, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<
                    Action<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, NormGeom, T, T, T, T>>()));
                kv(g.Step, V<T>(partial), V<T>(mean), V<T>(invStd), V<T>(runningMean ?? mean), V<T>(runningVar ?? invStd), g,
                    cnt, T.CreateTruncating(count - 1), eps, T.CreateTruncating(momentum));
            }
            finally
            {
                partial.ReleaseScratch();
            }
        }
        else
        {
            var k = Kernel(NormK<T>.BnEval, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<
                Action<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, NormGeom, T>>()));
            k(g.Step, V<T>(runningMean!), V<T>(runningVar!), V<T>(mean), V<T>(invStd), g, eps);
        }
        if (p.Length > 0)
        {
            g.Step = Extent(p.Length);
            var k = Kernel(NormK<T>.BnApply, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<
                Action<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, NormGeom>>()));
            k(g.Step, V<T>(x), V<T>(weight ?? x), V<T>(bias ?? x), V<T>(y), V<T>(mean), V<T>(invStd), g);
        }
    }

    private void BatchNormBackT<T>(Storage x, Storage dy, Storage? weight, Storage mean, Storage invStd,
        Storage? dx, Storage? dweight, Storage? dbias, bool batchStats, in BatchNormParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx is null && dweight is null && dbias is null)
        {
            return;
        }
        Bind();
        int flags = (weight is null ? 0 : NormKernels.HasWeight) | (dx is null ? 0 : NormKernels.HasDx)
            | (dweight is null ? 0 : NormKernels.HasDw) | (dbias is null ? 0 : NormKernels.HasDb) | (batchStats ? NormKernels.BatchStats : 0);
        long count = (long)p.Batch * p.Inner;
        var g = new NormGeom { Batch = p.Batch, Channels = p.Channels, ChannelsPerGroup = 1, Inner = p.Inner, Flags = flags, Step = Extent(p.Channels) };
        (g.Chunks, g.ChunkLen) = BatchNormChunks(count, p.Channels);
        var partial = (GpuStorage)Allocate(x.DType, checked(2 * p.Channels * g.Chunks), false);
        var coef = dx is null ? null : (GpuStorage)Allocate(x.DType, checked(3 * p.Channels), false);
        try
        {
            BatchNormPartialT<T>(x, dy, mean, partial, g, 2);
            // Absent outputs get a placeholder view that the flags keep the kernel from touching.
            var ks = Kernel(NormK<T>.BnSums, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<
                Action<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, NormGeom, T>>()));
            ks(g.Step, V<T>(partial), V<T>(weight ?? x), V<T>(mean), V<T>(invStd), V<T>(dweight ?? partial), V<T>(dbias ?? partial),
                V<T>(coef ?? partial), g, T.CreateTruncating(count));
            if (dx is not null && p.Length > 0)
            {
                g.Step = Extent(p.Length);
                var kx = Kernel(NormK<T>.BnInput, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<
                    Action<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, NormGeom>>()));
                kx(g.Step, V<T>(x), V<T>(dy), V<T>(coef!), V<T>(dx), g);
            }
        }
        finally
        {
            partial.ReleaseScratch();
            coef?.ReleaseScratch();
        }
    }

    private void RowNormT<T>(Storage x, Storage? weight, Storage? bias, Storage y, Storage mean, Storage rstd, in RowNormParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (p.Rows == 0)
        {
            return;
        }
        Bind();
        var g = new NormGeom { Batch = p.Rows, Channels = p.Groups, ChannelsPerGroup = p.ChannelsPerGroup, Inner = p.Inner, Flags = AffineFlags(weight, bias) };
        var k = Kernel(NormK<T>.RowF, static (a, m) => a.LoadStreamKernel(m.CreateDelegate<
            Action<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, NormGeom, T, T>>()));
        k(new KernelConfig(Groups(p.Rows), RowGroupSize), V<T>(x), V<T>(weight ?? x), V<T>(bias ?? x), V<T>(y), V<T>(mean), V<T>(rstd), g,
            T.CreateTruncating(p.RowLength), T.CreateTruncating(p.Eps));
    }

    private void RowNormBackT<T>(Storage x, Storage dy, Storage? weight, Storage mean, Storage rstd,
        Storage? dx, Storage? dweight, Storage? dbias, in RowNormParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (p.Rows == 0 && dx is not null)
        {
            dx = null;
        }
        Bind();
        int flags = (weight is null ? 0 : NormKernels.HasWeight) | (dweight is null ? 0 : NormKernels.HasDw) | (dbias is null ? 0 : NormKernels.HasDb);
        var g = new NormGeom { Batch = p.Rows, Channels = p.Groups, ChannelsPerGroup = p.ChannelsPerGroup, Inner = p.Inner, Flags = flags };
        if (dx is not null)
        {
            var k = Kernel(NormK<T>.RowBx, static (a, m) => a.LoadStreamKernel(m.CreateDelegate<
                Action<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, NormGeom, T>>()));
            k(new KernelConfig(Groups(p.Rows), RowGroupSize), V<T>(x), V<T>(dy), V<T>(weight ?? x), V<T>(mean), V<T>(rstd), V<T>(dx), g,
                T.CreateTruncating(p.RowLength));
        }
        if (dweight is not null || dbias is not null)
        {
            var k = Kernel(NormK<T>.RowBw, static (a, m) => a.LoadStreamKernel(m.CreateDelegate<
                Action<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, NormGeom>>()));
            k(new KernelConfig(Groups(p.Channels), RowGroupSize), V<T>(x), V<T>(dy), V<T>(mean), V<T>(rstd),
                V<T>(dweight ?? dbias!), V<T>(dbias ?? dweight!), g);
        }
    }
}
