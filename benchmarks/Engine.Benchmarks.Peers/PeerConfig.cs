using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Engine.Benchmarks.Peers;

/// <summary>
/// A short in-process job (3 warm-ups, 5 measured iterations of at least 250 ms each) with memory
/// diagnostics and a GFLOP/s column, so a full GEMM comparison finishes in about ten minutes.
/// </summary>
public class PeerConfig : ManualConfig
{
    /// <summary>The configuration (wall-clock time).</summary>
    public PeerConfig()
        : this(null, "Short")
    {
    }

    /// <summary>The configuration with another clock.</summary>
    protected PeerConfig(Perfolizer.Horology.IClock? clock, string id)
    {
        var job = Job.ShortRun
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(3)
            .WithIterationCount(5)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
            .WithId(id);
        AddJob(clock is null ? job : job.WithClock(clock));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new GflopsColumn());
        AddColumn(StatisticColumn.Median);
    }
}

/// <summary>
/// <see cref="PeerConfig"/> timed by the measuring thread's CPU time (<see cref="ThreadCpuClock"/>),
/// for single-threaded comparisons on a loaded machine.
/// </summary>
public sealed class CpuTimeConfig : PeerConfig
{
    /// <summary>The configuration.</summary>
    public CpuTimeConfig()
        : base(ThreadCpuClock.Instance, "ShortCpuTime")
    {
    }
}
