using BenchmarkDotNet.Attributes;
using Engine.Kernels;

namespace Engine.Benchmarks.Peers.Conv;

/// <summary>
/// Our conv2d passes one by one (batch 32, 3x3, stride 1, pad 1, float32, 1 thread, thread CPU
/// time), to see where forward + backward spends its time: forward (bias folded in), backward
/// input, backward weight and backward bias, each under the default algorithm choice and with
/// im2col + GEMM forced. Shapes as in <see cref="Conv2dPeerBase"/>.
/// </summary>
[Config(typeof(CpuTimeConfig))]
public class Conv2dPassCpuTimeBenchmarks
{
    private Conv2dParams _p;
    private float[] _x = [], _w = [], _b = [], _y = [], _gy = [], _dx = [], _dw = [], _db = [];

    /// <summary>Input channels, output channels and spatial size.</summary>
    [Params("3-64@32", "64-64@32", "128-128@16")]
    public string Shape { get; set; } = "";

    /// <summary>Algorithm: the default choice (Auto) or im2col + GEMM everywhere.</summary>
    [Params(ConvAlgorithm.Auto, ConvAlgorithm.Im2ColGemm)]
    public ConvAlgorithm Algorithm { get; set; }

    /// <summary>Floating-point operations of one invocation (for the GFLOP/s column); the bias pass counts none.</summary>
    public static double Flops(string method, string shape)
    {
        var p = shape.Split('-', '@').Select(int.Parse).ToArray();
        return method.EndsWith("Bias", StringComparison.Ordinal) ? 0 : 2.0 * 32 * p[1] * p[2] * p[2] * p[0] * 9;
    }

    [GlobalSetup]
    public void Setup()
    {
        var s = Shape.Split('-', '@').Select(int.Parse).ToArray();
        Parallelism.MaxThreads = 1;
        Kernels.Gemm.MaxThreads = 1;
        Kernels.Conv2d.Algorithm = Algorithm;
        _p = new Conv2dParams(32, s[0], s[2], s[2], s[1], 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        var rng = new Random(5);
        float[] Fill(long n)
        {
            var a = new float[n];
            for (long i = 0; i < n; i++)
            {
                a[i] = (float)(rng.NextDouble() * 2 - 1);
            }
            return a;
        }
        _x = Fill(_p.InputLength);
        _w = Fill(_p.WeightLength);
        _b = Fill(s[1]);
        _gy = Fill(_p.OutputLength);
        _y = new float[_p.OutputLength];
        _dx = new float[_p.InputLength];
        _dw = new float[_p.WeightLength];
        _db = new float[s[1]];
    }

    [GlobalCleanup]
    public void Cleanup() => Kernels.Conv2d.Algorithm = ConvAlgorithm.Auto;

    /// <summary>y = conv(x, w) + b.</summary>
    [Benchmark]
    public void Forward() => Kernels.Conv2d.Forward<float>(_x, _w, _b, _y, _p);

    /// <summary>dx from dy.</summary>
    [Benchmark]
    public void BackwardInput() => Kernels.Conv2d.BackwardInput<float>(_gy, _w, _dx, _p);

    /// <summary>dw from x and dy.</summary>
    [Benchmark]
    public void BackwardWeight() => Kernels.Conv2d.BackwardWeight<float>(_x, _gy, _dw, _p);

    /// <summary>db from dy.</summary>
    [Benchmark]
    public void BackwardBias() => Kernels.Conv2d.BackwardBias<float>(_gy, _db, _p);
}
