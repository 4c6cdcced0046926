using System.Numerics;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

#pragma warning disable CS1591

/// <summary>An associative reduction (sum, max, min) given per scalar and per SIMD width.</summary>
public interface IReduceOp
{
    /// <summary>The value that leaves any other unchanged.</summary>
    static abstract T Identity<T>() where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract T Combine<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract Vector256<T> Combine<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract Vector512<T> Combine<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T>;
    /// <summary>Reduces a contiguous span to one value.</summary>
    static abstract T ReduceSpan<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>Sum.</summary>
public struct SumOp : IReduceOp
{
    public static T Identity<T>() where T : unmanaged, IFloatingPointIeee754<T> => T.Zero;
    public static T Combine<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
    public static Vector256<T> Combine<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
    public static Vector512<T> Combine<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
    public static T ReduceSpan<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => x.IsEmpty ? T.Zero : System.Numerics.Tensors.TensorPrimitives.Sum(x);
}

/// <summary>Maximum (NaN propagates, as torch.amax).</summary>
public struct MaxOp : IReduceOp
{
    public static T Identity<T>() where T : unmanaged, IFloatingPointIeee754<T> => T.NegativeInfinity;
    public static T Combine<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Max(a, b);
    public static Vector256<T> Combine<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Max(a, b);
    public static Vector512<T> Combine<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.Max(a, b);
    public static T ReduceSpan<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => x.IsEmpty ? T.NegativeInfinity : System.Numerics.Tensors.TensorPrimitives.Max(x);
}

/// <summary>Minimum (NaN propagates, as torch.amin).</summary>
public struct MinOp : IReduceOp
{
    public static T Identity<T>() where T : unmanaged, IFloatingPointIeee754<T> => T.PositiveInfinity;
    public static T Combine<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Min(a, b);
    public static Vector256<T> Combine<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Min(a, b);
    public static Vector512<T> Combine<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.Min(a, b);
    public static T ReduceSpan<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => x.IsEmpty ? T.PositiveInfinity : System.Numerics.Tensors.TensorPrimitives.Min(x);
}
