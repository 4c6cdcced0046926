using System.Diagnostics;

namespace Engine.Kernels;

/// <summary>A piece of parallel GEMM work: part <c>i</c> of <c>parts</c> runs on one thread.</summary>
internal abstract class GemmJob
{
    /// <summary>Runs part <paramref name="part"/>.</summary>
    public abstract void Execute(int part);
}

/// <summary>
/// A tiny fork-join pool for GEMM: one long-lived worker per extra core, woken by a flag (spinning
/// briefly after each job so back-to-back calls skip the kernel wake-up) and joined by a counter.
/// Unlike Parallel.For it allocates nothing per call. One caller at a time owns it; a caller that
/// finds it busy (another thread's GEMM, or a GEMM inside a GEMM job) runs on its own thread.
/// </summary>
internal static class GemmThreads
{
    private static readonly Worker[] Workers = CreateWorkers();
    private static int owned;
    private static int pending;
    private static Exception? failure;

    /// <summary>Threads the pool can run at once (the caller plus its workers).</summary>
    public static int Capacity => Workers.Length + 1;

    /// <summary>Takes the pool for the calling thread; false when someone else has it.</summary>
    public static bool TryAcquire() => Interlocked.CompareExchange(ref owned, 1, 0) == 0;

    /// <summary>Gives the pool back.</summary>
    public static void Release() => Volatile.Write(ref owned, 0);

    /// <summary>Runs parts 1..parts-1 on workers and part 0 here, then waits for all (pool must be held).</summary>
    public static void Run(GemmJob job, int parts)
    {
        parts = Math.Min(parts, Capacity);
        failure = null;
        Volatile.Write(ref pending, parts - 1);
        for (int i = 1; i < parts; i++)
        {
            Workers[i - 1].Start(job, i);
        }
        Exception? mine = null;
        try
        {
            job.Execute(0);
        }
        catch (Exception e)
        {
            mine = e;
        }
        var spin = new SpinWait();
        while (Volatile.Read(ref pending) != 0)
        {
            spin.SpinOnce(-1);
        }
        if (mine is not null)
        {
            throw mine;
        }
        if (failure is not null)
        {
            throw new AggregateException("Gemm: a worker thread failed", failure);
        }
    }

    private static Worker[] CreateWorkers()
    {
        var workers = new Worker[Math.Max(0, Environment.ProcessorCount - 1)];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = new Worker(i + 1);
        }
        return workers;
    }

    private sealed class Worker
    {
        // How long a worker spins for the next job before it blocks: 100 us (Stopwatch ticks).
        private static readonly long SpinTicks = Stopwatch.Frequency / 10000;

        private readonly ManualResetEventSlim wake = new(false);
        private GemmJob? job;
        private int part;
        private int sleeping;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Engine.Gemm worker {index}" };
            thread.Start();
        }

        public void Start(GemmJob newJob, int newPart)
        {
            part = newPart;
            Interlocked.Exchange(ref job, newJob);
            if (Volatile.Read(ref sleeping) != 0)
            {
                wake.Set();
            }
        }

        private void Loop()
        {
            while (true)
            {
                GemmJob? j;
                long spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
                while ((j = Volatile.Read(ref job)) is null)
                {
                    if (Stopwatch.GetTimestamp() < spinUntil)
                    {
                        Thread.SpinWait(8);
                        continue;
                    }
                    Interlocked.Exchange(ref sleeping, 1);
                    if (Volatile.Read(ref job) is null)
                    {
                        wake.Wait();
                    }
                    wake.Reset();
                    Interlocked.Exchange(ref sleeping, 0);
                }
                try
                {
                    j.Execute(part);
                }
                catch (Exception e)
                {
                    failure = e;
                }
                Volatile.Write(ref job, null);
                Interlocked.Decrement(ref pending);
            }
        }
    }
}
