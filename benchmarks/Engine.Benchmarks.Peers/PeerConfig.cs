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
public sealed class PeerConfig : ManualConfig
{
    /// <summary>The configuration.</summary>
    public PeerConfig()
    {
        AddJob(Job.ShortRun
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(3)
            .WithIterationCount(5)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
            .WithId("Short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new GflopsColumn());
        AddColumn(StatisticColumn.Median);
    }
}
