using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Engine.Benchmarks.Audio;

/// <summary>In-process job timed by the measuring thread's CPU time (all compared code runs on that one thread).</summary>
public sealed class MfccCpuTimeConfig : ManualConfig
{
    /// <summary>The configuration.</summary>
    public MfccCpuTimeConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(5)
            .WithIterationCount(15)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
            .WithClock(ThreadCpuTimeClock.Instance)
            .WithId("CpuTime"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.Min);
    }
}

/// <summary>The MFCC comparison of <see cref="MfccBenchmarks"/>, timed by thread CPU time so machine load does not count.</summary>
[Config(typeof(MfccCpuTimeConfig))]
public class MfccCpuTimeBenchmarks : MfccBenchmarks
{
}
