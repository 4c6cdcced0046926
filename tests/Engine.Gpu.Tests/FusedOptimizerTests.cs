using Engine.Gpu;

namespace Engine.Gpu.Tests;

/// <summary>The fused optimizer kernels against PyTorch's update formulas written out in double on the host.</summary>
[TestFixture("ilgpu-cpu")]
[TestFixture("cuda")]
public sealed class FusedOptimizerTests
{
    private readonly string _device;

    public FusedOptimizerTests(string device) => _device = device;

    private Device Dev => Devices.Parse(_device);

    [OneTimeSetUp]
    public void RequireDevice()
    {
        if (_device == "cuda" && Devices.CudaCount == 0)
        {
            Assert.Ignore("no CUDA device here: the CUDA optimizer tests run on a GPU machine (tools/gpu-check)");
        }
    }

    private static float[] Rand(int n, ulong seed) => Tensor.Uniform(new[] { n }, -1, 1, new Generator(seed)).ToArray<float>();

    [TestCase(0.0, 0.0, 0.0, false)]
    [TestCase(0.9, 0.0, 0.01, false)]
    [TestCase(0.9, 0.1, 0.0, false)]
    [TestCase(0.8, 0.0, 0.05, true)]
    public void SgdMatchesTorchFormula(double momentum, double dampening, double wd, bool nesterov)
    {
        const int n = 1000;
        const double lr = 0.05;
        var p = Rand(n, 1);
        var buf = new double[n];
        var pd = Tensor.FromArray(p, device: Dev);
        var bd = Tensor.Zeros(new[] { n }, device: Dev);
        var expected = p.Select(v => (double)v).ToArray();
        for (int step = 0; step < 3; step++)
        {
            var g = Rand(n, (ulong)(10 + step));
            FusedOptimizers.SgdStep(pd, Tensor.FromArray(g, device: Dev), bd, lr, momentum, dampening, wd, nesterov, firstStep: step == 0);
            for (int i = 0; i < n; i++)
            {
                double d = g[i] + wd * expected[i];
                if (momentum != 0)
                {
                    buf[i] = step == 0 ? d : momentum * buf[i] + (1 - dampening) * d;
                    d = nesterov ? d + momentum * buf[i] : buf[i];
                }
                expected[i] -= lr * d;
            }
        }
        var got = pd.ToArray<float>();
        for (int i = 0; i < n; i++)
        {
            Assert.That(got[i], Is.EqualTo(expected[i]).Within(1e-5 * Math.Max(1, Math.Abs(expected[i]))), $"element {i}");
        }
    }

    [TestCase(0.0, false)]
    [TestCase(0.01, false)]
    [TestCase(0.01, true)]
    public void AdamAndAdamWMatchTorchFormula(double wd, bool decoupled)
    {
        const int n = 1000;
        const double lr = 1e-2, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        var p = Rand(n, 2);
        var pd = Tensor.FromArray(p, device: Dev);
        var md = Tensor.Zeros(new[] { n }, device: Dev);
        var vd = Tensor.Zeros(new[] { n }, device: Dev);
        var w = p.Select(v => (double)v).ToArray();
        var m = new double[n];
        var v = new double[n];
        for (int t = 1; t <= 4; t++)
        {
            var g = Rand(n, (ulong)(20 + t));
            FusedOptimizers.AdamStep(pd, Tensor.FromArray(g, device: Dev), md, vd, t, lr, b1, b2, eps, wd, decoupled);
            for (int i = 0; i < n; i++)
            {
                double gi = g[i];
                if (decoupled)
                {
                    w[i] *= 1 - lr * wd;
                }
                else
                {
                    gi += wd * w[i];
                }
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                double denom = Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(b2, t)) + eps;
                w[i] -= lr / (1 - Math.Pow(b1, t)) * m[i] / denom;
            }
        }
        var got = pd.ToArray<float>();
        for (int i = 0; i < n; i++)
        {
            Assert.That(got[i], Is.EqualTo(w[i]).Within(1e-5 * Math.Max(1, Math.Abs(w[i]))), $"element {i}");
        }
    }

    [Test]
    public void BadArgumentsAreRejected()
    {
        var p = Tensor.Zeros(new[] { 4 }, device: Dev);
        Assert.Throws<ArgumentException>(() => FusedOptimizers.SgdStep(Tensor.Zeros(new[] { 4 }), Tensor.Zeros(new[] { 4 }), null, 0.1));
        var ex = Assert.Throws<ArgumentException>(() => FusedOptimizers.SgdStep(p, Tensor.Zeros(new[] { 4 }), null, 0.1));
        Assert.That(ex!.Message, Does.Contain(Dev.ToString()).And.Contain("cpu"));
        Assert.Throws<ArgumentException>(() => FusedOptimizers.SgdStep(p, Tensor.Zeros(new[] { 5 }, device: Dev), null, 0.1));
        Assert.Throws<ArgumentException>(() => FusedOptimizers.SgdStep(p, p, null, 0.1, momentum: 0.9));
        Assert.Throws<ArgumentOutOfRangeException>(() => FusedOptimizers.AdamStep(p, p, p, p, 0));
    }
}
