namespace Engine.Kernels;

/// <summary>How kernels split work across cores.</summary>
public static class Parallelism
{
    private static int _maxThreads = Environment.ProcessorCount;

    /// <summary>Below this many elements an elementwise op runs on the calling thread.</summary>
    public const int MinElementsPerTask = 1 << 15;

    /// <summary>The most threads a kernel uses (default: every core). Set to 1 for single-threaded runs.</summary>
    public static int MaxThreads
    {
        get => _maxThreads;
        set => _maxThreads = value < 1 ? throw new ArgumentOutOfRangeException(nameof(value), value, "MaxThreads must be at least 1") : value;
    }

    /// <summary>
    /// Runs <paramref name="body"/>(start, end) over [0, total) in contiguous ranges, one per task,
    /// using at most <see cref="MaxThreads"/> tasks and at least <paramref name="grain"/> items per task.
    /// </summary>
    public static void ForRanges(long total, long grain, Action<long, long> body)
    {
        int tasks = (int)Math.Min(MaxThreads, Math.Max(1, total / Math.Max(1, grain)));
        if (tasks <= 1)
        {
            body(0, total);
            return;
        }
        long chunk = (total + tasks - 1) / tasks;
        Parallel.For(0, tasks, new ParallelOptions { MaxDegreeOfParallelism = tasks }, t =>
        {
            long s = t * chunk;
            long e = Math.Min(total, s + chunk);
            if (s < e)
            {
                body(s, e);
            }
        });
    }
}
