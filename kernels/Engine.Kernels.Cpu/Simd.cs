using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// Generic wrappers over the SIMD math that .NET exposes only per element type. The
/// <c>typeof(T) == typeof(float)</c> tests are constants to the JIT, so each wrapper compiles
/// to the one instruction sequence of its type.
/// </summary>
public static class Simd
{
    /// <summary>a * b + c, fused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        }
        if (typeof(T) == typeof(double))
        {
            return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }
        return a * b + c;
    }

    /// <summary>a * b + c, fused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Fma<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        }
        if (typeof(T) == typeof(double))
        {
            return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }
        return a * b + c;
    }

    /// <summary>e^x per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Exp<T>(Vector512<T> x)
    {
        if (typeof(T) == typeof(float))
        {
            return ExpF(x.AsSingle()).As<float, T>();
        }
        return Vector512.Exp(x.AsDouble()).As<double, T>();
    }

    /// <summary>e^x per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Exp<T>(Vector256<T> x)
    {
        if (typeof(T) == typeof(float))
        {
            return ExpF(x.AsSingle()).As<float, T>();
        }
        return Vector256.Exp(x.AsDouble()).As<double, T>();
    }

    /// <summary>Natural log per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Log<T>(Vector512<T> x)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.Log(x.AsSingle()).As<float, T>();
        }
        return Vector512.Log(x.AsDouble()).As<double, T>();
    }

    /// <summary>Natural log per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Log<T>(Vector256<T> x)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector256.Log(x.AsSingle()).As<float, T>();
        }
        return Vector256.Log(x.AsDouble()).As<double, T>();
    }

    /// <summary>Sine per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Sin<T>(Vector512<T> x)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.Sin(x.AsSingle()).As<float, T>();
        }
        return Vector512.Sin(x.AsDouble()).As<double, T>();
    }

    /// <summary>Sine per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Sin<T>(Vector256<T> x)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector256.Sin(x.AsSingle()).As<float, T>();
        }
        return Vector256.Sin(x.AsDouble()).As<double, T>();
    }

    /// <summary>Cosine per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Cos<T>(Vector512<T> x)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.Cos(x.AsSingle()).As<float, T>();
        }
        return Vector512.Cos(x.AsDouble()).As<double, T>();
    }

    /// <summary>Cosine per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Cos<T>(Vector256<T> x)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector256.Cos(x.AsSingle()).As<float, T>();
        }
        return Vector256.Cos(x.AsDouble()).As<double, T>();
    }

    // Single-precision e^x (Cody-Waite reduction, degree-6 polynomial with Cephes' expf
    // coefficients, about 1 ulp). .NET's Vector512.Exp(float) measured 3.6x slower than
    // TensorPrimitives.Exp here, so the engine carries its own.
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;

    /// <summary>e^x for float lanes, about 1 ulp; overflows to +inf, underflows through denormals to 0, NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExpF(Vector512<float> x)
    {
        var xc = Vector512.Min(Vector512.Max(x, Vector512.Create(-104f)), Vector512.Create(89f));
        var n = Vector512.Round(xc * Log2E);
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), xc);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        var p = Vector512.Create(1.9875691500E-4f);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.3981999507E-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073E-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894E-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459E-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201E-1f));
        p = Vector512.FusedMultiplyAdd(p * r, r, r) + Vector512<float>.One;
        // 2^n as two factors 2^(n/2) 2^(n - n/2) so n down to -150 and up to 128 stays exact.
        var ni = Vector512.ConvertToInt32(n);
        var n1 = ni >> 1;
        var n2 = ni - n1;
        var s1 = ((n1 + Vector512.Create(127)) << 23).AsSingle();
        var s2 = ((n2 + Vector512.Create(127)) << 23).AsSingle();
        var result = p * s1 * s2;
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), result, x);
    }

    /// <summary>e^x for float lanes (see the Vector512 overload).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ExpF(Vector256<float> x)
    {
        var xc = Vector256.Min(Vector256.Max(x, Vector256.Create(-104f)), Vector256.Create(89f));
        var n = Vector256.Round(xc * Log2E);
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Hi), xc);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Lo), r);
        var p = Vector256.Create(1.9875691500E-4f);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.3981999507E-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(8.3334519073E-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(4.1665795894E-2f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.6666665459E-1f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(5.0000001201E-1f));
        p = Vector256.FusedMultiplyAdd(p * r, r, r) + Vector256<float>.One;
        var ni = Vector256.ConvertToInt32(n);
        var n1 = ni >> 1;
        var n2 = ni - n1;
        var s1 = ((n1 + Vector256.Create(127)) << 23).AsSingle();
        var s2 = ((n2 + Vector256.Create(127)) << 23).AsSingle();
        var result = p * s1 * s2;
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);
    }
}
