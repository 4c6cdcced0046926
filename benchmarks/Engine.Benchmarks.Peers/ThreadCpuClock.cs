using System.Runtime.InteropServices;
using Perfolizer.Horology;

namespace Engine.Benchmarks.Peers;

/// <summary>
/// A BenchmarkDotNet clock that reads the calling thread's CPU time (Linux CLOCK_THREAD_CPUTIME_ID).
/// On a shared machine wall time also counts the slices other processes take; CPU time counts only
/// this thread's, so single-threaded comparisons stay meaningful under load. Valid only where all
/// the work runs on the measuring thread: ours with Gemm.MaxThreads = 1, libtorch with 1 thread.
/// </summary>
public sealed class ThreadCpuClock : IClock
{
    private const int ClockThreadCpuTime = 3;

    /// <summary>The clock.</summary>
    public static readonly ThreadCpuClock Instance = new();

    public string Title => "ThreadCpuTime";

    public bool IsAvailable => OperatingSystem.IsLinux();

    public Frequency Frequency => Frequency.GHz;

    public unsafe long GetTimestamp()
    {
        TimeSpec ts;
        if (clock_gettime(ClockThreadCpuTime, &ts) != 0)
        {
            throw new InvalidOperationException("ThreadCpuClock: clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        }
        return ts.Seconds * 1_000_000_000 + ts.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern unsafe int clock_gettime(int clock, TimeSpec* ts);
}
