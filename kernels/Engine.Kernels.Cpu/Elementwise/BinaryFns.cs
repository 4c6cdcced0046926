using System.Numerics;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

#pragma warning disable CS1591 // The functor names say what they compute.

/// <summary>a + b.</summary>
public struct AddFn : IBinaryFn
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
    public static Vector256<T> Apply<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
    public static Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
}

/// <summary>a - b.</summary>
public struct SubFn : IBinaryFn
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a - b;
    public static Vector256<T> Apply<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a - b;
    public static Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a - b;
}

/// <summary>a * b.</summary>
public struct MulFn : IBinaryFn
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a * b;
    public static Vector256<T> Apply<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a * b;
    public static Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a * b;
}

/// <summary>a / b.</summary>
public struct DivFn : IBinaryFn
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a / b;
    public static Vector256<T> Apply<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a / b;
    public static Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a / b;
}

/// <summary>max(a, b); a NaN in either operand gives NaN, as torch.maximum.</summary>
public struct MaxFn : IBinaryFn
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Max(a, b);
    public static Vector256<T> Apply<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Max(a, b);
    public static Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.Max(a, b);
}

/// <summary>min(a, b); a NaN in either operand gives NaN, as torch.minimum.</summary>
public struct MinFn : IBinaryFn
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Min(a, b);
    public static Vector256<T> Apply<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Min(a, b);
    public static Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.Min(a, b);
}

/// <summary>a ^ b (real power; scalar per lane for vectors, since .NET has no vector pow).</summary>
public struct PowFn : IBinaryFn
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Pow(a, b);

    public static Vector256<T> Apply<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // exp(b * log a) is wrong for negative a with integer b, so go lane by lane.
        Span<T> r = stackalloc T[Vector256<T>.Count];
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = T.Pow(a.GetElement(i), b.GetElement(i));
        }
        return Vector256.Create((ReadOnlySpan<T>)r);
    }

    public static Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> r = stackalloc T[Vector512<T>.Count];
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = T.Pow(a.GetElement(i), b.GetElement(i));
        }
        return Vector512.Create((ReadOnlySpan<T>)r);
    }
}

/// <summary>x if x &gt; 0 else slope * x, with the slope as the second operand.</summary>
public struct LeakyReluFn : IBinaryFn
{
    public static T Apply<T>(T x, T slope) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? x : x * slope;
    public static Vector256<T> Apply<T>(Vector256<T> x, Vector256<T> slope) where T : unmanaged, IFloatingPointIeee754<T>
        => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), x, x * slope);
    public static Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> slope) where T : unmanaged, IFloatingPointIeee754<T>
        => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), x, x * slope);
}

/// <summary>1 where a == b else 0.</summary>
public struct EqFn : IBinaryFn
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a == b ? T.One : T.Zero;
    public static Vector256<T> Apply<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Equals(a, b) & Vector256<T>.One;
    public static Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.Equals(a, b) & Vector512<T>.One;
}

/// <summary>1 where a != b else 0.</summary>
public struct NeFn : IBinaryFn
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a != b ? T.One : T.Zero;
    public static Vector256<T> Apply<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => ~Vector256.Equals(a, b) & Vector256<T>.One;
    public static Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => ~Vector512.Equals(a, b) & Vector512<T>.One;
}

/// <summary>1 where a &lt; b else 0.</summary>
public struct LtFn : IBinaryFn
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a < b ? T.One : T.Zero;
    public static Vector256<T> Apply<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.LessThan(a, b) & Vector256<T>.One;
    public static Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.LessThan(a, b) & Vector512<T>.One;
}

/// <summary>1 where a &lt;= b else 0.</summary>
public struct LeFn : IBinaryFn
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a <= b ? T.One : T.Zero;
    public static Vector256<T> Apply<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.LessThanOrEqual(a, b) & Vector256<T>.One;
    public static Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.LessThanOrEqual(a, b) & Vector512<T>.One;
}

/// <summary>1 where a &gt; b else 0.</summary>
public struct GtFn : IBinaryFn
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a > b ? T.One : T.Zero;
    public static Vector256<T> Apply<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.GreaterThan(a, b) & Vector256<T>.One;
    public static Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.GreaterThan(a, b) & Vector512<T>.One;
}

/// <summary>1 where a &gt;= b else 0.</summary>
public struct GeFn : IBinaryFn
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a >= b ? T.One : T.Zero;
    public static Vector256<T> Apply<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.GreaterThanOrEqual(a, b) & Vector256<T>.One;
    public static Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.GreaterThanOrEqual(a, b) & Vector512<T>.One;
}
