using System.Numerics;
using Engine.Autograd;
using Engine.Kernels;

namespace Engine.Multimodal.Model;

/// <summary>
/// Fused CPU ops behind <see cref="Conv2dNhwc"/>, <see cref="Conv1dTime"/> and <see cref="Pool"/>: the patch
/// matrix (im2col) of a channels-last input built in one pass, with its adjoint (col2im) as the backward, and
/// ReLU followed by 2x2 (or 2) max pooling in one pass (PatchOps.Pool.cs). They compute the
/// same values as the differentiable-view formulation (narrow + cat, relu + strided maximum), which the layers
/// still use on other devices, but in one node each instead of dozens of views, copies and full-size zero
/// gradients. CPU tensors of float32 or float64 only (<see cref="Supported"/>).
/// </summary>
public static partial class PatchOps
{
    /// <summary>Whether the fused ops handle <paramref name="t"/> (a CPU float32/float64 tensor).</summary>
    public static bool Supported(Tensor t) => t.Device.Kind == DeviceKind.Cpu && (t.DType == DType.Float32 || t.DType == DType.Float64);

    /// <summary>
    /// Patches of a (B, H, W, C) input for a k x k valid convolution: (B * Ho * Wo, k * k * C), row (b, i, j)
    /// holding x[b, i + dy, j + dx, c] at column (dy * k + dx) * C + c.
    /// </summary>
    public static Tensor Im2Col2d(Tensor input, int k)
    {
        var x = input.Contiguous();
        int b = x.Size(0), h = x.Size(1), w = x.Size(2), c = x.Size(3);
        int ho = h - k + 1, wo = w - k + 1;
        var cols = Tensor.Empty(new[] { b * ho * wo, k * k * c }, x.DType, x.Device);
        if (x.DType == DType.Float32)
        {
            Patches2d<float>.Gather(x, cols, b, h, w, c, k);
        }
        else
        {
            Patches2d<double>.Gather(x, cols, b, h, w, c, k);
        }
        int[] shape = x.Shape;
        return Node.Record("im2col2d", cols, new[] { x }, g =>
        {
            var gx = Tensor.Zeros(shape, g.DType, g.Device);
            var gc = g.Contiguous();
            if (gc.DType == DType.Float32)
            {
                Patches2d<float>.Scatter(gc, gx, shape[0], shape[1], shape[2], shape[3], k);
            }
            else
            {
                Patches2d<double>.Scatter(gc, gx, shape[0], shape[1], shape[2], shape[3], k);
            }
            return new[] { gx };
        });
    }

    /// <summary>Patches of a (B, T, C) input for a size-k valid 1-D convolution: (B * To, k * C), row (b, t) holding x[b, t + j, c] at column j * C + c.</summary>
    public static Tensor Im2Col1d(Tensor input, int k)
    {
        // The row of output t is the k * C consecutive input values starting at frame t.
        var x = input.Contiguous();
        int b = x.Size(0), t = x.Size(1), c = x.Size(2);
        int to = t - k + 1;
        var cols = Tensor.Empty(new[] { b * to, k * c }, x.DType, x.Device);
        if (x.DType == DType.Float32)
        {
            Patches1d<float>.Gather(x, cols, b, t, c, k);
        }
        else
        {
            Patches1d<double>.Gather(x, cols, b, t, c, k);
        }
        int[] shape = x.Shape;
        return Node.Record("im2col1d", cols, new[] { x }, g =>
        {
            var gx = Tensor.Zeros(shape, g.DType, g.Device);
            var gc = g.Contiguous();
            if (gc.DType == DType.Float32)
            {
                Patches1d<float>.Scatter(gc, gx, shape[0], shape[1], shape[2], k);
            }
            else
            {
                Patches1d<double>.Scatter(gc, gx, shape[0], shape[1], shape[2], k);
            }
            return new[] { gx };
        });
    }

    // Work per task: at least this many output elements (the ops are memory-bound copies).
    internal const int Grain = 1 << 14;

