using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using TorchSharp;
using static TorchSharp.torch;

namespace Engine.Benchmarks.Peers.Nn;

/// <summary>
/// libtorch's side of the issue-6 model-layer shapes (our side: benchmarks/Engine.Benchmarks/Nn/
/// NnBenchmarks.cs, same shapes, same loss): LSTM input 40, hidden 128, 100 steps, batch 32;
/// MultiheadAttention embed 128, 4 heads, length 64, batch 32; a 3-block ResNet (16/32/64
/// channels, BasicBlocks, global pooling, linear head) training step with Adam on 64 1x28x28
/// images. Forward + backward each, 1 and 2 threads. This file uses only TorchSharp, so the peer
/// project builds without a reference to Engine.Nn.
/// </summary>
[Config(typeof(NnPeerConfig))]
public class NnPeerBenchmarks
{
    private nn.Module<Tensor, Tensor> _resnet = null!;
    private optim.Optimizer _adam = null!;
    private TorchSharp.Modules.LSTM _lstm = null!;
    private TorchSharp.Modules.MultiheadAttention _mha = null!;
    private Tensor _lstmX = null!, _mhaX = null!, _images = null!, _labels = null!;

    /// <summary>Threads for libtorch.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Threads);
        torch.manual_seed(1);
        _lstm = nn.LSTM(40, 128);
        _lstmX = torch.randn(100, 32, 40).requires_grad_();
        _mha = nn.MultiheadAttention(128, 4);
        _mhaX = torch.randn(64, 32, 128).requires_grad_();
        _resnet = TorchResNet.Create();
        _adam = optim.Adam(_resnet.parameters(), lr: 1e-3);
        _images = torch.randn(64, 1, 28, 28);
        _labels = torch.randint(0, 10, new long[] { 64 });
    }

    /// <summary>LSTM forward, then backward of sum(output).</summary>
    [Benchmark]
    public void TorchLstmForwardBackward()
    {
        using var scope = torch.NewDisposeScope();
        _lstm.zero_grad();
        _lstmX.grad = null;
        var (y, _, _) = _lstm.forward(_lstmX);
        y.sum().backward();
    }

    /// <summary>Self-attention forward (no weights), then backward of sum(output).</summary>
    [Benchmark]
    public void TorchMhaForwardBackward()
    {
        using var scope = torch.NewDisposeScope();
        _mha.zero_grad();
        _mhaX.grad = null;
        var (y, _) = _mha.forward(_mhaX, _mhaX, _mhaX, null, false, null);
        y.sum().backward();
    }

    /// <summary>One training step: forward, cross-entropy, backward, Adam update.</summary>
    [Benchmark]
    public void TorchResNetAdamStep()
    {
        using var scope = torch.NewDisposeScope();
        _adam.zero_grad();
        var loss = nn.functional.cross_entropy(_resnet.forward(_images), _labels);
        loss.backward();
        _adam.step();
    }
}

/// <summary>The ResNet twin of Engine.Nn.ResNetEncoder(1, 16, [1, 1, 1]) plus a 64-to-10 linear head.</summary>
internal static class TorchResNet
{
    private sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> _conv1, _bn1, _conv2, _bn2;
        private readonly nn.Module<Tensor, Tensor>? _down;

        public Block(int inPlanes, int planes, int stride) : base("Block")
        {
            _conv1 = nn.Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
            _bn1 = nn.BatchNorm2d(planes);
            _conv2 = nn.Conv2d(planes, planes, 3, padding: 1, bias: false);
            _bn2 = nn.BatchNorm2d(planes);
            if (stride != 1 || inPlanes != planes)
            {
                _down = nn.Sequential(nn.Conv2d(inPlanes, planes, 1, stride: stride, bias: false), nn.BatchNorm2d(planes));
            }
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var y = nn.functional.relu(_bn1.forward(_conv1.forward(x)));
            y = _bn2.forward(_conv2.forward(y));
            return nn.functional.relu(y + (_down is null ? x : _down.forward(x)));
        }
    }

    public static nn.Module<Tensor, Tensor> Create() => nn.Sequential(
        nn.Conv2d(1, 16, 3, padding: 1, bias: false), nn.BatchNorm2d(16), nn.ReLU(),
        new Block(16, 16, 1), new Block(16, 32, 2), new Block(32, 64, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10));
}

/// <summary>In-process (the libtorch glue loads only from this build's folder), short, with memory diagnostics.</summary>
public sealed class NnPeerConfig : ManualConfig
{
    /// <summary>The configuration.</summary>
    public NnPeerConfig()
    {
        AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(10).WithId("NnPeer"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Min);
    }
}
