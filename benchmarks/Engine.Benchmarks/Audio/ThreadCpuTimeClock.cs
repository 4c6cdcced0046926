using System.Runtime.InteropServices;
using Perfolizer.Horology;

namespace Engine.Benchmarks.Audio;

/// <summary>
/// Clock that reads this thread's CPU time (Linux clock_gettime(CLOCK_THREAD_CPUTIME_ID)), so a single-threaded
/// benchmark on a shared, loaded machine counts only the time its own thread ran.
/// </summary>
public sealed class ThreadCpuTimeClock : IClock
{
    /// <summary>The shared instance.</summary>
    public static readonly ThreadCpuTimeClock Instance = new();

    /// <inheritdoc/>
    public string Title => "ThreadCpuTime";

    /// <inheritdoc/>
    public bool IsAvailable => OperatingSystem.IsLinux();

    /// <inheritdoc/>
    public Frequency Frequency => Frequency.GHz;

    /// <inheritdoc/>
    public unsafe long GetTimestamp()
    {
        long* ts = stackalloc long[2];
        if (ClockGetTime(3, ts) != 0)
        {
            throw new InvalidOperationException("ThreadCpuTimeClock: clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed.");
        }
        return ts[0] * 1_000_000_000 + ts[1];
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern unsafe int ClockGetTime(int clockId, long* timespec);
}
