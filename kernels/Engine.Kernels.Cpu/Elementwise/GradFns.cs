using System.Numerics;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

#pragma warning disable CS1591 // The functor names say what they compute.

// Backward functors: Apply(s, g) where s is the saved forward input x or output y (as each
// name says) and g the incoming gradient. Each is the derivative of its forward functor times g.

/// <summary>g / (2 y) for y = sqrt x.</summary>
public struct SqrtBackwardFn : IBinaryFn
{
    public static T Apply<T>(T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => g / (y + y);
    public static Vector256<T> Apply<T>(Vector256<T> y, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T> => g / (y + y);
    public static Vector512<T> Apply<T>(Vector512<T> y, Vector512<T> g) where T : unmanaged, IFloatingPointIeee754<T> => g / (y + y);
}

/// <summary>-g y^3 / 2 for y = 1 / sqrt x.</summary>
public struct RsqrtBackwardFn : IBinaryFn
{
    public static T Apply<T>(T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => -g * y * y * y / T.CreateTruncating(2);
    public static Vector256<T> Apply<T>(Vector256<T> y, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T> => -g * y * y * y / Vector256.Create(T.CreateTruncating(2));
    public static Vector512<T> Apply<T>(Vector512<T> y, Vector512<T> g) where T : unmanaged, IFloatingPointIeee754<T> => -g * y * y * y / Vector512.Create(T.CreateTruncating(2));
}

/// <summary>g sign(x) for |x| (0 at 0, as PyTorch).</summary>
public struct AbsBackwardFn : IBinaryFn
{
    public static T Apply<T>(T x, T g) where T : unmanaged, IFloatingPointIeee754<T> => g * SignFn.Apply(x);
    public static Vector256<T> Apply<T>(Vector256<T> x, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T> => g * SignFn.Apply(x);
    public static Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> g) where T : unmanaged, IFloatingPointIeee754<T> => g * SignFn.Apply(x);
}

/// <summary>g (1 - y^2) for y = tanh x, as g (1 - y)(1 + y): no cancellation for y near 1, so it agrees with or without FMA contraction.</summary>
public struct TanhBackwardFn : IBinaryFn
{
    public static T Apply<T>(T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => g * ((T.One - y) * (T.One + y));
    public static Vector256<T> Apply<T>(Vector256<T> y, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T> => g * ((Vector256<T>.One - y) * (Vector256<T>.One + y));
    public static Vector512<T> Apply<T>(Vector512<T> y, Vector512<T> g) where T : unmanaged, IFloatingPointIeee754<T> => g * ((Vector512<T>.One - y) * (Vector512<T>.One + y));
}

/// <summary>g y (1 - y) for y = sigmoid x.</summary>
public struct SigmoidBackwardFn : IBinaryFn
{
    public static T Apply<T>(T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => g * y * (T.One - y);
    public static Vector256<T> Apply<T>(Vector256<T> y, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T> => g * y * (Vector256<T>.One - y);
    public static Vector512<T> Apply<T>(Vector512<T> y, Vector512<T> g) where T : unmanaged, IFloatingPointIeee754<T> => g * y * (Vector512<T>.One - y);
}

/// <summary>g where y &gt; 0 else 0, for y = relu x.</summary>
public struct ReluBackwardFn : IBinaryFn
{
    public static T Apply<T>(T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => y > T.Zero ? g : T.Zero;
    public static Vector256<T> Apply<T>(Vector256<T> y, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.GreaterThan(y, Vector256<T>.Zero) & g;
    public static Vector512<T> Apply<T>(Vector512<T> y, Vector512<T> g) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.GreaterThan(y, Vector512<T>.Zero) & g;
}

/// <summary>1 where x &gt; 0 else the slope: the derivative of leaky relu (multiply by g afterwards).</summary>
public struct LeakyReluDerivFn : IBinaryFn
{
    public static T Apply<T>(T x, T slope) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? T.One : slope;
    public static Vector256<T> Apply<T>(Vector256<T> x, Vector256<T> slope) where T : unmanaged, IFloatingPointIeee754<T>
        => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), Vector256<T>.One, slope);
    public static Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> slope) where T : unmanaged, IFloatingPointIeee754<T>
        => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), Vector512<T>.One, slope);
}

/// <summary>g sigma(x) (1 + x (1 - sigma(x))) for silu.</summary>
public struct SiluBackwardFn : IBinaryFn
{
    public static T Apply<T>(T x, T g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T s = SigmoidFn.Apply(x);
        return g * s * (T.One + x * (T.One - s));
    }

    public static Vector256<T> Apply<T>(Vector256<T> x, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = SigmoidFn.Apply(x);
        return g * s * (Vector256<T>.One + x * (Vector256<T>.One - s));
    }

    public static Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = SigmoidFn.Apply(x);
        return g * s * (Vector512<T>.One + x * (Vector512<T>.One - s));
    }
}

/// <summary>g sigma(x) (g where x &gt; 20) for softplus.</summary>
public struct SoftplusBackwardFn : IBinaryFn
{
    public static T Apply<T>(T x, T g) where T : unmanaged, IFloatingPointIeee754<T> => x > T.CreateTruncating(20) ? g : g * SigmoidFn.Apply(x);
    public static Vector256<T> Apply<T>(Vector256<T> x, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T>
        => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(T.CreateTruncating(20))), g, g * SigmoidFn.Apply(x));
    public static Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> g) where T : unmanaged, IFloatingPointIeee754<T>
        => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(T.CreateTruncating(20))), g, g * SigmoidFn.Apply(x));
}

/// <summary>g cos x for sin.</summary>
public struct SinBackwardFn : IBinaryFn
{
    public static T Apply<T>(T x, T g) where T : unmanaged, IFloatingPointIeee754<T> => g * T.Cos(x);
    public static Vector256<T> Apply<T>(Vector256<T> x, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T> => g * Simd.Cos(x);
    public static Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> g) where T : unmanaged, IFloatingPointIeee754<T> => g * Simd.Cos(x);
}

/// <summary>-g sin x for cos.</summary>
public struct CosBackwardFn : IBinaryFn
{
    public static T Apply<T>(T x, T g) where T : unmanaged, IFloatingPointIeee754<T> => -g * T.Sin(x);
    public static Vector256<T> Apply<T>(Vector256<T> x, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T> => -g * Simd.Sin(x);
    public static Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> g) where T : unmanaged, IFloatingPointIeee754<T> => -g * Simd.Sin(x);
}

/// <summary>g (Phi(x) + x phi(x)) for exact GELU.</summary>
public struct GeluBackwardFn : IBinaryFn
{
    public static T Apply<T>(T x, T g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double d = double.CreateTruncating(x);
        double cdf = 0.5 * (1 + ScalarMath.Erf(d * 0.70710678118654752));
        double pdf = Math.Exp(-0.5 * d * d) * 0.39894228040143268;
        return g * T.CreateTruncating(cdf + d * pdf);
    }

    public static Vector256<T> Apply<T>(Vector256<T> x, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> r = stackalloc T[Vector256<T>.Count];
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = Apply(x.GetElement(i), g.GetElement(i));
        }
        return Vector256.Create((ReadOnlySpan<T>)r);
    }

    public static Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> r = stackalloc T[Vector512<T>.Count];
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = Apply(x.GetElement(i), g.GetElement(i));
        }
        return Vector512.Create((ReadOnlySpan<T>)r);
    }
}
