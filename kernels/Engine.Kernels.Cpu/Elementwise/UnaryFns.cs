using System.Numerics;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

#pragma warning disable CS1591 // The functor names say what they compute.

/// <summary>y = x (used for strided copies).</summary>
public struct IdentityFn : IUnaryFn
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x;
    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => x;
    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => x;
}

/// <summary>-x.</summary>
public struct NegFn : IUnaryFn
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => -x;
    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => -x;
    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => -x;
}

/// <summary>e^x.</summary>
public struct ExpFn : IUnaryFn
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Exp(x);
    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Simd.Exp(x);
    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Simd.Exp(x);
}

/// <summary>ln x.</summary>
public struct LogFn : IUnaryFn
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Log(x);
    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Simd.Log(x);
    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Simd.Log(x);
}

/// <summary>sqrt x.</summary>
public struct SqrtFn : IUnaryFn
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sqrt(x);
    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Sqrt(x);
    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.Sqrt(x);
}

/// <summary>1 / sqrt x (exact division, not the hardware estimate, to match PyTorch).</summary>
public struct RsqrtFn : IUnaryFn
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.One / T.Sqrt(x);
    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector256<T>.One / Vector256.Sqrt(x);
    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector512<T>.One / Vector512.Sqrt(x);
}

/// <summary>|x|.</summary>
public struct AbsFn : IUnaryFn
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Abs(x);
    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Abs(x);
    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.Abs(x);
}

/// <summary>sign(x): -1, 0 or 1.</summary>
public struct SignFn : IUnaryFn
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? T.One : x < T.Zero ? -T.One : x;
    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => (Vector256.GreaterThan(x, Vector256<T>.Zero) & Vector256<T>.One) - (Vector256.LessThan(x, Vector256<T>.Zero) & Vector256<T>.One);
    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => (Vector512.GreaterThan(x, Vector512<T>.Zero) & Vector512<T>.One) - (Vector512.LessThan(x, Vector512<T>.Zero) & Vector512<T>.One);
}

/// <summary>tanh x: an odd polynomial near 0, (1 - e^(-2|x|)) / (1 + e^(-2|x|)) elsewhere.</summary>
public struct TanhFn : IUnaryFn
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Tanh(x);

    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ax = Vector256.Abs(x);
        var t = Simd.Exp(Vector256.Create(T.CreateTruncating(-2.0)) * ax);
        var big = (Vector256<T>.One - t) / (Vector256<T>.One + t);
        var x2 = x * x;
        var small = x * Poly(x2);
        var r = Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(T.CreateTruncating(0.1))), small,
            Vector256.CopySign(big, x));
        return r;
        static Vector256<T> Poly(Vector256<T> x2)
        {
            var p = Vector256.Create(T.CreateTruncating(62.0 / 2835.0));
            p = p * x2 + Vector256.Create(T.CreateTruncating(-17.0 / 315.0));
            p = p * x2 + Vector256.Create(T.CreateTruncating(2.0 / 15.0));
            p = p * x2 + Vector256.Create(T.CreateTruncating(-1.0 / 3.0));
            return p * x2 + Vector256<T>.One;
        }
    }

    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ax = Vector512.Abs(x);
        var t = Simd.Exp(Vector512.Create(T.CreateTruncating(-2.0)) * ax);
        var big = (Vector512<T>.One - t) / (Vector512<T>.One + t);
        var x2 = x * x;
        var p = Vector512.Create(T.CreateTruncating(62.0 / 2835.0));
        p = p * x2 + Vector512.Create(T.CreateTruncating(-17.0 / 315.0));
        p = p * x2 + Vector512.Create(T.CreateTruncating(2.0 / 15.0));
        p = p * x2 + Vector512.Create(T.CreateTruncating(-1.0 / 3.0));
        var small = x * (p * x2 + Vector512<T>.One);
        return Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(T.CreateTruncating(0.1))), small,
            Vector512.CopySign(big, x));
    }
}

/// <summary>1 / (1 + e^-x).</summary>
public struct SigmoidFn : IUnaryFn
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.One / (T.One + T.Exp(-x));
    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector256<T>.One / (Vector256<T>.One + Simd.Exp(-x));
    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector512<T>.One / (Vector512<T>.One + Simd.Exp(-x));
}

/// <summary>max(x, 0).</summary>
public struct ReluFn : IUnaryFn
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? x : (T.IsNaN(x) ? x : T.Zero);
    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.ConditionalSelect(Vector256.LessThanOrEqual(x, Vector256<T>.Zero), Vector256<T>.Zero, x);
    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.ConditionalSelect(Vector512.LessThanOrEqual(x, Vector512<T>.Zero), Vector512<T>.Zero, x);
}

