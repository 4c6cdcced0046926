using System.Numerics;
using Engine.Autograd;
using Engine.Kernels;

namespace Engine.Multimodal.Model;

public static partial class PatchOps
{
    /// <summary>The largest patch width <see cref="NarrowLinear"/> takes (wider ones go to the GEMM).</summary>
    public const int NarrowLinearMaxK = 32;

    /// <summary>Whether <see cref="NarrowLinear"/> handles a (R, K) float32 patch matrix and a (N, K) weight.</summary>
    public static bool NarrowLinearSupported(Tensor cols, Tensor weight) =>
        Supported(cols) && cols.DType == DType.Float32 && weight.DType == DType.Float32 && weight.Device.Kind == DeviceKind.Cpu
        && cols.Dim == 2 && cols.Size(1) <= NarrowLinearMaxK && weight.Size(0) % Vector<float>.Count == 0;

    /// <summary>
    /// y = cols @ weight.T + bias for a patch matrix with few columns (the first convolution of an image: K = 9),
    /// where a general GEMM spends its time on packing and partial tiles: each output row is built from K
    /// broadcasts times the weight's columns, and the weight and bias gradients are accumulated row by row (per
    /// thread, then summed). Same values as <see cref="Tensor.Linear"/> up to float rounding.
    /// </summary>
    public static Tensor NarrowLinear(Tensor cols, Tensor weight, Tensor? bias)
    {
        if (!NarrowLinearSupported(cols, weight))
        {
            throw new ArgumentException($"NarrowLinear: needs a CPU float32 (R, K <= {NarrowLinearMaxK}) input and an output size that is a multiple of {Vector<float>.Count}; got {Dims(cols)} and weight {Dims(weight)}");
        }
        var x = cols.Contiguous();
        int rows = x.Size(0), k = x.Size(1), n = weight.Size(0);
        if (weight.Size(1) != k || (bias is not null && bias.NumEl != n))
        {
            throw new ArgumentException($"NarrowLinear: weight {Dims(weight)} and bias {(bias is null ? "none" : Dims(bias))} do not fit input {Dims(x)}");
        }
        var wt = Transposed(weight.Contiguous(), n, k);
        var b = bias is null ? new float[n] : bias.Contiguous().ToArray<float>();
        var y = Tensor.Empty(new[] { rows, n }, DType.Float32, x.Device);
        var xs = (CpuStorage<float>)x.Storage;
        var ys = (CpuStorage<float>)y.Storage;
        int xOff = x.Offset;
        int vw = Vector<float>.Count;
        Parallelism.ForRanges(rows, Math.Max(1, Grain / (n * k)), (s, e) =>
        {
            var src = xs.Span[xOff..];
            var dst = ys.Span;
            for (int r = (int)s; r < e; r++)
            {
                var xr = src.Slice(r * k, k);
                for (int nb = 0; nb < n; nb += vw)
                {
                    var acc = new Vector<float>(b, nb);
                    for (int q = 0; q < k; q++)
                    {
                        acc += new Vector<float>(xr[q]) * new Vector<float>(wt, q * n + nb);
                    }
                    acc.CopyTo(dst.Slice(r * n + nb, vw));
                }
            }
        });
        var inputs = bias is null ? new[] { x, weight } : new[] { x, weight, bias };
        bool needX = x.RequiresGrad;
        return Node.Record("narrow_linear", y, inputs, g =>
        {
            var gc = g.Contiguous();
            var (gw, gb) = WeightGradients(x, gc, rows, k, n);
            var grads = new Tensor?[inputs.Length];
            grads[0] = needX ? InputGradient(gc, wt, rows, k, n) : null;
            grads[1] = Tensor.FromArray(gw, new[] { n, k });
            if (bias is not null)
            {
                grads[2] = Tensor.FromArray(gb, bias.Shape);
            }
            return grads;
        }, x, weight);
    }

    private static string Dims(Tensor t) => "[" + string.Join(", ", t.Shape) + "]";

    // (N, K) row-major to a (K, N) array.
    private static float[] Transposed(Tensor weight, int n, int k)
    {
        var w = ((CpuStorage<float>)weight.Storage).Span.Slice(weight.Offset, n * k);
        var wt = new float[k * n];
        for (int i = 0; i < n; i++)
        {
            for (int q = 0; q < k; q++)
            {
                wt[q * n + i] = w[i * k + q];
            }
        }
        return wt;
    }

    // dW = g^T @ x as (N, K) and db = column sums of g, accumulated per range and summed.
    private static (float[] Gw, float[] Gb) WeightGradients(Tensor x, Tensor g, int rows, int k, int n)
    {
        var accT = new float[k * n];
        var accB = new float[n];
        var xs = (CpuStorage<float>)x.Storage;
        var gs = (CpuStorage<float>)g.Storage;
        int xOff = x.Offset, gOff = g.Offset, vw = Vector<float>.Count;
        var gate = new object();
        Parallelism.ForRanges(rows, Math.Max(1, Grain / (n * k)), (s, e) =>
        {
            var src = xs.Span[xOff..];
            var gr = gs.Span[gOff..];
            var t = new float[k * n];
            var bb = new float[n];
            var tv = System.Runtime.InteropServices.MemoryMarshal.Cast<float, Vector<float>>(t.AsSpan());
            var bv = System.Runtime.InteropServices.MemoryMarshal.Cast<float, Vector<float>>(bb.AsSpan());
            int blocks = n / vw;
            for (int r = (int)s; r < e; r++)
            {
                var xr = src.Slice(r * k, k);
                for (int nb = 0; nb < blocks; nb++)
                {
                    var gvec = new Vector<float>(gr.Slice(r * n + nb * vw, vw));
                    bv[nb] += gvec;
                    for (int q = 0; q < k; q++)
                    {
                        tv[q * blocks + nb] += new Vector<float>(xr[q]) * gvec;
                    }
                }
            }
            lock (gate)
            {
                for (int i = 0; i < t.Length; i++)
                {
                    accT[i] += t[i];
                }
                for (int i = 0; i < n; i++)
                {
                    accB[i] += bb[i];
                }
            }
        });
        var gw = new float[n * k];
        for (int q = 0; q < k; q++)
        {
            for (int i = 0; i < n; i++)
            {
                gw[i * k + q] = accT[q * n + i];
            }
        }
        return (gw, accB);
    }

    // dx = g @ W: dx[r, q] = sum_n g[r, n] * wt[q, n].
    private static Tensor InputGradient(Tensor g, float[] wt, int rows, int k, int n)
    {
        var gx = Tensor.Empty(new[] { rows, k }, DType.Float32, g.Device);
        var gs = (CpuStorage<float>)g.Storage;
        var ds = (CpuStorage<float>)gx.Storage;
        int gOff = g.Offset, vw = Vector<float>.Count;
        Parallelism.ForRanges(rows, Math.Max(1, Grain / (n * k)), (s, e) =>
        {
            var gr = gs.Span[gOff..];
            var dst = ds.Span;
            for (int r = (int)s; r < e; r++)
            {
                for (int q = 0; q < k; q++)
                {
                    var acc = Vector<float>.Zero;
                    for (int nb = 0; nb < n; nb += vw)
                    {
                        acc += new Vector<float>(gr.Slice(r * n + nb, vw)) * new Vector<float>(wt, q * n + nb);
                    }
                    dst[r * k + q] = Vector.Sum(acc);
                }
            }
        });
        return gx;
    }
}
