using System.Numerics;
using System.Runtime.InteropServices;

namespace Engine.Text.Vectors;

/// <summary>Span-based dot, axpy and scale with System.Numerics SIMD, for queries (training uses its own padded kernels).</summary>
public static class VectorMath
{
    /// <summary>sum_i a[i] * b[i].</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"VectorMath.Dot: lengths {a.Length} and {b.Length} differ.");
        }
        int i = 0;
        var acc = Vector<float>.Zero;
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
        for (int v = 0; v < va.Length; v++)
        {
            acc = Vector.FusedMultiplyAdd(va[v], vb[v], acc);
        }
        i = va.Length * Vector<float>.Count;
        float s = Vector.Sum(acc);
        for (; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }
        return s;
    }

    /// <summary>y[i] += alpha * x[i].</summary>
    public static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"VectorMath.Axpy: lengths {x.Length} and {y.Length} differ.");
        }
        var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
        var vy = MemoryMarshal.Cast<float, Vector<float>>(y);
        var va = new Vector<float>(alpha);
        for (int v = 0; v < vx.Length; v++)
        {
            vy[v] = Vector.FusedMultiplyAdd(va, vx[v], vy[v]);
        }
        for (int i = vx.Length * Vector<float>.Count; i < x.Length; i++)
        {
            y[i] += alpha * x[i];
        }
    }

    /// <summary>x[i] *= alpha.</summary>
    public static void Scale(float alpha, Span<float> x)
    {
        for (int i = 0; i < x.Length; i++)
        {
            x[i] *= alpha;
        }
    }
}
