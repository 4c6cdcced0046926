using System.Reflection;

namespace Engine.Benchmarks.Conv;

/// <summary>Sets the thread count for both the conv kernels' pool and GEMM (if GEMM has its own knob).</summary>
internal static class ConvThreads
{
    public static void Set(int threads)
    {
        Kernels.Parallelism.MaxThreads = threads;
        // The tuned GEMM keeps its own MaxThreads; reflection keeps this file building before and after it lands.
        typeof(Kernels.Gemm).GetProperty("MaxThreads", BindingFlags.Public | BindingFlags.Static)?.SetValue(null, threads);
    }
}
