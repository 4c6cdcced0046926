using System.Reflection;
using Engine.Backends;
using Engine.Gpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Engine.Gpu;

/// <summary>Fused scaled-dot-product attention on the GPU (kernels in <see cref="AttentionKernels"/>).</summary>
public sealed partial class GpuBackend
{
    private static readonly MethodInfo AttnForwardF32 = Def(typeof(AttentionKernels), nameof(AttentionKernels.ForwardF32));
    private static readonly MethodInfo AttnForwardF64 = Def(typeof(AttentionKernels), nameof(AttentionKernels.ForwardF64));
    private static readonly MethodInfo AttnTiledF32 = Def(typeof(AttentionTiledKernels), nameof(AttentionTiledKernels.ForwardF32));
    private static readonly MethodInfo AttnTiledF64 = Def(typeof(AttentionTiledKernels), nameof(AttentionTiledKernels.ForwardF64));
    private static readonly MethodInfo AttnTiledBackQF32 = Def(typeof(AttentionTiledKernels), nameof(AttentionTiledKernels.BackwardQueryF32));
    private static readonly MethodInfo AttnTiledBackQF64 = Def(typeof(AttentionTiledKernels), nameof(AttentionTiledKernels.BackwardQueryF64));
    private static readonly MethodInfo AttnTiledBackKF32 = Def(typeof(AttentionTiledKernels), nameof(AttentionTiledKernels.BackwardKeyF32));
    private static readonly MethodInfo AttnTiledBackKF64 = Def(typeof(AttentionTiledKernels), nameof(AttentionTiledKernels.BackwardKeyF64));
    private static readonly MethodInfo AttnBackQF32 = Def(typeof(AttentionKernels), nameof(AttentionKernels.BackwardQueryF32));
    private static readonly MethodInfo AttnBackQF64 = Def(typeof(AttentionKernels), nameof(AttentionKernels.BackwardQueryF64));
    private static readonly MethodInfo AttnBackKF32 = Def(typeof(AttentionKernels), nameof(AttentionKernels.BackwardKeyF32));
    private static readonly MethodInfo AttnBackKF64 = Def(typeof(AttentionKernels), nameof(AttentionKernels.BackwardKeyF64));

    private static AttnGeom AttnGeometry(in ScaledDotProductAttentionParams p, bool hasMask) => new()
    {
        Batch = p.Batch, L = p.QueryLength, S = p.KeyLength, E = p.HeadDim, Ev = p.ValueDim, Scale = p.Scale,
        Causal = p.IsCausal ? 1 : 0, HasMask = hasMask ? 1 : 0,
        MaskOff = p.MaskOffset, MaskB = p.MaskBatchStride, MaskL = p.MaskRowStride, MaskS = p.MaskColStride,
    };

    /// <summary>
    /// Threads per group: the smallest power of two from 32 that covers the longest of the given extents
    /// (keys or queries per block, head dims), at most <see cref="RowGroupSize"/>; short rows leave no
    /// threads idle and let more rows share a multiprocessor.
    /// </summary>
    private int AttnGroup(int a, int b, int c)
    {
        int need = Math.Max(a, Math.Max(b, c)), size = 32;
        while (size < need && size < RowGroupSize)
        {
            size *= 2;
        }
        return Math.Min(size, RowGroupSize);
    }

    /// <summary>A launch of groups of <paramref name="size"/> threads over n rows: as many threads in flight as 256-thread groups would have.</summary>
    private KernelConfig AttnConfig(long n, int size) => new((int)Math.Clamp(n, 1, (long)_maxGroups * Math.Max(1, 256 / size)), size);

    /// <summary>Whether both head dims fit the shared tiles of <see cref="AttentionTiledKernels"/>.</summary>
    private static bool Tiled(int e, int ev) => e <= AttentionTiledKernels.MaxHead && ev <= AttentionTiledKernels.MaxHead;

    /// <summary>A row-block launch over n rows of each batch item (16 rows per block, up to 128 threads).</summary>
    private KernelConfig TiledConfig(int batch, int n)
        => AttnConfig(((long)n + AttentionTiledKernels.RowBlock - 1) / AttentionTiledKernels.RowBlock * batch, Math.Min(RowGroupSize, 128));

