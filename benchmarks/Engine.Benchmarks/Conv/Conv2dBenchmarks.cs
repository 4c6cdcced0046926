using BenchmarkDotNet.Attributes;
using Engine.Kernels;

namespace Engine.Benchmarks.Conv;

/// <summary>
/// conv2d forward and forward + backward (input, weight, bias), batch 32, 3x3, pad 1, on the three
/// shapes of issue 3: on spans through the kernels (the allocation-free path) and through the
/// tensor API with autograd. Peer numbers (libtorch) are in Engine.Benchmarks.Peers.
/// Run: dotnet run -c Release --project benchmarks/Engine.Benchmarks -- --filter '*Conv2dBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class Conv2dBenchmarks
{
    private Conv2dParams _p;
    private float[] _x = null!, _w = null!, _b = null!, _y = null!, _gy = null!, _dx = null!, _dw = null!, _db = null!;
    private Tensor _tx = null!, _tw = null!, _tb = null!, _tgy = null!;

    /// <summary>in_channels-out_channels@size.</summary>
    [Params("3-64@32", "64-64@32", "128-128@16")]
    public string Shape { get; set; } = "";

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        ConvThreads.Set(Threads);
        var parts = Shape.Split('-', '@');
        int c = int.Parse(parts[0]), oc = int.Parse(parts[1]), hw = int.Parse(parts[2]);
        _p = new Conv2dParams(32, c, hw, hw, oc, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        var g = new Generator(11);
        _tx = Tensor.Randn(new[] { 32, c, hw, hw }, g).RequiresGrad_();
        _tw = (Tensor.Randn(new[] { oc, c, 3, 3 }, g) * 0.1).Detach().RequiresGrad_();
        _tb = Tensor.Randn(new[] { oc }, g).RequiresGrad_();
        _tgy = Tensor.Randn(new[] { 32, oc, hw, hw }, g);
        _x = _tx.ToFloatArray();
        _w = _tw.ToFloatArray();
        _b = _tb.ToFloatArray();
        _gy = _tgy.ToFloatArray();
        _y = new float[_p.OutputLength];
        _dx = new float[_p.InputLength];
        _dw = new float[_p.WeightLength];
        _db = new float[oc];
    }

    [Benchmark]
    public void KernelForward() => Kernels.Conv2d.Forward<float>(_x, _w, _b, _y, _p);

    [Benchmark]
    public void KernelForwardBackward()
    {
        Kernels.Conv2d.Forward<float>(_x, _w, _b, _y, _p);
        Kernels.Conv2d.BackwardInput<float>(_gy, _w, _dx, _p);
        Kernels.Conv2d.BackwardWeight<float>(_x, _gy, _dw, _p);
        Kernels.Conv2d.BackwardBias<float>(_gy, _db, _p);
    }

    [Benchmark]
    public void TensorForwardBackward()
    {
        using (TensorScope.Begin())
        {
            var y = Functional.Conv2d(_tx, _tw, _tb, 1, 1);
            y.Backward(_tgy);
        }
        _tx.Grad?.Dispose();
        _tw.Grad?.Dispose();
        _tb.Grad?.Dispose();
        _tx.Grad = _tw.Grad = _tb.Grad = null;
    }
}
