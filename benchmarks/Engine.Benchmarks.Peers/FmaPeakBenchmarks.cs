using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace Engine.Benchmarks.Peers;

/// <summary>
/// The machine's single-thread FP32 FMA peak: 12 independent Vector512 FMA chains (enough to cover
/// the FMA latency on any current core), no memory traffic. GEMM's GFLOP/s divided by this is its
/// fraction of the physical limit.
/// </summary>
[Config(typeof(CpuTimeConfig))]
public class FmaPeakBenchmarks
{
    /// <summary>Loop trips of one invocation.</summary>
    public const long Iterations = 4_000_000;

    /// <summary>Floating-point operations of one invocation (for the GFLOP/s column).</summary>
    public static double Flops(string method, string shape) => Iterations * 12.0 * 2 * Vector512<float>.Count;

    /// <summary>12 chains x 16 lanes x 2 flops per iteration.</summary>
    [Benchmark]
    public float FmaPeak() => Run(Iterations);

    /// <summary>Runs the chains for <paramref name="iterations"/> trips.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static float Run(long iterations)
    {
        Vector512<float> a = Vector512.Create(0.999999f), b = Vector512.Create(1e-7f);
        Vector512<float> c0 = Vector512.Create(0f), c1 = Vector512.Create(1f), c2 = Vector512.Create(2f), c3 = Vector512.Create(3f);
        Vector512<float> c4 = Vector512.Create(4f), c5 = Vector512.Create(5f), c6 = Vector512.Create(6f), c7 = Vector512.Create(7f);
        Vector512<float> c8 = Vector512.Create(8f), c9 = Vector512.Create(9f), c10 = Vector512.Create(10f), c11 = Vector512.Create(11f);
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, a, b);
            c1 = Vector512.FusedMultiplyAdd(c1, a, b);
            c2 = Vector512.FusedMultiplyAdd(c2, a, b);
            c3 = Vector512.FusedMultiplyAdd(c3, a, b);
            c4 = Vector512.FusedMultiplyAdd(c4, a, b);
            c5 = Vector512.FusedMultiplyAdd(c5, a, b);
            c6 = Vector512.FusedMultiplyAdd(c6, a, b);
            c7 = Vector512.FusedMultiplyAdd(c7, a, b);
            c8 = Vector512.FusedMultiplyAdd(c8, a, b);
            c9 = Vector512.FusedMultiplyAdd(c9, a, b);
            c10 = Vector512.FusedMultiplyAdd(c10, a, b);
            c11 = Vector512.FusedMultiplyAdd(c11, a, b);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
