using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Text.Word2Vec;

/// <summary>
/// SIMD kernels of Word2Vec training on raw rows. Rows are padded to a multiple of 16 floats
/// (padding stays zero through training), so the Vector512 and Vector256 paths need no tail.
/// </summary>
internal static unsafe class SgdKernels
{
    /// <summary>Row stride (floats) for a vector dimension: rounded up to 16 so every row is whole Vector512s and 64-byte aligned.</summary>
    public static int StrideFor(int dim) => (dim + 15) & ~15;

    /// <summary>sum_i a[i] * b[i] over n floats (n a multiple of 16 for the SIMD paths).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* a, float* b, int n)
    {
        if (Vector512.IsHardwareAccelerated && (n & 15) == 0)
        {
            var acc = Vector512<float>.Zero;
            for (int i = 0; i < n; i += 16)
            {
                acc = Vector512.FusedMultiplyAdd(Vector512.Load(a + i), Vector512.Load(b + i), acc);
            }
            return Vector512.Sum(acc);
        }
        if (Vector256.IsHardwareAccelerated && (n & 7) == 0)
        {
            var acc = Vector256<float>.Zero;
            for (int i = 0; i < n; i += 8)
            {
                acc = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc);
            }
            return Vector256.Sum(acc);
        }
        float s = 0;
        for (int i = 0; i < n; i++)
        {
            s += a[i] * b[i];
        }
        return s;
    }

    /// <summary>y[i] += a * x[i] over n floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(float a, float* x, float* y, int n)
    {
        if (Vector512.IsHardwareAccelerated && (n & 15) == 0)
        {
            var va = Vector512.Create(a);
            for (int i = 0; i < n; i += 16)
            {
                Vector512.FusedMultiplyAdd(va, Vector512.Load(x + i), Vector512.Load(y + i)).Store(y + i);
            }
            return;
        }
        if (Vector256.IsHardwareAccelerated && (n & 7) == 0)
        {
            var va = Vector256.Create(a);
            for (int i = 0; i < n; i += 8)
            {
                Vector256.FusedMultiplyAdd(va, Vector256.Load(x + i), Vector256.Load(y + i)).Store(y + i);
            }
            return;
        }
        for (int i = 0; i < n; i++)
        {
            y[i] += a * x[i];
        }
    }

    /// <summary>Logistic sigmoid, computed exactly (no lookup table), so the update is the true gradient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>
    /// One logistic-regression step of Word2Vec for a hidden vector <paramref name="l1"/> against k output rows:
    /// f_d = l1 · out[rows[d]], g_d = alpha * (labels[d] - sigmoid(f_d)); then dst += sum_d g_d * out[rows[d]]
    /// (with the rows before their update) and out[rows[d]] += g_d * l1. With dst == l1 this is the
    /// skip-gram update of the input vector; with dst a zeroed buffer it collects neu1e (CBOW, or
    /// negative sampling plus hierarchical softmax). The k dots are computed first (they are
    /// independent, so the CPU overlaps them), then one pass updates everything.
    /// </summary>
    public static void Step(float* l1, float* dst, int* rows, float* labels, int k, float alpha, float* output, int stride)
    {
        int padded = (k + 7) & ~7;
        float* g = stackalloc float[padded];
        for (int d = 0; d < k; d++)
        {
            g[d] = Dot(l1, output + (long)rows[d] * stride, stride);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            // Sigmoids of 8 dots at once: g = alpha * (label - 1 / (1 + e^-f)); lanes past k are ignored.
            float* lab = stackalloc float[padded];
            for (int d = 0; d < padded; d++)
            {
                lab[d] = d < k ? labels[d] : 0f;
                g[d] = d < k ? g[d] : 0f;
            }
            var va = Vector256.Create(alpha);
            for (int d = 0; d < padded; d += 8)
            {
                var f = Vector256.Load(g + d);
                var s = Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-f));
                (va * (Vector256.Load(lab + d) - s)).Store(g + d);
            }
        }
        else
        {
            for (int d = 0; d < k; d++)
            {
                g[d] = alpha * (labels[d] - Sigmoid(g[d]));
            }
        }
        if (Vector512.IsHardwareAccelerated && (stride & 15) == 0)
        {
            for (int i = 0; i < stride; i += 16)
            {
                var l = Vector512.Load(l1 + i);
                var e = Vector512<float>.Zero;
                for (int d = 0; d < k; d++)
                {
                    float* r = output + (long)rows[d] * stride + i;
                    var vr = Vector512.Load(r);
                    var vg = Vector512.Create(g[d]);
                    e = Vector512.FusedMultiplyAdd(vg, vr, e);
                    Vector512.FusedMultiplyAdd(vg, l, vr).Store(r);
                }
                (Vector512.Load(dst + i) + e).Store(dst + i);
            }
            return;
        }
        if (Vector256.IsHardwareAccelerated && (stride & 7) == 0)
        {
            for (int i = 0; i < stride; i += 8)
            {
                var l = Vector256.Load(l1 + i);
                var e = Vector256<float>.Zero;
                for (int d = 0; d < k; d++)
                {
                    float* r = output + (long)rows[d] * stride + i;
                    var vr = Vector256.Load(r);
                    var vg = Vector256.Create(g[d]);
                    e = Vector256.FusedMultiplyAdd(vg, vr, e);
                    Vector256.FusedMultiplyAdd(vg, l, vr).Store(r);
                }
                (Vector256.Load(dst + i) + e).Store(dst + i);
            }
            return;
        }
        for (int i = 0; i < stride; i++)
        {
            float l = l1[i];
            float e = 0;
            for (int d = 0; d < k; d++)
            {
                float* r = output + (long)rows[d] * stride + i;
                e += g[d] * *r;
                *r += g[d] * l;
            }
            dst[i] += e;
        }
    }
}
