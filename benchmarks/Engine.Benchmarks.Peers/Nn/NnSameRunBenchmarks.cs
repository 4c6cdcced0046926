extern alias engine;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using TorchSharp;
using E = engine::Engine;
using ENn = engine::Engine.Nn;

namespace Engine.Benchmarks.Peers.Nn;

/// <summary>
/// Issue 6's LSTM and MultiheadAttention shapes, ours (Engine.Nn, the code of
/// benchmarks/Engine.Benchmarks/Nn/NnBenchmarks.cs) and libtorch's (the code of
/// <see cref="NnPeerBenchmarks"/>) in one process, so both see the same machine load:
/// LSTM input 40, hidden 128, 100 steps, batch 32, forward + backward of sum(output) to the input
/// and every weight; self-attention embed 128, 4 heads, length 64, batch 32, no weights returned,
/// forward + backward of sum(output). Wall-clock, 1 and 2 threads (see
/// <see cref="NnSameRunCpuTimeBenchmarks"/> for the 1-thread comparison in thread CPU time).
/// </summary>
[Config(typeof(NnSameRunConfig))]
public class NnSameRunBenchmarks
{
    private ENn.LSTM _lstm = null!;
    private E.Tensor _lstmX = null!;
    private ENn.MultiheadAttention _mha = null!;
    private E.Tensor _mhaX = null!;
    private TorchSharp.Modules.LSTM _tLstm = null!;
    private TorchSharp.Modules.MultiheadAttention _tMha = null!;
    private torch.Tensor _tLstmX = null!, _tMhaX = null!;

    /// <summary>Threads for both engines.</summary>
    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    /// <summary>The thread counts this class runs.</summary>
    public virtual IEnumerable<int> ThreadCounts => [1, 2];

    [GlobalSetup]
    public void Setup()
    {
        global::Engine.Kernels.Parallelism.MaxThreads = Threads;
        global::Engine.Kernels.Gemm.MaxThreads = Threads;
        torch.set_num_threads(Threads);
        var g = new E.Generator(1);
        _lstm = new ENn.LSTM(40, 128, generator: g);
        _lstmX = E.Tensor.Randn(new[] { 100, 32, 40 }, g).RequiresGrad_();
        _mha = new ENn.MultiheadAttention(128, 4, batchFirst: true, generator: g);
        _mhaX = E.Tensor.Randn(new[] { 32, 64, 128 }, g).RequiresGrad_();
        torch.manual_seed(1);
        _tLstm = torch.nn.LSTM(40, 128);
        _tLstmX = torch.randn(100, 32, 40).requires_grad_();
        _tMha = torch.nn.MultiheadAttention(128, 4);
        _tMhaX = torch.randn(64, 32, 128).requires_grad_();
    }

    /// <summary>Ours: LSTM forward, backward of sum(output).</summary>
    [Benchmark]
    public void OursLstm()
    {
        using var scope = E.TensorScope.Begin();
        _lstm.ZeroGrad();
        _lstmX.Grad = null;
        _lstm.Forward(_lstmX).Output.Sum().Backward();
    }

    /// <summary>libtorch: the same.</summary>
    [Benchmark]
    public void TorchLstm()
    {
        using var scope = torch.NewDisposeScope();
        _tLstm.zero_grad();
        _tLstmX.grad = null;
        var (y, _, _) = _tLstm.forward(_tLstmX);
        y.sum().backward();
    }

    /// <summary>Ours: self-attention forward (no weights), backward of sum(output).</summary>
    [Benchmark]
    public void OursMha()
    {
        using var scope = E.TensorScope.Begin();
        _mha.ZeroGrad();
        _mhaX.Grad = null;
        _mha.Forward(_mhaX, _mhaX, _mhaX, needWeights: false).Output.Sum().Backward();
    }

    /// <summary>libtorch: the same.</summary>
    [Benchmark]
    public void TorchMha()
    {
        using var scope = torch.NewDisposeScope();
        _tMha.zero_grad();
        _tMhaX.grad = null;
        var (y, _) = _tMha.forward(_tMhaX, _tMhaX, _tMhaX, null, false, null);
        y.sum().backward();
    }
}

/// <summary>The same comparison on one thread, timed by the measuring thread's CPU time (robust to other load).</summary>
[Config(typeof(NnSameRunCpuTimeConfig))]
public class NnSameRunCpuTimeBenchmarks : NnSameRunBenchmarks
{
    /// <inheritdoc />
    public override IEnumerable<int> ThreadCounts => [1];
}

/// <summary>In-process (libtorch loads only from this build's folder), 3 warm-ups, 15 iterations, memory diagnostics.</summary>
public class NnSameRunConfig : ManualConfig
{
    /// <summary>The wall-clock configuration.</summary>
    public NnSameRunConfig()
        : this(null, "NnSameRun")
    {
    }

    /// <summary>The configuration with another clock.</summary>
    protected NnSameRunConfig(Perfolizer.Horology.IClock? clock, string id)
    {
        var job = Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(15)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(200)).WithId(id);
        AddJob(clock is null ? job : job.WithClock(clock));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Min);
    }
}

/// <summary><see cref="NnSameRunConfig"/> timed by <see cref="ThreadCpuClock"/>.</summary>
public sealed class NnSameRunCpuTimeConfig : NnSameRunConfig
{
    /// <summary>The configuration.</summary>
    public NnSameRunCpuTimeConfig()
        : base(ThreadCpuClock.Instance, "NnSameRunCpuTime")
    {
    }
}
