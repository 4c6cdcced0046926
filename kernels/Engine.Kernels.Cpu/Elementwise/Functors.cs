using System.Numerics;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// An elementwise function of one value, given once as a scalar and once per SIMD width.
/// The generic drivers in <see cref="Elementwise"/> run it over contiguous or strided memory;
/// a new elementwise op is one struct implementing this interface, not a new loop.
/// </summary>
public interface IUnaryFn
{
    /// <summary>The function on one value.</summary>
    static abstract T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The function on a 256-bit vector.</summary>
    static abstract Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The function on a 512-bit vector.</summary>
    static abstract Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>An elementwise function of two values (see <see cref="IUnaryFn"/>).</summary>
public interface IBinaryFn
{
    /// <summary>The function on one pair of values.</summary>
    static abstract T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The function on a pair of 256-bit vectors.</summary>
    static abstract Vector256<T> Apply<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The function on a pair of 512-bit vectors.</summary>
    static abstract Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T>;
}