    private static class Patches2d<T> where T : unmanaged, INumber<T>
    {
        public static void Gather(Tensor x, Tensor cols, int b, int h, int w, int c, int k)
        {
            int ho = h - k + 1, wo = w - k + 1, row = k * c, width = k * row;
            var xs = (CpuStorage<T>)x.Storage;
            var cs = (CpuStorage<T>)cols.Storage;
            int xOff = x.Offset, cOff = cols.Offset;
            Parallelism.ForRanges(b, Math.Max(1, Grain / (ho * wo * width)), (s, e) =>
            {
                var src = xs.Span[xOff..];
                var dst = cs.Span[cOff..];
                for (int n = (int)s; n < e; n++)
                {
                    for (int i = 0; i < ho; i++)
                    {
                        for (int j = 0; j < wo; j++)
                        {
                            int o = ((n * ho + i) * wo + j) * width;
                            for (int dy = 0; dy < k; dy++)
                            {
                                // Window row dy of output (i, j): k * c consecutive values of input row i + dy.
                                int from = ((n * h + i + dy) * w + j) * c, to = o + dy * row;
                                if (row < 16)
                                {
                                    // Short runs (one input channel): a plain loop beats a copy call per run.
                                    for (int q = 0; q < row; q++)
                                    {
                                        dst[to + q] = src[from + q];
                                    }
                                }
                                else
                                {
                                    src.Slice(from, row).CopyTo(dst.Slice(to, row));
                                }
                            }
                        }
                    }
                }
            });
        }

        public static void Scatter(Tensor gcols, Tensor gx, int b, int h, int w, int c, int k)
        {
            int ho = h - k + 1, wo = w - k + 1, row = k * c, width = k * row;
            var gs = (CpuStorage<T>)gcols.Storage;
            var xs = (CpuStorage<T>)gx.Storage;
            int gOff = gcols.Offset, xOff = gx.Offset;
            Parallelism.ForRanges(b, Math.Max(1, Grain / (ho * wo * width)), (s, e) =>
            {
                var src = gs.Span[gOff..];
                var dst = xs.Span[xOff..];
                for (int n = (int)s; n < e; n++)
                {
                    for (int i = 0; i < ho; i++)
                    {
                        for (int j = 0; j < wo; j++)
                        {
                            int o = ((n * ho + i) * wo + j) * width;
                            for (int dy = 0; dy < k; dy++)
                            {
                                AddTo(src.Slice(o + dy * row, row), dst.Slice(((n * h + i + dy) * w + j) * c, row));
                            }
                        }
                    }
                }
            });
        }
    }

    private static class Patches1d<T> where T : unmanaged, INumber<T>
    {
        public static void Gather(Tensor x, Tensor cols, int b, int t, int c, int k)
        {
            int to = t - k + 1, width = k * c;
            var xs = (CpuStorage<T>)x.Storage;
            var cs = (CpuStorage<T>)cols.Storage;
            int xOff = x.Offset, cOff = cols.Offset;
            Parallelism.ForRanges(b, Math.Max(1, Grain / (to * width)), (s, e) =>
            {
                var src = xs.Span[xOff..];
                var dst = cs.Span[cOff..];
                for (int n = (int)s; n < e; n++)
                {
                    for (int i = 0; i < to; i++)
                    {
                        src.Slice((n * t + i) * c, width).CopyTo(dst.Slice((n * to + i) * width, width));
                    }
                }
            });
        }

        public static void Scatter(Tensor gcols, Tensor gx, int b, int t, int c, int k)
        {
            int to = t - k + 1, width = k * c;
            var gs = (CpuStorage<T>)gcols.Storage;
            var xs = (CpuStorage<T>)gx.Storage;
            int gOff = gcols.Offset, xOff = gx.Offset;
            Parallelism.ForRanges(b, Math.Max(1, Grain / (to * width)), (s, e) =>
            {
                var src = gs.Span[gOff..];
                var dst = xs.Span[xOff..];
                for (int n = (int)s; n < e; n++)
                {
                    for (int i = 0; i < to; i++)
                    {
                        AddTo(src.Slice((n * to + i) * width, width), dst.Slice((n * t + i) * c, width));
                    }
                }
            });
        }
    }

    private static void AddTo<T>(Span<T> src, Span<T> dst) where T : unmanaged, INumber<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && src.Length >= Vector<T>.Count)
        {
            var vs = System.Runtime.InteropServices.MemoryMarshal.Cast<T, Vector<T>>(src);
            var vd = System.Runtime.InteropServices.MemoryMarshal.Cast<T, Vector<T>>(dst);
            for (int v = 0; v < vs.Length; v++)
            {
                vd[v] += vs[v];
            }
            i = vs.Length * Vector<T>.Count;
        }
        for (; i < src.Length; i++)
        {
            dst[i] += src[i];
        }
    }
}
