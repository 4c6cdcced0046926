namespace Engine.Kernels;

/// <summary>A kernel's work split into parts; part <c>i</c> of <c>parts</c> runs on one thread.</summary>
internal interface IPartJob
{
    /// <summary>Runs one part.</summary>
    void RunPart(int part, int parts);
}

/// <summary>
/// Fork-join for the convolution, pooling and normalisation kernels. The parts run on GEMM's own
/// long-lived workers (<see cref="GemmThreads"/>), so a process has one extra thread per extra
/// core, not two: with a separate pool, on two cores, GEMM's worker spinning for its next job
/// and this pool's worker took turns on the second core while the caller waited, and a 2-thread
/// ResNet step was slower than a 1-thread one. Parts are claimed, not assigned, so a worker the
/// OS has not scheduled yet delays nothing: the caller takes its parts. Jobs are structs handed
/// over through a per-type static adapter, so a call allocates nothing. A caller that finds the
/// pool busy (another thread's kernel, or a kernel inside a part) runs the whole job itself.
/// </summary>
internal static class KernelWorkers
{
    /// <summary>Threads a job may use now: <see cref="Parallelism.MaxThreads"/> capped by the cores.</summary>
    public static int Threads => Math.Min(Parallelism.MaxThreads, GemmThreads.Capacity);

    /// <summary>
    /// Runs <paramref name="job"/> in up to <paramref name="maxParts"/> parts (at most one per thread);
    /// pass maxParts = 1 for work too small to pay for a fork.
    /// </summary>
    public static void Run<TJob>(ref TJob job, int maxParts) where TJob : struct, IPartJob
    {
        int parts = Math.Min(maxParts, Threads);
        if (parts <= 1 || !GemmThreads.TryAcquire())
        {
            job.RunPart(0, 1);
            return;
        }
        var adapter = Adapter<TJob>.Instance;
        try
        {
            adapter.Job = job;
            adapter.Parts = parts;
            GemmThreads.Run(adapter, parts);
        }
        finally
        {
            adapter.Job = default;
            GemmThreads.Release();
        }
    }

    /// <summary>Splits [0, total) evenly: the range of part <paramref name="part"/> of <paramref name="parts"/>.</summary>
    public static (int Start, int End) Range(int total, int part, int parts)
    {
        long s = (long)total * part / parts;
        long e = (long)total * (part + 1) / parts;
        return ((int)s, (int)e);
    }

    /// <summary>How many parts work of <paramref name="cost"/> units deserves at <paramref name="grain"/> units per part.</summary>
    public static int PartsFor(long cost, long grain) => (int)Math.Clamp(cost / Math.Max(1, grain), 1, 64);

    private sealed class Adapter<TJob> : GemmJob where TJob : struct, IPartJob
    {
        public static readonly Adapter<TJob> Instance = new();

        public TJob Job;
        public int Parts;

        public override void Execute(int part) => Job.RunPart(part, Parts);
    }
}
