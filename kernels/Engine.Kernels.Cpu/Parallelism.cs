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
    /// The ranges run on the kernels' shared workers (those of GEMM, convolution and normalisation),
    /// not the .NET thread pool: a second set of spinning threads competed with them for the cores.
    /// When those workers are busy (a call from inside a part, or from another thread) the whole
    /// range runs on the calling thread.
    /// </summary>
    public static void ForRanges(long total, long grain, Action<long, long> body)
    {
        int tasks = (int)Math.Min(Math.Min(MaxThreads, GemmThreads.Capacity), Math.Max(1, total / Math.Max(1, grain)));
        if (tasks <= 1 || !GemmThreads.TryAcquire())
        {
            body(0, total);
            return;
        }
        var job = RangeJob.Instance;
        try
        {
            job.Body = body;
            job.Total = total;
            job.Chunk = (total + tasks - 1) / tasks;
            GemmThreads.Run(job, tasks);
        }
        finally
        {
            job.Body = null;
            GemmThreads.Release();
        }
    }

    private sealed class RangeJob : GemmJob
    {
        public static readonly RangeJob Instance = new();

        public Action<long, long>? Body;
        public long Total;
        public long Chunk;

        public override void Execute(int part)
        {
            long s = part * Chunk;
            long e = Math.Min(Total, s + Chunk);
            if (s < e)
            {
                Body!(s, e);
            }
        }
    }
}