/// <summary>x * sigmoid(x) (SiLU, swish).</summary>
public struct SiluFn : IUnaryFn
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x / (T.One + T.Exp(-x));
    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => x / (Vector256<T>.One + Simd.Exp(-x));
    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => x / (Vector512<T>.One + Simd.Exp(-x));
}

/// <summary>
/// log(1 + e^x) with PyTorch's default threshold (x &gt; 20 gives x), written as
/// max(x, 0) + log1p(e^-|x|) so it stays accurate for very negative x.
/// </summary>
public struct SoftplusFn : IUnaryFn
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
        => x > T.CreateTruncating(20) ? x : T.Max(x, T.Zero) + T.LogP1(T.Exp(-T.Abs(x)));

    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var u = Simd.Exp(-Vector256.Abs(x));
        var w = Vector256<T>.One + u;
        // log1p(u) = log(w) * u / (w - 1), exact when w rounds to 1 (Goldberg's trick).
        var l = Vector256.ConditionalSelect(Vector256.Equals(w, Vector256<T>.One), u, Simd.Log(w) * u / (w - Vector256<T>.One));
        var r = Vector256.Max(x, Vector256<T>.Zero) + l;
        return Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(T.CreateTruncating(20))), x, r);
    }

    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var u = Simd.Exp(-Vector512.Abs(x));
        var w = Vector512<T>.One + u;
        var l = Vector512.ConditionalSelect(Vector512.Equals(w, Vector512<T>.One), u, Simd.Log(w) * u / (w - Vector512<T>.One));
        var r = Vector512.Max(x, Vector512<T>.Zero) + l;
        return Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(T.CreateTruncating(20))), x, r);
    }
}

/// <summary>sin x.</summary>
public struct SinFn : IUnaryFn
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sin(x);
    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Simd.Sin(x);
    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Simd.Sin(x);
}

/// <summary>cos x.</summary>
public struct CosFn : IUnaryFn
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Cos(x);
    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Simd.Cos(x);
    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Simd.Cos(x);
}

/// <summary>
/// Exact GELU, x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), as torch.nn.functional.gelu's default.
/// The scalar path uses a double-precision erf; the float vectors use Abramowitz and Stegun 7.1.26
/// (|error| &lt; 1.5e-7 in erf); double vectors go lane by lane through the scalar path.
/// </summary>
public struct GeluFn : IUnaryFn
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double d = double.CreateTruncating(x);
        return T.CreateTruncating(0.5 * d * (1 + ScalarMath.Erf(d * 0.70710678118654752)));
    }

    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            var xf = x.AsSingle();
            var z = Vector256.Abs(xf) * 0.70710678f;
            var t = Vector256<float>.One / (Vector256<float>.One + 0.3275911f * z);
            var poly = Vector256.Create(1.061405429f) * t + Vector256.Create(-1.453152027f);
            poly = poly * t + Vector256.Create(1.421413741f);
            poly = poly * t + Vector256.Create(-0.284496736f);
            poly = (poly * t + Vector256.Create(0.254829592f)) * t;
            var erfAbs = Vector256<float>.One - poly * Vector256.Exp(-z * z);
            var erf = Vector256.CopySign(erfAbs, xf);
            return (0.5f * xf * (Vector256<float>.One + erf)).As<float, T>();
        }
        Span<T> r = stackalloc T[Vector256<T>.Count];
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = Apply(x.GetElement(i));
        }
        return Vector256.Create((ReadOnlySpan<T>)r);
    }

    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            var xf = x.AsSingle();
            var z = Vector512.Abs(xf) * 0.70710678f;
            var t = Vector512<float>.One / (Vector512<float>.One + 0.3275911f * z);
            var poly = Vector512.Create(1.061405429f) * t + Vector512.Create(-1.453152027f);
            poly = poly * t + Vector512.Create(1.421413741f);
            poly = poly * t + Vector512.Create(-0.284496736f);
            poly = (poly * t + Vector512.Create(0.254829592f)) * t;
            var erfAbs = Vector512<float>.One - poly * Vector512.Exp(-z * z);
            var erf = Vector512.CopySign(erfAbs, xf);
            return (0.5f * xf * (Vector512<float>.One + erf)).As<float, T>();
        }
        Span<T> r = stackalloc T[Vector512<T>.Count];
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = Apply(x.GetElement(i));
        }
        return Vector512.Create((ReadOnlySpan<T>)r);
    }
}
