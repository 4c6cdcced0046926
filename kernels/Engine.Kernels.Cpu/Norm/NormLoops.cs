using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// Vector loops of the normalisation kernels: the centred sum of squares, y = x * a + b, and
/// dx = dy * k + x * a + b. Written out because the scalar versions ran at one element per FMA
/// latency (the sum of squares is one dependent chain) and the two-pass Multiply + Add read and
/// wrote y twice.
/// </summary>
internal static unsafe class NormLoops
{
    /// <summary>Sum over i of (x[i] - mean)^2.</summary>
    public static T CentredSumOfSquares<T>(T* x, int n, T mean) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        T sum = T.Zero;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<T>.Count)
        {
            int w = Vector512<T>.Count;
            var m = Vector512.Create(mean);
            Vector512<T> s0 = default, s1 = default;
            for (; i + 2 * w <= n; i += 2 * w)
            {
                var d0 = Vector512.Load(x + i) - m;
                var d1 = Vector512.Load(x + i + w) - m;
                s0 = Simd.Fma(d0, d0, s0);
                s1 = Simd.Fma(d1, d1, s1);
            }
            for (; i + w <= n; i += w)
            {
                var d = Vector512.Load(x + i) - m;
                s0 = Simd.Fma(d, d, s0);
            }
            sum = Vector512.Sum(s0 + s1);
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<T>.Count)
        {
            int w = Vector256<T>.Count;
            var m = Vector256.Create(mean);
            Vector256<T> s0 = default;
            for (; i + w <= n; i += w)
            {
                var d = Vector256.Load(x + i) - m;
                s0 = Simd.Fma(d, d, s0);
            }
            sum = Vector256.Sum(s0);
        }
        for (; i < n; i++)
        {
            T d = x[i] - mean;
            sum += d * d;
        }
        return sum;
    }

    /// <summary>y[i] = x[i] * a + b (y may be x).</summary>
    public static void Affine<T>(T* x, T* y, int n, T a, T b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            int w = Vector512<T>.Count;
            var va = Vector512.Create(a);
            var vb = Vector512.Create(b);
            for (; i + w <= n; i += w)
            {
                Simd.Fma(Vector512.Load(x + i), va, vb).Store(y + i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            int w = Vector256<T>.Count;
            var va = Vector256.Create(a);
            var vb = Vector256.Create(b);
            for (; i + w <= n; i += w)
            {
                Simd.Fma(Vector256.Load(x + i), va, vb).Store(y + i);
            }
        }
        for (; i < n; i++)
        {
            y[i] = x[i] * a + b;
        }
    }

    /// <summary>dx[i] = dy[i] * k + x[i] * a + b.</summary>
    public static void Affine2<T>(T* dy, T* x, T* dx, int n, T k, T a, T b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            int w = Vector512<T>.Count;
            var vk = Vector512.Create(k);
            var va = Vector512.Create(a);
            var vb = Vector512.Create(b);
            for (; i + w <= n; i += w)
            {
                Simd.Fma(Vector512.Load(dy + i), vk, Simd.Fma(Vector512.Load(x + i), va, vb)).Store(dx + i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            int w = Vector256<T>.Count;
            var vk = Vector256.Create(k);
            var va = Vector256.Create(a);
            var vb = Vector256.Create(b);
            for (; i + w <= n; i += w)
            {
                Simd.Fma(Vector256.Load(dy + i), vk, Simd.Fma(Vector256.Load(x + i), va, vb)).Store(dx + i);
            }
        }
        for (; i < n; i++)
        {
            dx[i] = k * dy[i] + a * x[i] + b;
        }
    }
}
