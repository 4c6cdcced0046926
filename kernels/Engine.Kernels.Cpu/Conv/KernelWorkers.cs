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
    /// pass maxParts = 1 for work too small to pay for a fork. With <paramref name="fine"/>, the job
    /// is cut into up to <see cref="FineSplit"/> parts per thread, which the threads claim one by one:
    /// a worker that starts late (on a busy machine) then takes fewer parts instead of the caller
    /// waiting for its half. Only for jobs whose parts keep no per-part state (such as accumulators).
    /// </summary>
    public static void Run<TJob>(ref TJob job, int maxParts, bool fine = false) where TJob : struct, IPartJob
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
            adapter.SubParts = fine ? Math.Min(maxParts, parts * FineSplit) : parts;
            adapter.Next = 0;
            GemmThreads.Run(adapter, parts);
        }
        finally
        {
            adapter.Job = default;
            GemmThreads.Release();
        }
    }

    /// <summary>Parts per thread of a job run with fine = true.</summary>
    internal static int FineSplit = 4;

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
        public int SubParts;
        public int Next;

        public override void Execute(int part)
        {
            if (SubParts == Parts)
            {
                Job.RunPart(part, Parts);
                return;
            }
            int i;
            while ((i = Interlocked.Increment(ref Next) - 1) < SubParts)
            {
                Job.RunPart(i, SubParts);
            }
        }
    }
}
