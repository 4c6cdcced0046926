using Engine.Kernels;

namespace Engine.Gpu.Functors;

/// <summary>An elementwise function of one value as a GPU kernel calls it (scalar only, no SIMD overloads).</summary>
public interface IGpuUnaryFn<T> where T : unmanaged
{
    /// <summary>The function on one value.</summary>
    static abstract T Apply(T x);
}

/// <summary>An elementwise function of two values as a GPU kernel calls it.</summary>
public interface IGpuBinaryFn<T> where T : unmanaged
{
    /// <summary>The function on one pair of values.</summary>
    static abstract T Apply(T a, T b);
}

/// <summary>
/// Runs a CPU functor's scalar member on the GPU. ILGPU compiles the generic-math body
/// (T.Exp, T.Max, ...) for float and double; functors whose scalar member ILGPU cannot compile
/// get a hand-written mirror instead (see <see cref="GpuFunctorMap"/>).
/// </summary>
public struct FromCpuUnary<TFn> : IGpuUnaryFn<float>, IGpuUnaryFn<double> where TFn : struct, IUnaryFn
{
    /// <summary>The CPU functor on a float.</summary>
    public static float Apply(float x) => TFn.Apply(x);

    /// <summary>The CPU functor on a double.</summary>
    public static double Apply(double x) => TFn.Apply(x);
}

/// <summary>Runs a CPU binary functor's scalar member on the GPU (see <see cref="FromCpuUnary{TFn}"/>).</summary>
public struct FromCpuBinary<TFn> : IGpuBinaryFn<float>, IGpuBinaryFn<double> where TFn : struct, IBinaryFn
{
    /// <summary>The CPU functor on a pair of floats.</summary>
    public static float Apply(float a, float b) => TFn.Apply(a, b);

    /// <summary>The CPU functor on a pair of doubles.</summary>
    public static double Apply(double a, double b) => TFn.Apply(a, b);
}

/// <summary>
/// Which GPU functor runs a CPU functor. Most CPU functors run as they are through
/// <see cref="FromCpuUnary{TFn}"/>; those whose generic scalar member uses T.CreateTruncating
/// (which ILGPU rejects: it tests System.Type inside) map to a mirror written for float and double,
/// and those CUDA would run with approximate float32 instructions run in double.
/// The PTX test compiles every functor in Engine.Kernels.Cpu through this map.
/// </summary>
public static class GpuFunctorMap
{
    private static readonly Dictionary<Type, Type> Mirrors = new()
    {
        [typeof(GeluFn)] = typeof(GeluGpuFn),
        [typeof(SoftplusFn)] = typeof(SoftplusGpuFn),
        [typeof(GeluBackwardFn)] = typeof(GeluBackwardGpuFn),
        [typeof(SoftplusBackwardFn)] = typeof(SoftplusBackwardGpuFn),
        [typeof(RsqrtBackwardFn)] = typeof(RsqrtBackwardGpuFn),
        [typeof(SinFn)] = typeof(ViaDoubleUnary<SinFn>),
        [typeof(CosFn)] = typeof(ViaDoubleUnary<CosFn>),
        [typeof(TanhFn)] = typeof(ViaDoubleUnary<TanhFn>),
        [typeof(LogFn)] = typeof(ViaDoubleUnary<LogFn>),
        [typeof(SinBackwardFn)] = typeof(ViaDoubleBinary<SinBackwardFn>),
        [typeof(CosBackwardFn)] = typeof(ViaDoubleBinary<CosBackwardFn>),
    };

    /// <summary>The GPU functor type for a CPU unary functor type.</summary>
    public static Type Unary(Type cpuFn) => Mirrors.TryGetValue(cpuFn, out var m) ? m : typeof(FromCpuUnary<>).MakeGenericType(cpuFn);

    /// <summary>The GPU functor type for a CPU binary functor type.</summary>
    public static Type Binary(Type cpuFn) => Mirrors.TryGetValue(cpuFn, out var m) ? m : typeof(FromCpuBinary<>).MakeGenericType(cpuFn);

    /// <summary>The CPU functors that have a hand-written GPU mirror.</summary>
    public static IReadOnlyCollection<Type> Mirrored => Mirrors.Keys;
}
