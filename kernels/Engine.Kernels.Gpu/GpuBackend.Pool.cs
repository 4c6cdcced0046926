using System.Numerics;
using System.Reflection;
using Engine.Backends;
using Engine.Gpu.Kernels;
using Engine.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Engine.Gpu;

/// <summary>Max, average and adaptive average pooling on the device (kernels in <see cref="PoolKernels"/>).</summary>
public sealed partial class GpuBackend
{
    private static class PoolK<T> where T : unmanaged
    {
        public static readonly MethodInfo MaxF = Def(typeof(PoolKernels), nameof(PoolKernels.MaxForward)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo MaxB = Def(typeof(PoolKernels), nameof(PoolKernels.MaxBackward)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo AvgF = Def(typeof(PoolKernels), nameof(PoolKernels.AvgForward)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo AvgB = Def(typeof(PoolKernels), nameof(PoolKernels.AvgBackward)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo AdaF = Def(typeof(PoolKernels), nameof(PoolKernels.AdaptiveForward)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo AdaB = Def(typeof(PoolKernels), nameof(PoolKernels.AdaptiveBackward)).MakeGenericMethod(typeof(T));
    }

    private static PoolGeom Geom(in Pool2dParams p) => new()
    {
        Planes = p.Planes, H = p.Height, W = p.Width, KH = p.KernelH, KW = p.KernelW, SH = p.StrideH, SW = p.StrideW,
        PH = p.PadH, PW = p.PadW, DH = p.DilationH, DW = p.DilationW, OH = p.OutH, OW = p.OutW,
        IncludePad = p.CountIncludePad ? 1 : 0, Divisor = p.DivisorOverride,
    };

    private static PoolGeom Geom(in AdaptivePool2dParams p) => new()
    {
        Planes = p.Planes, H = p.Height, W = p.Width, OH = p.OutH, OW = p.OutW, KH = 1, KW = 1, SH = 1, SW = 1, DH = 1, DW = 1,
    };

    /// <summary>Throws when a buffer is smaller than the op needs or an index would not fit the kernels' int arithmetic.</summary>
    private static void CheckPool(string op, Storage a, long needA, Storage b, long needB)
    {
        if (a.Length < needA || b.Length < needB)
        {
            throw new ArgumentException($"{op}: buffers too small ({a.Length} of {needA}, {b.Length} of {needB} elements)");
        }
        if (needA > int.MaxValue || needB > int.MaxValue)
        {
            throw new NotSupportedException($"{op}: {Math.Max(needA, needB)} elements exceed the GPU pooling kernels' limit of {int.MaxValue}");
        }
    }

    private static void CheckNoDilation(string op, in Pool2dParams p)
    {
        if (p.DilationH != 1 || p.DilationW != 1)
        {
            throw new ArgumentException($"{op}: dilation is not supported, got ({p.DilationH}, {p.DilationW})");
        }
    }

    /// <inheritdoc />
    public override void MaxPool2dForward(Storage x, Storage y, Storage indices, in Pool2dParams p)
    {
        p.Validate("max_pool2d");
        CheckPool("max_pool2d", x, p.InputLength, y, p.OutputLength);
        CheckPool("max_pool2d", indices, p.OutputLength, y, p.OutputLength);
        if (FloatType(x, "max_pool2d") == DType.Float32)
        {
            MaxPoolT<float>(PoolK<float>.MaxF, x, y, indices, Geom(p), p.OutputLength);
        }
        else
        {
            MaxPoolT<double>(PoolK<double>.MaxF, x, y, indices, Geom(p), p.OutputLength);
        }
    }

    /// <inheritdoc />
    public override void MaxPool2dBackward(Storage dy, Storage indices, Storage dx, in Pool2dParams p)
    {
        p.Validate("max_pool2d backward");
        CheckPool("max_pool2d backward", dx, p.InputLength, dy, p.OutputLength);
        CheckPool("max_pool2d backward", indices, p.OutputLength, dy, p.OutputLength);
        if (FloatType(dy, "max_pool2d backward") == DType.Float32)
        {
            MaxPoolT<float>(PoolK<float>.MaxB, dy, dx, indices, Geom(p), p.InputLength);
        }
        else
        {
            MaxPoolT<double>(PoolK<double>.MaxB, dy, dx, indices, Geom(p), p.InputLength);
        }
    }

    /// <inheritdoc />
    public override void AvgPool2dForward(Storage x, Storage y, in Pool2dParams p)
    {
        p.Validate("avg_pool2d");
        CheckNoDilation("avg_pool2d", p);
        CheckPool("avg_pool2d", x, p.InputLength, y, p.OutputLength);
        PoolDispatch(x, PoolK<float>.AvgF, PoolK<double>.AvgF, x, y, Geom(p), p.OutputLength, "avg_pool2d");
    }

    /// <inheritdoc />
    public override void AvgPool2dBackward(Storage dy, Storage dx, in Pool2dParams p)
    {
        p.Validate("avg_pool2d backward");
        CheckNoDilation("avg_pool2d backward", p);
        CheckPool("avg_pool2d backward", dx, p.InputLength, dy, p.OutputLength);
        PoolDispatch(dy, PoolK<float>.AvgB, PoolK<double>.AvgB, dy, dx, Geom(p), p.InputLength, "avg_pool2d backward");
    }

    /// <inheritdoc />
    public override void AdaptiveAvgPool2dForward(Storage x, Storage y, in AdaptivePool2dParams p)
    {
        p.Validate("adaptive_avg_pool2d");
        long inLen = (long)p.Planes * p.Height * p.Width, outLen = (long)p.Planes * p.OutH * p.OutW;
        CheckPool("adaptive_avg_pool2d", x, inLen, y, outLen);
        PoolDispatch(x, PoolK<float>.AdaF, PoolK<double>.AdaF, x, y, Geom(p), outLen, "adaptive_avg_pool2d");
    }

    /// <inheritdoc />
    public override void AdaptiveAvgPool2dBackward(Storage dy, Storage dx, in AdaptivePool2dParams p)
    {
        p.Validate("adaptive_avg_pool2d backward");
        long inLen = (long)p.Planes * p.Height * p.Width, outLen = (long)p.Planes * p.OutH * p.OutW;
        CheckPool("adaptive_avg_pool2d backward", dx, inLen, dy, outLen);
        PoolDispatch(dy, PoolK<float>.AdaB, PoolK<double>.AdaB, dy, dx, Geom(p), inLen, "adaptive_avg_pool2d backward");
    }

    private void PoolDispatch(Storage typed, MethodInfo f32, MethodInfo f64, Storage a, Storage b, PoolGeom g, long n, string op)
    {
        if (FloatType(typed, op) == DType.Float32)
        {
            PoolT<float>(f32, a, b, g, n);
        }
        else
        {
            PoolT<double>(f64, a, b, g, n);
        }
    }

    /// <summary>Launches a pooling kernel of (a, b, geometry) over n threads' worth of items.</summary>
    private void PoolT<T>(MethodInfo m, Storage a, Storage b, PoolGeom g, long n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n == 0)
        {
            return;
        }
        Bind();
        g.Step = Extent(n);
        var k = Kernel(m, static (acc, mi) => acc.LoadAutoGroupedStreamKernel(mi.CreateDelegate<Action<Index1D, ArrayView<T>, ArrayView<T>, PoolGeom>>()));
        k(g.Step, V<T>(a), V<T>(b), g);
    }

    /// <summary>Max pooling forward (x, y, indices) or backward (dy, dx, indices) over n items.</summary>
    private void MaxPoolT<T>(MethodInfo m, Storage a, Storage b, Storage indices, PoolGeom g, long n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n == 0)
        {
            return;
        }
        Bind();
        g.Step = Extent(n);
        if (m == PoolK<T>.MaxF)
        {
            var k = Kernel(m, static (acc, mi) => acc.LoadAutoGroupedStreamKernel(mi.CreateDelegate<Action<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<long>, PoolGeom>>()));
            k(g.Step, V<T>(a), V<T>(b), V<long>(indices), g);
        }
        else
        {
            var k = Kernel(m, static (acc, mi) => acc.LoadAutoGroupedStreamKernel(mi.CreateDelegate<Action<Index1D, ArrayView<T>, ArrayView<long>, ArrayView<T>, PoolGeom>>()));
            k(g.Step, V<T>(a), V<long>(indices), V<T>(b), g);
        }
    }
}
