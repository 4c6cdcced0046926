using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using Engine.Nn;
using Engine.Nn.Optim;

namespace Engine.Benchmarks.Nn;

/// <summary>
/// The model-layer shapes of issue 6, forward + backward through Engine.Nn modules, on 1 and 2
/// threads: LSTM (input 40, hidden 128, 100 steps, batch 32), MultiheadAttention (embed 128,
/// 4 heads, length 64, batch 32, self-attention) and a 3-block ResNet training step with Adam on a
/// batch of 64 1x28x28 images. Each iteration runs inside a TensorScope so memory returns to the
/// pool, as a training loop does; the allocation column is managed memory per step.
/// The libtorch twins are in benchmarks/Engine.Benchmarks.Peers/Nn/NnPeerBenchmarks.cs.
/// </summary>
[Config(typeof(NnConfig))]
public class NnBenchmarks
{
    private LSTM _lstm = null!;
    private Tensor _lstmX = null!;
    private MultiheadAttention _mha = null!;
    private Tensor _mhaX = null!;
    private ResNetEncoder _resnet = null!;
    private Linear _head = null!;
    private Adam _adam = null!;
    private Tensor _images = null!;
    private Tensor _labels = null!;

    /// <summary>Threads for the kernels.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Kernels.Parallelism.MaxThreads = Threads;
        typeof(Kernels.Gemm).GetProperty("MaxThreads", BindingFlags.Public | BindingFlags.Static)?.SetValue(null, Threads);
        var g = new Generator(1);
        _lstm = new LSTM(40, 128, generator: g);
        _lstmX = Tensor.Randn(new[] { 100, 32, 40 }, g).RequiresGrad_();
        _mha = new MultiheadAttention(128, 4, batchFirst: true, generator: g);
        _mhaX = Tensor.Randn(new[] { 32, 64, 128 }, g).RequiresGrad_();
        _resnet = new ResNetEncoder(1, 16, new[] { 1, 1, 1 }, g);
        _head = new Linear(_resnet.OutFeatures, 10, generator: g);
        _adam = new Adam(_resnet.Parameters().Concat(_head.Parameters()), lr: 1e-3);
        _images = Tensor.Randn(new[] { 64, 1, 28, 28 }, g);
        _labels = Tensor.RandInt(0, 10, new[] { 64 }, g);
    }

    /// <summary>LSTM forward, then backward of sum(output) to the input and all weights.</summary>
    [Benchmark]
    public void LstmForwardBackward()
    {
        using var scope = TensorScope.Begin();
        _lstm.ZeroGrad();
        _lstmX.Grad = null;
        _lstm.Forward(_lstmX).Output.Sum().Backward();
    }

    /// <summary>Self-attention forward (no weights returned), then backward of sum(output).</summary>
    [Benchmark]
    public void MhaForwardBackward()
    {
        using var scope = TensorScope.Begin();
        _mha.ZeroGrad();
        _mhaX.Grad = null;
        _mha.Forward(_mhaX, _mhaX, _mhaX, needWeights: false).Output.Sum().Backward();
    }

    /// <summary>One training step: forward, cross-entropy, backward, Adam update.</summary>
    [Benchmark]
    public void ResNetAdamStep()
    {
        using var scope = TensorScope.Begin();
        _adam.ZeroGrad();
        var loss = Functional.CrossEntropy(_head.Forward(_resnet.Forward(_images)), _labels);
        loss.Backward();
        _adam.Step();
    }
}

/// <summary>A short job with memory diagnostics (the machine has 2 cores and is shared).</summary>
public sealed class NnConfig : ManualConfig
{
    /// <summary>The configuration.</summary>
    public NnConfig()
    {
        AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(10).WithId("Nn"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Min);
    }
}
