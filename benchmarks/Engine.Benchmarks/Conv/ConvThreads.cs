namespace Engine.Benchmarks.Conv;

/// <summary>Sets the thread count for the conv kernels' pool and for GEMM.</summary>
internal static class ConvThreads
{
    public static void Set(int threads)
    {
        Kernels.Parallelism.MaxThreads = threads;
        Kernels.Gemm.MaxThreads = threads;
    }
}
