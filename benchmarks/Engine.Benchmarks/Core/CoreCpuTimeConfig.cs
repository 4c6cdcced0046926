using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Engine.Benchmarks.Audio;

namespace Engine.Benchmarks.Core;

/// <summary>
/// In-process, single-threaded job timed by the measuring thread's CPU time: on a shared machine
/// the slices other processes take do not count. Kernels are limited to one thread while it runs.
/// </summary>
public sealed class CoreCpuTimeConfig : ManualConfig
{
    /// <summary>The configuration.</summary>
    public CoreCpuTimeConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(3)
            .WithIterationCount(9)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(200))
            .WithClock(ThreadCpuTimeClock.Instance)
            .WithId("CpuTime"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median);
    }
}
