using Engine.Kernels;

namespace Engine.Gpu.Functors;

// GPU mirrors of the CPU functors whose generic scalar member ILGPU cannot compile (they build
// constants with T.CreateTruncating). Each computes exactly what its CPU twin's scalar member does.

/// <summary>Exact GELU, 0.5 x (1 + erf(x / sqrt 2)), erf in double as on the CPU (mirror of <see cref="GeluFn"/>).</summary>
public struct GeluGpuFn : IGpuUnaryFn<float>, IGpuUnaryFn<double>
{
    /// <summary>On a float.</summary>
    public static float Apply(float x) => (float)Apply((double)x);

    /// <summary>On a double.</summary>
    public static double Apply(double x) => 0.5 * x * (1 + ScalarMath.Erf(x * 0.70710678118654752));
}

/// <summary>Softplus, log(1 + e^x), linear above 20 (mirror of <see cref="SoftplusFn"/>).</summary>
public struct SoftplusGpuFn : IGpuUnaryFn<float>, IGpuUnaryFn<double>
{
    /// <summary>On a float.</summary>
    public static float Apply(float x) => x > 20f ? x : MathF.Max(x, 0f) + float.LogP1(MathF.Exp(-MathF.Abs(x)));

    /// <summary>On a double.</summary>
    public static double Apply(double x) => x > 20.0 ? x : Math.Max(x, 0.0) + double.LogP1(Math.Exp(-Math.Abs(x)));
}

/// <summary>g (Phi(x) + x phi(x)) for exact GELU (mirror of <see cref="GeluBackwardFn"/>).</summary>
public struct GeluBackwardGpuFn : IGpuBinaryFn<float>, IGpuBinaryFn<double>
{
    /// <summary>On floats.</summary>
    public static float Apply(float x, float g) => g * (float)Deriv(x);

    /// <summary>On doubles.</summary>
    public static double Apply(double x, double g) => g * Deriv(x);

    private static double Deriv(double d)
    {
        double cdf = 0.5 * (1 + ScalarMath.Erf(d * 0.70710678118654752));
        double pdf = Math.Exp(-0.5 * d * d) * 0.39894228040143268;
        return cdf + d * pdf;
    }
}

/// <summary>g sigma(x), g above 20 (mirror of <see cref="SoftplusBackwardFn"/>).</summary>
public struct SoftplusBackwardGpuFn : IGpuBinaryFn<float>, IGpuBinaryFn<double>
{
    /// <summary>On floats.</summary>
    public static float Apply(float x, float g) => x > 20f ? g : g * SigmoidFn.Apply(x);

    /// <summary>On doubles.</summary>
    public static double Apply(double x, double g) => x > 20.0 ? g : g * SigmoidFn.Apply(x);
}

/// <summary>-g y^3 / 2 for rsqrt (mirror of <see cref="RsqrtBackwardFn"/>).</summary>
public struct RsqrtBackwardGpuFn : IGpuBinaryFn<float>, IGpuBinaryFn<double>
{
    /// <summary>On floats.</summary>
    public static float Apply(float y, float g) => -g * y * y * y / 2f;

    /// <summary>On doubles.</summary>
    public static double Apply(double y, double g) => -g * y * y * y / 2.0;
}

/// <summary>
/// Runs a CPU unary functor's float32 case in float64. CUDA compiles float32 sin, cos, tanh and log
/// to its fast approximate instructions (measured on an H200: up to 1e-5 relative off near zeros,
/// beyond the 1e-5 parity bound), so those functors evaluate in double and round once.
/// </summary>
public struct ViaDoubleUnary<TFn> : IGpuUnaryFn<float>, IGpuUnaryFn<double> where TFn : struct, IUnaryFn
{
    /// <summary>On a float, through double.</summary>
    public static float Apply(float x) => (float)TFn.Apply((double)x);

    /// <summary>On a double.</summary>
    public static double Apply(double x) => TFn.Apply(x);
}

/// <summary>The binary twin of <see cref="ViaDoubleUnary{TFn}"/> (for the backward functors of sin, cos and tanh).</summary>
public struct ViaDoubleBinary<TFn> : IGpuBinaryFn<float>, IGpuBinaryFn<double> where TFn : struct, IBinaryFn
{
    /// <summary>On a pair of floats, through double.</summary>
    public static float Apply(float a, float b) => (float)TFn.Apply((double)a, (double)b);

    /// <summary>On a pair of doubles.</summary>
    public static double Apply(double a, double b) => TFn.Apply(a, b);
}
