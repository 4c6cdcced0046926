using System.Numerics;
using System.Reflection;
using Engine.Backends;
using Engine.Gpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Engine.Gpu;

public sealed partial class GpuBackend
{
    private const int MaxGridZ = 65535;

    private static class GemmK<T> where T : unmanaged
    {
        public static readonly MethodInfo Tiled = Def(typeof(GemmKernels), nameof(GemmKernels.Tiled)).MakeGenericMethod(typeof(T));
    }

    private static readonly MethodInfo GemmLarge = typeof(GemmKernels).GetMethod(nameof(GemmKernels.Large))!;

    /// <summary>
    /// Whether a product uses the 128x128-tile float32 kernel: both sides of C at least one large
    /// tile, and enough large tiles to keep a third of the multiprocessors busy (on an H200 the
    /// large kernel does about three times the work per multiprocessor of the 64x64 one: 30 vs 10
    /// TFLOP/s at N = 4096 and 1024, so it wins once it fills a third of the device).
    /// </summary>
    internal bool UseLargeGemm(DType dtype, int batch, int m, int n) =>
        dtype == DType.Float32 && m >= GemmKernels.LargeTile && n >= GemmKernels.LargeTile
        && 3L * batch * ((m + GemmKernels.LargeTile - 1) / GemmKernels.LargeTile) * ((n + GemmKernels.LargeTile - 1) / GemmKernels.LargeTile) >= _multiprocessors;

    /// <inheritdoc />
    public override void MatMul(Operand a, Operand b, Storage c, int batch, int m, int n, int k, bool accumulate)
    {
        var p = new GemmParams
        {
            M = m, N = n, K = k,
            AOff = a.Offset, ABatch = a.Strides[0], ARow = a.Strides[1], ACol = a.Strides[2],
            BOff = b.Offset, BBatch = b.Strides[0], BRow = b.Strides[1], BCol = b.Strides[2],
            COff = 0, CRow = n, CBatch = m * n,
            Accumulate = accumulate ? 1 : 0,
        };
        Gemm(a.Storage, b.Storage, c, batch, p);
    }

    /// <summary>Runs the tiled GEMM for any operand layouts (also used by convolution).</summary>
    internal void Gemm(Storage a, Storage b, Storage c, int batch, GemmParams p)
    {
        if (batch == 0 || p.M == 0 || p.N == 0)
        {
            return;
        }
        Bind();
        if (c.DType == DType.Float32)
        {
            GemmT<float>(a, b, c, batch, p);
        }
        else if (c.DType == DType.Float64)
        {
            GemmT<double>(a, b, c, batch, p);
        }
        else
        {
            throw new NotSupportedException($"matmul: dtype {c.DType} is not supported (floating types only)");
        }
    }

    private void GemmT<T>(Storage a, Storage b, Storage c, int batch, GemmParams p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (UseLargeGemm(c.DType, batch, p.M, p.N))
        {
            GemmLargeF32(a, b, c, batch, p);
            return;
        }
        var kern = Kernel(GemmK<T>.Tiled, static (acc, mi) => acc.LoadStreamKernel(mi.CreateDelegate<Action<ArrayView<T>, ArrayView<T>, ArrayView<T>, GemmParams>>()));
        var group = new Index3D(GemmKernels.Threads, GemmKernels.Threads, 1);
        int gx = (p.N + GemmKernels.Tile - 1) / GemmKernels.Tile;
        int gy = (p.M + GemmKernels.Tile - 1) / GemmKernels.Tile;
        var va = V<T>(a);
        var vb = V<T>(b);
        var vc = V<T>(c);
        for (int b0 = 0; b0 < batch; b0 += MaxGridZ)
        {
            p.BatchBase = b0;
            int nb = Math.Min(MaxGridZ, batch - b0);
            kern(new KernelConfig(new Index3D(gx, gy, nb), group), va, vb, vc, p);
        }
    }

    private void GemmLargeF32(Storage a, Storage b, Storage c, int batch, GemmParams p)
    {
        var kern = Kernel(GemmLarge, static (acc, mi) => acc.LoadStreamKernel(mi.CreateDelegate<Action<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams>>()));
        var group = new Index3D(GemmKernels.Threads, GemmKernels.Threads, 1);
        int gx = (p.N + GemmKernels.LargeTile - 1) / GemmKernels.LargeTile;
        int gy = (p.M + GemmKernels.LargeTile - 1) / GemmKernels.LargeTile;
        var va = V<float>(a);
        var vb = V<float>(b);
        var vc = V<float>(c);
        for (int b0 = 0; b0 < batch; b0 += MaxGridZ)
        {
            p.BatchBase = b0;
            int nb = Math.Min(MaxGridZ, batch - b0);
            kern(new KernelConfig(new Index3D(gx, gy, nb), group), va, vb, vc, p);
        }
    }
}