    /// <inheritdoc />
    public override void ScaledDotProductAttentionForward(Storage q, Storage k, Storage v, Storage? mask, Storage o, Storage lse,
        in ScaledDotProductAttentionParams p)
    {
        var dtype = FloatType(q, "scaled_dot_product_attention");
        if (p.Batch == 0 || p.QueryLength == 0)
        {
            return;
        }
        Bind();
        var g = AttnGeometry(p, mask is not null);
        // Head dims that fit the shared tiles: blocks of query rows share each tile of K and V; wider heads: one group per row.
        bool tiled = Tiled(p.HeadDim, p.ValueDim);
        var config = tiled
            ? TiledConfig(p.Batch, p.QueryLength)
            : AttnConfig((long)p.Batch * p.QueryLength, AttnGroup(p.KeyLength, p.ValueDim, 1));
        if (dtype == DType.Float32)
        {
            var kf = Kernel(tiled ? AttnTiledF32 : AttnForwardF32, static (a, m) => a.LoadStreamKernel(m.CreateDelegate<Action<ArrayView<float>, ArrayView<float>,
                ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttnGeom>>()));
            var qv = V<float>(q);
            kf(config, qv, V<float>(k), V<float>(v), mask is null ? qv : V<float>(mask), V<float>(o), V<float>(lse), g);
        }
        else
        {
            var kf = Kernel(tiled ? AttnTiledF64 : AttnForwardF64, static (a, m) => a.LoadStreamKernel(m.CreateDelegate<Action<ArrayView<double>, ArrayView<double>,
                ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, AttnGeom>>()));
            var qv = V<double>(q);
            kf(config, qv, V<double>(k), V<double>(v), mask is null ? qv : V<double>(mask), V<double>(o), V<double>(lse), g);
        }
    }

    /// <inheritdoc />
    public override void ScaledDotProductAttentionBackward(Storage q, Storage k, Storage v, Storage? mask, Storage o, Storage lse, Storage dO,
        Storage dq, Storage dk, Storage dv, in ScaledDotProductAttentionParams p)
    {
        var dtype = FloatType(q, "scaled_dot_product_attention backward");
        if (p.Batch == 0)
        {
            return;
        }
        Bind();
        var g = AttnGeometry(p, mask is not null);
        var delta = (GpuStorage)Allocate(dtype, Math.Max(1, p.Batch * p.QueryLength), false);
        try
        {
            bool tiled = Tiled(p.HeadDim, p.ValueDim);
            if (dtype == DType.Float32)
            {
                AttnBackward<float>(tiled ? AttnTiledBackQF32 : AttnBackQF32, tiled ? AttnTiledBackKF32 : AttnBackKF32, tiled, q, k, v, mask, o, lse, dO, dq, dk, dv, delta, g);
            }
            else
            {
                AttnBackward<double>(tiled ? AttnTiledBackQF64 : AttnBackQF64, tiled ? AttnTiledBackKF64 : AttnBackKF64, tiled, q, k, v, mask, o, lse, dO, dq, dk, dv, delta, g);
            }
        }
        finally
        {
            delta.ReleaseScratch();
        }
    }

    private void AttnBackward<T>(MethodInfo queryPass, MethodInfo keyPass, bool tiled, Storage q, Storage k, Storage v, Storage? mask, Storage o, Storage lse,
        Storage dO, Storage dq, Storage dk, Storage dv, Storage delta, AttnGeom g) where T : unmanaged
    {
        var qv = V<T>(q);
        var mv = mask is null ? qv : V<T>(mask);
        // Pass 1 (per query row or block of rows) writes D = rowsum(dO o O) and dQ; pass 2 (per key row or block of keys) reads D.
        if (g.L > 0)
        {
            var kq = Kernel(queryPass, static (a, m) => a.LoadStreamKernel(m.CreateDelegate<Action<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>,
                ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, AttnGeom>>()));
            kq(tiled ? TiledConfig(g.Batch, g.L) : AttnConfig((long)g.Batch * g.L, AttnGroup(g.S, g.E, g.Ev)), qv, V<T>(k), V<T>(v), mv, V<T>(o), V<T>(lse), V<T>(dO), V<T>(dq), V<T>(delta), g);
        }
        if (g.S > 0)
        {
            var kk = Kernel(keyPass, static (a, m) => a.LoadStreamKernel(m.CreateDelegate<Action<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>,
                ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, AttnGeom>>()));
            kk(tiled ? TiledConfig(g.Batch, g.S) : AttnConfig((long)g.Batch * g.S, AttnGroup(g.L, g.E, g.Ev)), qv, V<T>(k), V<T>(v), mv, V<T>(lse), V<T>(dO), V<T>(delta), V<T>(dk), V<T>(dv), g);
        }
    }
}
