using System.Numerics;
using System.Reflection;
using Engine.Backends;
using Engine.Gpu.Kernels;
using Engine.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Engine.Gpu;

public sealed partial class GpuBackend
{
    /// <summary>Most elements of one im2col buffer; larger batches are processed in slices.</summary>
    private const long MaxColElements = 64L << 20;

    private static class ConvK<T> where T : unmanaged
    {
        public static readonly MethodInfo Im2Col = Def(typeof(ConvKernels), nameof(ConvKernels.Im2Col)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo Col2Im = Def(typeof(ConvKernels), nameof(ConvKernels.Col2Im)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo ChannelSum = Def(typeof(ConvKernels), nameof(ConvKernels.ChannelSum)).MakeGenericMethod(typeof(T));
    }

    private static ConvGeom Geom(in Conv2dParams p) => new()
    {
        C = p.InChannels, H = p.Height, W = p.Width, KH = p.KernelH, KW = p.KernelW, SH = p.StrideH, SW = p.StrideW,
        PT = p.PadTop, PL = p.PadLeft, DH = p.DilationH, DW = p.DilationW, OH = p.OutH, OW = p.OutW,
    };

    private static int SliceBatch(in Conv2dParams p) => (int)Math.Clamp(MaxColElements / Math.Max(1L, (long)p.InChannels * p.KernelH * p.KernelW * p.OutH * p.OutW), 1, p.Batch);

    private static DType FloatType(Storage s, string op) => s.DType is DType.Float32 or DType.Float64 ? s.DType
        : throw new NotSupportedException($"{op}: dtype {s.DType} is not supported (floating types only)");

    private void Im2Col(Storage x, Storage col, ConvGeom g)
    {
        long n = (long)g.NB * g.C * g.KH * g.KW * g.OH * g.OW;
        g.Step = Extent(n);
        if (x.DType == DType.Float32)
        {
            var k = Kernel(ConvK<float>.Im2Col, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<float>, ArrayView<float>, ConvGeom>>()));
            k(g.Step, V<float>(x), V<float>(col), g);
        }
        else
        {
            var k = Kernel(ConvK<double>.Im2Col, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<double>, ArrayView<double>, ConvGeom>>()));
            k(g.Step, V<double>(x), V<double>(col), g);
        }
    }

    /// <inheritdoc />
    public override void Conv2dForward(Storage x, Storage w, Storage? bias, Storage y, in Conv2dParams p)
    {
        var dtype = FloatType(x, "conv2d");
        int ohw = p.OutH * p.OutW, rows = p.ColRows, opg = p.OutPerGroup, groups = p.Groups;
        if (p.Batch == 0 || ohw == 0 || p.OutChannels == 0)
        {
            return;
        }
        Bind();
        int slice = SliceBatch(p);
        var geom = Geom(p);
        var col = (GpuStorage)Allocate(dtype, checked(slice * p.InChannels * p.KernelH * p.KernelW * ohw), false);
        try
        {
            for (int n0 = 0; n0 < p.Batch; n0 += slice)
            {
                int nb = Math.Min(slice, p.Batch - n0);
                geom.Batch0 = n0;
                geom.NB = nb;
                Im2Col(x, col, geom);
                for (int g = 0; g < groups; g++)
                {
                    // y[n, g*opg .. , :] = W[g] (opg x rows) @ col[n, g] (rows x ohw), batched over the slice.
                    Gemm(w, col, y, nb, new GemmParams
                    {
                        M = opg, N = ohw, K = rows,
                        AOff = g * opg * rows, ARow = rows, ACol = 1, ABatch = 0,
                        BOff = g * rows * ohw, BRow = ohw, BCol = 1, BBatch = groups * rows * ohw,
                        COff = (n0 * p.OutChannels + g * opg) * ohw, CRow = ohw, CBatch = p.OutChannels * ohw,
                    });
                }
            }
        }
        finally
        {
            col.ReleaseScratch();
        }
        if (bias is not null)
        {
            // y (N, OC, OHW) += bias broadcast over N and the positions.
            ReadOnlySpan<int> shape = stackalloc[] { p.Batch, p.OutChannels, ohw };
            ReadOnlySpan<int> ys = stackalloc[] { p.OutChannels * ohw, ohw, 1 };
            ReadOnlySpan<int> bs = stackalloc[] { 0, 1, 0 };
            Binary<AddFn>(new Operand(y, 0, ys), new Operand(bias, 0, bs), new Operand(y, 0, ys), shape);
        }
    }

