using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine.Audio.Fft;

/// <summary>
/// Arithmetic on one "lane vector" T: a float (one signal) or a SIMD vector holding the same element of
/// Width different signals (frames). The FFT and the feature pipeline are written once over this interface;
/// the JIT specialises them per struct, so the vector instantiations run one instruction per operation.
/// </summary>
internal interface ILaneOps<T> where T : unmanaged
{
    static abstract int Width { get; }
    static abstract T Add(T a, T b);
    static abstract T Sub(T a, T b);
    static abstract T Mul(T a, T b);
    /// <summary>a * b + c.</summary>
    static abstract T MulAdd(T a, T b, T c);
    static abstract T Splat(float s);
    /// <summary>Broadcast of a double constant (rounded to float for float lanes).</summary>
    static abstract T SplatD(double s);
    /// <summary>Broadcast of table entry i: the float table for float lanes, the double table for double lanes.</summary>
    static abstract T Tw(float[] f, double[] d, int i);
    /// <summary>Copies lane vectors out as floats, lane-minor (vector j lane i at j * Width + i).</summary>
    static abstract void ToFloats(ReadOnlySpan<T> src, Span<float> dst);
    static abstract T Max(T a, T b);
    static abstract T Log(T a);
    static abstract T Sqrt(T a);
    static abstract float Lane(T a, int i);
    static abstract T FromLanes(ReadOnlySpan<float> lanes);
    /// <summary>Lane i = p[offsets[i]].</summary>
    static abstract unsafe T Gather(float* p, int* offsets);
    /// <summary>dst[j] lane i = p[offsets[i] + j] for j &lt; dst.Length: a block of consecutive samples of every lane's frame.</summary>
    static abstract unsafe void GatherBlock(float* p, int* offsets, Span<T> dst);
}

