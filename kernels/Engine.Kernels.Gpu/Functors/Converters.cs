namespace Engine.Gpu.Functors;

#pragma warning disable CS1591 // The names say what they convert.

/// <summary>A dtype conversion as a GPU kernel calls it (Bool is a byte 0 or 1).</summary>
public interface IConvert<TIn, TOut> where TIn : unmanaged where TOut : unmanaged
{
    /// <summary>Converts one value the way the CPU backend does (through double, truncating to integers).</summary>
    static abstract TOut Convert(TIn x);
}

public struct F32ToF64 : IConvert<float, double> { public static double Convert(float x) => x; }
public struct F32ToI64 : IConvert<float, long> { public static long Convert(float x) => (long)(double)x; }
public struct F32ToBool : IConvert<float, byte> { public static byte Convert(float x) => x != 0f ? (byte)1 : (byte)0; }
public struct F64ToF32 : IConvert<double, float> { public static float Convert(double x) => (float)x; }
public struct F64ToI64 : IConvert<double, long> { public static long Convert(double x) => (long)x; }
public struct F64ToBool : IConvert<double, byte> { public static byte Convert(double x) => x != 0.0 ? (byte)1 : (byte)0; }
public struct I64ToF32 : IConvert<long, float> { public static float Convert(long x) => (float)(double)x; }
public struct I64ToF64 : IConvert<long, double> { public static double Convert(long x) => x; }
public struct I64ToBool : IConvert<long, byte> { public static byte Convert(long x) => x != 0 ? (byte)1 : (byte)0; }
public struct BoolToF32 : IConvert<byte, float> { public static float Convert(byte x) => x != 0 ? 1f : 0f; }
public struct BoolToF64 : IConvert<byte, double> { public static double Convert(byte x) => x != 0 ? 1.0 : 0.0; }
public struct BoolToI64 : IConvert<byte, long> { public static long Convert(byte x) => x != 0 ? 1L : 0L; }

/// <summary>Atomic addition as a GPU kernel calls it (ILGPU has no generic atomic add).</summary>
public interface IAtomicAdd<T> where T : unmanaged
{
    /// <summary>target += value, atomically.</summary>
    static abstract void Add(ref T target, T value);
}

public struct AtomicF32 : IAtomicAdd<float> { public static void Add(ref float target, float value) => ILGPU.Atomic.Add(ref target, value); }
public struct AtomicF64 : IAtomicAdd<double> { public static void Add(ref double target, double value) => ILGPU.Atomic.Add(ref target, value); }
public struct AtomicI64 : IAtomicAdd<long> { public static void Add(ref long target, long value) => ILGPU.Atomic.Add(ref target, value); }