    /// <inheritdoc />
    public override void Conv2dBackwardInput(Storage dy, Storage w, Storage dx, in Conv2dParams p)
    {
        var dtype = FloatType(dy, "conv2d backward");
        int ohw = p.OutH * p.OutW, rows = p.ColRows, opg = p.OutPerGroup, groups = p.Groups;
        if (p.Batch == 0 || p.InChannels == 0)
        {
            return;
        }
        Bind();
        int slice = SliceBatch(p);
        var geom = Geom(p);
        var dcol = (GpuStorage)Allocate(dtype, checked(slice * p.InChannels * p.KernelH * p.KernelW * Math.Max(ohw, 1)), ohw == 0 || opg == 0);
        try
        {
            for (int n0 = 0; n0 < p.Batch; n0 += slice)
            {
                int nb = Math.Min(slice, p.Batch - n0);
                geom.Batch0 = n0;
                geom.NB = nb;
                for (int g = 0; g < groups && ohw > 0; g++)
                {
                    // dcol[n, g] (rows x ohw) = W[g]^T (rows x opg) @ dy[n, g] (opg x ohw).
                    Gemm(w, dy, dcol, nb, new GemmParams
                    {
                        M = rows, N = ohw, K = opg,
                        AOff = g * opg * rows, ARow = 1, ACol = rows, ABatch = 0,
                        BOff = (n0 * p.OutChannels + g * opg) * ohw, BRow = ohw, BCol = 1, BBatch = p.OutChannels * ohw,
                        COff = g * rows * ohw, CRow = ohw, CBatch = groups * rows * ohw,
                    });
                }
                long n = (long)nb * p.InChannels * p.Height * p.Width;
                geom.Step = Extent(n);
                if (dtype == DType.Float32)
                {
                    var k = Kernel(ConvK<float>.Col2Im, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<float>, ArrayView<float>, ConvGeom>>()));
                    k(geom.Step, V<float>(dcol), V<float>(dx), geom);
                }
                else
                {
                    var k = Kernel(ConvK<double>.Col2Im, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<double>, ArrayView<double>, ConvGeom>>()));
                    k(geom.Step, V<double>(dcol), V<double>(dx), geom);
                }
            }
        }
        finally
        {
            dcol.ReleaseScratch();
        }
    }

    /// <inheritdoc />
    public override void Conv2dBackwardWeight(Storage x, Storage dy, Storage dw, in Conv2dParams p)
    {
        var dtype = FloatType(dy, "conv2d backward");
        int ohw = p.OutH * p.OutW, rows = p.ColRows, opg = p.OutPerGroup, groups = p.Groups;
        if (p.Batch == 0 || ohw == 0)
        {
            ReadOnlySpan<int> all = stackalloc[] { (int)p.WeightLength };
            ReadOnlySpan<int> one = stackalloc[] { 1 };
            Fill(new Operand(dw, 0, one), all, 0);
            return;
        }
        Bind();
        int slice = SliceBatch(p);
        var geom = Geom(p);
        var col = (GpuStorage)Allocate(dtype, checked(slice * p.InChannels * p.KernelH * p.KernelW * ohw), false);
        try
        {
            for (int n0 = 0; n0 < p.Batch; n0 += slice)
            {
                int nb = Math.Min(slice, p.Batch - n0);
                geom.Batch0 = n0;
                geom.NB = nb;
                Im2Col(x, col, geom);
                for (int n = 0; n < nb; n++)
                {
                    for (int g = 0; g < groups; g++)
                    {
                        // dW[g] (opg x rows) (+)= dy[n, g] (opg x ohw) @ col[n, g]^T (ohw x rows).
                        Gemm(dy, col, dw, 1, new GemmParams
                        {
                            M = opg, N = rows, K = ohw,
                            AOff = ((n0 + n) * p.OutChannels + g * opg) * ohw, ARow = ohw, ACol = 1,
                            BOff = (n * groups + g) * rows * ohw, BRow = 1, BCol = ohw,
                            COff = g * opg * rows, CRow = rows,
                            Accumulate = n0 + n > 0 ? 1 : 0,
                        });
                    }
                }
            }
        }
        finally
        {
            col.ReleaseScratch();
        }
    }

    /// <inheritdoc />
    public override void Conv2dBackwardBias(Storage dy, Storage db, in Conv2dParams p)
    {
        var dtype = FloatType(dy, "conv2d backward");
        if (p.OutChannels == 0)
        {
            return;
        }
        Bind();
        int ohw = p.OutH * p.OutW;
        var cfg = new KernelConfig(Groups(p.OutChannels), RowGroupSize);
        if (dtype == DType.Float32)
        {
            var k = Kernel(ConvK<float>.ChannelSum, static (a, m) => a.LoadStreamKernel(m.CreateDelegate<Action<ArrayView<float>, ArrayView<float>, int, int, int>>()));
            k(cfg, V<float>(dy), V<float>(db), p.Batch, p.OutChannels, ohw);
        }
        else
        {
            var k = Kernel(ConvK<double>.ChannelSum, static (a, m) => a.LoadStreamKernel(m.CreateDelegate<Action<ArrayView<double>, ArrayView<double>, int, int, int>>()));
            k(cfg, V<double>(dy), V<double>(db), p.Batch, p.OutChannels, ohw);
        }
    }
}
