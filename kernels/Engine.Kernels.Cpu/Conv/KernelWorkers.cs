using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Engine.Kernels;

/// <summary>A kernel's work split into parts; part <c>i</c> of <c>parts</c> runs on one thread.</summary>
internal interface IPartJob
{
    /// <summary>Runs one part.</summary>
    void RunPart(int part, int parts);
}

/// <summary>
/// A small fork-join pool for the convolution, pooling and normalisation kernels: one long-lived
/// worker per extra core. Jobs are structs handed over through a per-type static box, so a call
/// allocates nothing (Parallel.For allocates on every call). One caller owns the pool at a time; a
/// caller that finds it busy runs the whole job on its own thread. Idle workers yield while they
/// spin, so they give the core back at once to GEMM's own threads between phases.
/// </summary>
internal static class KernelWorkers
{
    private static readonly Worker[] Workers = CreateWorkers();
    private static int _owned;
    private static int _pending;
    private static Exception? _failure;

    /// <summary>Threads a job may use now: <see cref="Parallelism.MaxThreads"/> capped by the cores.</summary>
    public static int Threads => Math.Min(Parallelism.MaxThreads, Workers.Length + 1);

    /// <summary>
    /// Runs <paramref name="job"/> in up to <paramref name="maxParts"/> parts (at most one per thread);
    /// pass maxParts = 1 for work too small to pay for a fork.
    /// </summary>
    public static void Run<TJob>(ref TJob job, int maxParts) where TJob : struct, IPartJob
    {
        int parts = Math.Min(maxParts, Threads);
        if (parts <= 1 || Interlocked.CompareExchange(ref _owned, 1, 0) != 0)
        {
            job.RunPart(0, 1);
            return;
        }
        try
        {
            var box = Box<TJob>.Instance;
            box.Job = job;
            _failure = null;
            Volatile.Write(ref _pending, parts - 1);
            for (int i = 1; i < parts; i++)
            {
                Workers[i - 1].Start(box, i, parts);
            }
            Exception? mine = null;
            try
            {
                box.Job.RunPart(0, parts);
            }
            catch (Exception e)
            {
                mine = e;
            }
            var spin = new SpinWait();
            while (Volatile.Read(ref _pending) != 0)
            {
                spin.SpinOnce(-1);
            }
            box.Job = default;
            if (mine is not null)
            {
                ExceptionDispatchInfo.Throw(mine);
            }
            if (_failure is not null)
            {
                throw new AggregateException("kernel worker thread failed", _failure);
            }
        }
        finally
        {
            Volatile.Write(ref _owned, 0);
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

    private static Worker[] CreateWorkers()
    {
        var w = new Worker[Math.Max(0, Environment.ProcessorCount - 1)];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = new Worker(i + 1);
        }
        return w;
    }

    private abstract class Runner
    {
        public abstract void Run(int part, int parts);
    }

    private sealed class Box<TJob> : Runner where TJob : struct, IPartJob
    {
        public static readonly Box<TJob> Instance = new();

        public TJob Job;

        public override void Run(int part, int parts) => Job.RunPart(part, parts);
    }

    private sealed class Worker
    {
        private static readonly long SpinTicks = Stopwatch.Frequency / 20000;

        private readonly ManualResetEventSlim _wake = new(false);
        private Runner? _job;
        private int _part;
        private int _parts;
        private int _sleeping;

        public Worker(int index)
        {
            new Thread(Loop) { IsBackground = true, Name = $"Engine.Kernels worker {index}" }.Start();
        }

        public void Start(Runner job, int part, int parts)
        {
            _part = part;
            _parts = parts;
            Interlocked.Exchange(ref _job, job);
            if (Volatile.Read(ref _sleeping) != 0)
            {
                _wake.Set();
            }
        }

        private void Loop()
        {
            while (true)
            {
                Runner? j;
                long until = Stopwatch.GetTimestamp() + SpinTicks;
                while ((j = Volatile.Read(ref _job)) is null)
                {
                    if (Stopwatch.GetTimestamp() < until)
                    {
                        // Yield rather than burn: GEMM's threads may need this core right now.
                        Thread.Yield();
                        continue;
                    }
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (Volatile.Read(ref _job) is null)
                    {
                        _wake.Wait();
                    }
                    _wake.Reset();
                    Interlocked.Exchange(ref _sleeping, 0);
                }
                try
                {
                    j.Run(_part, _parts);
                }
                catch (Exception e)
                {
                    _failure = e;
                }
                Volatile.Write(ref _job, null);
                Interlocked.Decrement(ref _pending);
            }
        }
    }
}