/// <summary>One signal per lane vector: plain floats.</summary>
internal readonly struct ScalarLane : ILaneOps<float>
{
    public static int Width => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sub(float a, float b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Mul(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MulAdd(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Splat(float s) => s;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float SplatD(double s) => (float)s;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Tw(float[] f, double[] d, int i) => f[i];
    public static void ToFloats(ReadOnlySpan<float> src, Span<float> dst) => src.CopyTo(dst);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Max(float a, float b) => a > b ? a : (float.IsNaN(a) ? a : b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Log(float a) => MathF.Log(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sqrt(float a) => MathF.Sqrt(a);
    public static float Lane(float a, int i) => a;
    public static float FromLanes(ReadOnlySpan<float> lanes) => lanes[0];
    public static unsafe float Gather(float* p, int* offsets) => p[offsets[0]];
    public static unsafe void GatherBlock(float* p, int* offsets, Span<float> dst) => new ReadOnlySpan<float>(p + offsets[0], dst.Length).CopyTo(dst);
}

/// <summary>Eight signals per lane vector (AVX2).</summary>
internal readonly struct Lane256 : ILaneOps<Vector256<float>>
{
    public static int Width => 8;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sub(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Mul(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Splat(float s) => Vector256.Create(s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> SplatD(double s) => Vector256.Create((float)s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Tw(float[] f, double[] d, int i) => Vector256.Create(f[i]);
    public static void ToFloats(ReadOnlySpan<Vector256<float>> src, Span<float> dst) => MemoryMarshal.Cast<Vector256<float>, float>(src).CopyTo(dst);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Log(Vector256<float> a) => Vector256.Log(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sqrt(Vector256<float> a) => Vector256.Sqrt(a);
    public static float Lane(Vector256<float> a, int i) => a.GetElement(i);
    public static Vector256<float> FromLanes(ReadOnlySpan<float> lanes) => Vector256.Create(lanes);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<float> Gather(float* p, int* offsets)
    {
        if (Avx2.IsSupported)
        {
            return Avx2.GatherVector256(p, Avx.LoadVector256(offsets), 4);
        }
        return Vector256.Create(p[offsets[0]], p[offsets[1]], p[offsets[2]], p[offsets[3]],
            p[offsets[4]], p[offsets[5]], p[offsets[6]], p[offsets[7]]);
    }

    public static unsafe void GatherBlock(float* p, int* offsets, Span<Vector256<float>> dst)
    {
        int j = 0;
        if (Avx.IsSupported)
        {
            float* r0 = p + offsets[0], r1 = p + offsets[1], r2 = p + offsets[2], r3 = p + offsets[3];
            float* r4 = p + offsets[4], r5 = p + offsets[5], r6 = p + offsets[6], r7 = p + offsets[7];
            for (; j + 8 <= dst.Length; j += 8)
            {
                Transpose8(Avx.LoadVector256(r0 + j), Avx.LoadVector256(r1 + j), Avx.LoadVector256(r2 + j), Avx.LoadVector256(r3 + j),
                    Avx.LoadVector256(r4 + j), Avx.LoadVector256(r5 + j), Avx.LoadVector256(r6 + j), Avx.LoadVector256(r7 + j), dst.Slice(j, 8));
            }
        }
        for (; j < dst.Length; j++)
        {
            dst[j] = Gather(p + j, offsets);
        }
    }

    /// <summary>8x8 transpose: out[k] = (r0[k], ..., r7[k]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, Span<Vector256<float>> o)
    {
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        o[0] = Avx.Permute2x128(s0, s4, 0x20);
        o[1] = Avx.Permute2x128(s1, s5, 0x20);
        o[2] = Avx.Permute2x128(s2, s6, 0x20);
        o[3] = Avx.Permute2x128(s3, s7, 0x20);
        o[4] = Avx.Permute2x128(s0, s4, 0x31);
        o[5] = Avx.Permute2x128(s1, s5, 0x31);
        o[6] = Avx.Permute2x128(s2, s6, 0x31);
        o[7] = Avx.Permute2x128(s3, s7, 0x31);
    }
}

/// <summary>Sixteen signals per lane vector (AVX-512).</summary>
internal readonly struct Lane512 : ILaneOps<Vector512<float>>
{
    public static int Width => 16;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sub(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Mul(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MulAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Splat(float s) => Vector512.Create(s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> SplatD(double s) => Vector512.Create((float)s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Tw(float[] f, double[] d, int i) => Vector512.Create(f[i]);
    public static void ToFloats(ReadOnlySpan<Vector512<float>> src, Span<float> dst) => MemoryMarshal.Cast<Vector512<float>, float>(src).CopyTo(dst);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Log(Vector512<float> a) => Vector512.Log(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sqrt(Vector512<float> a) => Vector512.Sqrt(a);
    public static float Lane(Vector512<float> a, int i) => a.GetElement(i);
    public static Vector512<float> FromLanes(ReadOnlySpan<float> lanes) => Vector512.Create(lanes);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<float> Gather(float* p, int* offsets) =>
        Vector512.Create(Lane256.Gather(p, offsets), Lane256.Gather(p, offsets + 8));

    public static unsafe void GatherBlock(float* p, int* offsets, Span<Vector512<float>> dst)
    {
        Span<Vector256<float>> lo = stackalloc Vector256<float>[8];
        Span<Vector256<float>> hi = stackalloc Vector256<float>[8];
        int j = 0;
        for (; j + 8 <= dst.Length; j += 8)
        {
            Lane256.GatherBlock(p + j, offsets, lo);
            Lane256.GatherBlock(p + j, offsets + 8, hi);
            for (int k = 0; k < 8; k++)
            {
                dst[j + k] = Vector512.Create(lo[k], hi[k]);
            }
        }
        for (; j < dst.Length; j++)
        {
            dst[j] = Gather(p + j, offsets);
        }
    }
}

/// <summary>Four signals per lane vector in double precision (AVX2), for references that need float64 accuracy.</summary>
internal readonly struct Lane256D : ILaneOps<Vector256<double>>
{
    public static int Width => 4;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Add(Vector256<double> a, Vector256<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Sub(Vector256<double> a, Vector256<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Mul(Vector256<double> a, Vector256<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> MulAdd(Vector256<double> a, Vector256<double> b, Vector256<double> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Splat(float s) => Vector256.Create((double)s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> SplatD(double s) => Vector256.Create(s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Tw(float[] f, double[] d, int i) => Vector256.Create(d[i]);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Max(Vector256<double> a, Vector256<double> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Log(Vector256<double> a) => Vector256.Log(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Sqrt(Vector256<double> a) => Vector256.Sqrt(a);
    public static float Lane(Vector256<double> a, int i) => (float)a.GetElement(i);
    public static Vector256<double> FromLanes(ReadOnlySpan<float> lanes) => Vector256.Create(lanes[0], lanes[1], lanes[2], (double)lanes[3]);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<double> Gather(float* p, int* offsets) =>
        Vector256.Create(p[offsets[0]], p[offsets[1]], p[offsets[2]], (double)p[offsets[3]]);
    public static unsafe void GatherBlock(float* p, int* offsets, Span<Vector256<double>> dst)
    {
        for (int j = 0; j < dst.Length; j++)
        {
            dst[j] = Gather(p + j, offsets);
        }
    }
    public static void ToFloats(ReadOnlySpan<Vector256<double>> src, Span<float> dst)
    {
        var flat = MemoryMarshal.Cast<Vector256<double>, double>(src);
        for (int i = 0; i < flat.Length; i++)
        {
            dst[i] = (float)flat[i];
        }
    }
}
