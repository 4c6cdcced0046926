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
/// briefly after each job so back-to-back calls skip the kernel wake-up). Parts are claimed from a
/// shared counter by the caller and by whichever workers are awake, so a worker the OS has not
/// scheduled yet (a busy machine) delays nothing: the caller takes its parts. The counter carries a
/// generation, so a worker that wakes late for an earlier call claims nothing of the next one.
/// Unlike Parallel.For it allocates nothing per call. One caller at a time owns it; a caller that
/// finds it busy (another thread's GEMM, or a GEMM inside a GEMM job) runs on its own thread.
/// </summary>
internal static class GemmThreads
{
    private static readonly Worker[] Workers = CreateWorkers();
    private static int owned;
    private static long claim;
    private static int generation;
    private static int completed;
    private static int partCount;
    private static GemmJob? current;
    private static Exception? failure;

    /// <summary>Threads the pool can run at once (the caller plus its workers).</summary>
    public static int Capacity => Workers.Length + 1;

    /// <summary>Takes the pool for the calling thread; false when someone else has it.</summary>
    public static bool TryAcquire() => Interlocked.CompareExchange(ref owned, 1, 0) == 0;

    /// <summary>Gives the pool back.</summary>
    public static void Release() => Volatile.Write(ref owned, 0);

    /// <summary>Runs parts 0..parts-1 on this thread and the workers, then waits for all (pool must be held).</summary>
    public static void Run(GemmJob job, int parts)
    {
        parts = Math.Min(parts, Capacity);
        failure = null;
        current = job;
        partCount = parts;
        Volatile.Write(ref completed, 0);
        int gen = unchecked(generation + 1);
        generation = gen;
        // Publishing the counter with the new generation opens the parts to claims.
        Interlocked.Exchange(ref claim, (long)gen << 32);
        for (int i = 1; i < parts; i++)
        {
            Workers[i - 1].Wake(gen);
        }
        Work(gen);
        var spin = new SpinWait();
        while (Volatile.Read(ref completed) != parts)
        {
            spin.SpinOnce(-1);
        }
        current = null;
        if (failure is Exception e)
        {
            throw new AggregateException("Gemm: a part of a parallel product failed", e);
        }
    }

    /// <summary>Claims and runs parts of generation <paramref name="gen"/> until none is left.</summary>
    private static void Work(int gen)
    {
        while (true)
        {
            long v = Volatile.Read(ref claim);
            int index = (int)v;
            if ((int)(v >> 32) != gen || index >= Volatile.Read(ref partCount))
            {
                return;
            }
            var job = current;
            if (Interlocked.CompareExchange(ref claim, v + 1, v) != v || job is null)
            {
                continue;
            }
            try
            {
                job.Execute(index);
            }
            catch (Exception e)
            {
                // Recorded, not thrown: the caller must still see every part completed.
                Interlocked.CompareExchange(ref failure, e, null);
            }
            finally
            {
                Interlocked.Increment(ref completed);
            }
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
        private int signal;
        private int seen;
        private int sleeping;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Engine.Gemm worker {index}" };
            thread.Start();
        }

        public void Wake(int gen)
        {
            // A full fence between publishing the signal and reading the sleeping flag (the worker
            // sets the flag, then re-reads the signal), so one of the two always sees the other.
            Interlocked.Exchange(ref signal, gen);
            if (Volatile.Read(ref sleeping) != 0)
            {
                wake.Set();
            }
        }

        private void Loop()
        {
            while (true)
            {
                int gen;
                long spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
                while ((gen = Volatile.Read(ref signal)) == seen)
                {
                    if (Stopwatch.GetTimestamp() < spinUntil)
                    {
                        Thread.SpinWait(8);
                        continue;
                    }
                    Interlocked.Exchange(ref sleeping, 1);
                    if (Volatile.Read(ref signal) == seen)
                    {
                        wake.Wait();
                    }
                    wake.Reset();
                    Interlocked.Exchange(ref sleeping, 0);
                }
                seen = gen;
                Work(gen);
            }
        }
    }
}
