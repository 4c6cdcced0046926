using Engine.Kernels;

namespace Engine.Tests.Conv;

/// <summary>Kernel-level properties: thread-count independence, no steady-state allocation, edge sizes.</summary>
public class ConvKernelTests
{
    private static float[] Rand(long n, int seed)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (long i = 0; i < n; i++)
        {
            a[i] = (float)(r.NextDouble() * 2 - 1);
        }
        return a;
    }

    private static readonly Conv2dParams[] Shapes =
    {
        new(5, 6, 9, 11, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
        new(4, 6, 9, 11, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 6),
        new(3, 4, 7, 7, 6, 3, 2, 1, 2, 0, 1, 2, 0, 2, 1, 2),
    };

    private static (float[] Y, float[] Dx, float[] Dw, float[] Db) RunAll(in Conv2dParams p)
    {
        var x = Rand(p.InputLength, 1);
        var w = Rand(p.WeightLength, 2);
        var b = Rand(p.OutChannels, 3);
        var gy = Rand(p.OutputLength, 4);
        var y = new float[p.OutputLength];
        var dx = new float[p.InputLength];
        var dw = new float[p.WeightLength];
        var db = new float[p.OutChannels];
        Kernels.Conv2d.Forward<float>(x, w, b, y, p);
        Kernels.Conv2d.BackwardInput<float>(gy, w, dx, p);
        Kernels.Conv2d.BackwardWeight<float>(x, gy, dw, p);
        Kernels.Conv2d.BackwardBias<float>(gy, db, p);
        return (y, dx, dw, db);
    }

    [Test]
    public void ResultsDoNotDependOnThreadCount()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            foreach (var p in Shapes)
            {
                Parallelism.MaxThreads = 1;
                var one = RunAll(p);
                Parallelism.MaxThreads = 2;
                var two = RunAll(p);
                Assert.That(two.Y, Is.EqualTo(one.Y).Within(1e-5f));
                Assert.That(two.Dx, Is.EqualTo(one.Dx).Within(1e-5f));
                Assert.That(two.Dw, Is.EqualTo(one.Dw).Within(1e-5f));
                Assert.That(two.Db, Is.EqualTo(one.Db).Within(1e-5f));
            }
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    [TestCase(1, 1, 1, 1)]
    [TestCase(1, 2, 1, 2)]
    [TestCase(2, 1, 2, 1)]
    [TestCase(1, 1, 3, 1)]
    [TestCase(1, 1, 0, 2)]
    public void DirectDepthwiseMatchesIm2ColGemm(int stride, int dilation, int padding, int multiplier)
    {
        // Wide rows so the SIMD paths and their scalar tails both run; padding 3 > kernel extent - 1
        // takes the scatter fallback of the input gradient.
        var p = new Conv2dParams(3, 5, 13, 37, 5 * multiplier, 3, 3, stride, stride, padding, padding, padding, padding, dilation, dilation, 5);
        var saved = Kernels.Conv2d.Algorithm;
        try
        {
            Kernels.Conv2d.Algorithm = ConvAlgorithm.Direct;
            var direct = RunAll(p);
            Kernels.Conv2d.Algorithm = ConvAlgorithm.Im2ColGemm;
            var gemm = RunAll(p);
            Assert.That(direct.Y, Is.EqualTo(gemm.Y).Within(1e-4f));
            Assert.That(direct.Dx, Is.EqualTo(gemm.Dx).Within(1e-4f));
            Assert.That(direct.Dw, Is.EqualTo(gemm.Dw).Within(1e-3f));
            Assert.That(direct.Db, Is.EqualTo(gemm.Db).Within(1e-4f));
        }
        finally
        {
            Kernels.Conv2d.Algorithm = saved;
        }
    }

    // Implicit GEMM against im2col + GEMM: outputs that are not a whole number of panels, rows
    // wider than a panel, strides, dilation, asymmetric ('same'-like) padding, 1 to 3 input
    // channels (fewer rows than a tile) and more output channels than one tile.
    private static readonly Conv2dParams[] ImplicitShapes =
    {
        new(3, 5, 9, 11, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
        new(2, 3, 13, 37, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
        new(2, 4, 10, 12, 9, 4, 4, 1, 1, 1, 1, 2, 2, 1, 1, 1),
        new(2, 6, 11, 9, 5, 3, 3, 2, 2, 1, 0, 1, 2, 1, 1, 1),
        new(2, 4, 12, 12, 10, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1),
        new(3, 1, 5, 40, 3, 2, 5, 1, 1, 0, 2, 1, 2, 1, 1, 1),
        new(2, 20, 8, 8, 24, 3, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1),
    };

    [Test]
    public void ImplicitGemmMatchesIm2ColGemm([Values(1, 2)] int threads)
    {
        var saved = (Kernels.Conv2d.Algorithm, Parallelism.MaxThreads);
        try
        {
            Parallelism.MaxThreads = threads;
            foreach (var p in ImplicitShapes)
            {
                Kernels.Conv2d.Algorithm = ConvAlgorithm.Im2ColGemm;
                var gemm = RunAll(p);
                var gemmD = RunAllDouble(p);
                Kernels.Conv2d.Algorithm = ConvAlgorithm.ImplicitGemm;
                Assert.That(Kernels.Conv2d.UsesImplicit(p), Is.True);
                var impl = RunAll(p);
                var implD = RunAllDouble(p);
                Assert.That(impl.Y, Is.EqualTo(gemm.Y).Within(1e-4f), $"forward {p.InChannels}->{p.OutChannels} {p.Height}x{p.Width}");
                Assert.That(impl.Dx, Is.EqualTo(gemm.Dx).Within(1e-4f), $"input gradient {p.InChannels}->{p.OutChannels} {p.Height}x{p.Width}");
                Assert.That(impl.Dw, Is.EqualTo(gemm.Dw).Within(1e-3f));
                Assert.That(implD.Y, Is.EqualTo(gemmD.Y).Within(1e-12));
                Assert.That(implD.Dx, Is.EqualTo(gemmD.Dx).Within(1e-12));
                // Not all zeros: the comparison would then prove nothing.
                Assert.That(impl.Y.Max(Math.Abs), Is.GreaterThan(0.1f));
                Assert.That(impl.Dx.Max(Math.Abs), Is.GreaterThan(0.1f));
            }
        }
        finally
        {
            (Kernels.Conv2d.Algorithm, Parallelism.MaxThreads) = saved;
        }
    }

    private static (double[] Y, double[] Dx) RunAllDouble(in Conv2dParams p)
    {
        var x = Array.ConvertAll(Rand(p.InputLength, 1), v => (double)v);
        var w = Array.ConvertAll(Rand(p.WeightLength, 2), v => (double)v);
        var b = Array.ConvertAll(Rand(p.OutChannels, 3), v => (double)v);
        var gy = Array.ConvertAll(Rand(p.OutputLength, 4), v => (double)v);
        var y = new double[p.OutputLength];
        var dx = new double[p.InputLength];
        Kernels.Conv2d.Forward<double>(x, w, b, y, p);
        Kernels.Conv2d.BackwardInput<double>(gy, w, dx, p);
        return (y, dx);
    }

    [Test]
    public void SteadyStateCallsAllocateNothing()
    {
        var p = new Conv2dParams(8, 16, 12, 12, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        var dwp = new Conv2dParams(8, 16, 12, 12, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 16);
        var pp = new Pool2dParams(8 * 16, 12, 12, 2, 2, 2, 2, 0, 0);
        var x = Rand(p.InputLength, 1);
        var w = Rand(p.WeightLength, 2);
        var b = Rand(16, 3);
        var y = new float[p.OutputLength];
        var dx = new float[p.InputLength];
        var dw = new float[p.WeightLength];
        var db = new float[16];
        var py = new float[pp.OutputLength];
        var pidx = new long[pp.OutputLength];
        var mean = new float[16];
        var inv = new float[16];
        var bn = new BatchNormParams(8, 16, 144, 1e-5);
        void Step()
        {
            Kernels.Conv2d.Forward<float>(x, w, b, y, p);
            Kernels.Conv2d.BackwardInput<float>(y, w, dx, p);
            Kernels.Conv2d.BackwardWeight<float>(x, y, dw, p);
            Kernels.Conv2d.BackwardBias<float>(y, db, p);
            Kernels.Conv2d.Forward<float>(x, w.AsSpan(0, (int)dwp.WeightLength), b, y, dwp);
            Kernels.Conv2d.BackwardWeight<float>(x, y, dw, dwp);
            Pool2d.MaxForward<float>(x, py, pidx, pp);
            Pool2d.MaxBackward<float>(py, pidx, dx, pp);
            BatchNorm.TrainForward<float>(x, b, b, y, mean, inv, Span<float>.Empty, Span<float>.Empty, 0.1, bn);
            BatchNorm.Backward<float>(x, y, b, mean, inv, dx, dw.AsSpan(0, 16), db, true, bn);
        }
        Step();
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.That(after - before, Is.Zero, "bytes allocated by one steady-state step");
    }

    [Test]
    public void EmptyBatchGivesEmptyOutputAndZeroWeightGradient()
    {
        var x = Tensor.Zeros(new[] { 0, 3, 5, 5 }).RequiresGrad_();
        var w = Tensor.Ones(new[] { 4, 3, 3, 3 }).RequiresGrad_();
        var b = Tensor.Ones(new[] { 4 }).RequiresGrad_();
        var y = Functional.Conv2d(x, w, b, 1, 1);
        Assert.That(y.Shape, Is.EqualTo(new[] { 0, 4, 5, 5 }));
        y.Sum().Backward();
        Assert.That(w.Grad!.ToDoubleArray(), Is.All.EqualTo(0.0));
        Assert.That(b.Grad!.ToDoubleArray(), Is.All.EqualTo(0.0));
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 0, 3, 5, 5 }));
    }

    [Test]
    public void NonContiguousInputsGiveTheSameResult()
    {
        var g = new Generator(3);
        var x = Tensor.Randn(new[] { 2, 3, 6, 5 }, g, DType.Float64);
        var w = Tensor.Randn(new[] { 4, 3, 3, 3 }, g, DType.Float64);
        var xt = x.Transpose(2, 3).Contiguous().Transpose(2, 3); // same values, strided layout
        Assert.That(xt.IsContiguous, Is.False);
        var a = Functional.Conv2d(x, w, null, 1, 1).ToDoubleArray();
        var c = Functional.Conv2d(xt, w, null, 1, 1).ToDoubleArray();
        Assert.That(c, Is.EqualTo(a).Within(1e-12));
        var pa = Functional.MaxPool2d(x, 2).ToDoubleArray();
        var pc = Functional.MaxPool2d(xt, 2).ToDoubleArray();
        Assert.That(pc, Is.EqualTo(pa));
    }

    [Test]
    public void BatchNormEvalUsesRunningStatisticsAndLeavesThemAlone()
    {
        var x = Tensor.FromArray(new[] { 1.0, 2, 3, 4, 5, 6 }, new[] { 3, 2 });
        var rm = Tensor.FromArray(new[] { 1.0, -1 });
        var rv = Tensor.FromArray(new[] { 4.0, 0.25 });
        var y = Functional.BatchNorm(x, rm, rv, eps: 0).ToDoubleArray();
        Assert.That(y, Is.EqualTo(new[] { 0.0, 6, 1, 10, 2, 14 }).Within(1e-12));
        Assert.That(rm.ToDoubleArray(), Is.EqualTo(new[] { 1.0, -1 }));
        Assert.That(rv.ToDoubleArray(), Is.EqualTo(new[] { 4.0, 0.25 }));
    }

    [Test]
    public void BatchNormTrainingUpdatesRunningStatisticsWithMomentum()
    {
        // Channel 0: 1, 3, 5 -> mean 3, unbiased var 4; channel 1: 2, 2, 2 -> mean 2, var 0.
        var x = Tensor.FromArray(new[] { 1.0, 2, 3, 2, 5, 2 }, new[] { 3, 2 });
        var rm = Tensor.Zeros(new[] { 2 }, DType.Float64);
        var rv = Tensor.Ones(new[] { 2 }, DType.Float64);
        Functional.BatchNorm(x, rm, rv, training: true, momentum: 0.25);
        Assert.That(rm.ToDoubleArray(), Is.EqualTo(new[] { 0.75, 0.5 }).Within(1e-12));
        Assert.That(rv.ToDoubleArray(), Is.EqualTo(new[] { 0.75 + 0.25 * 4, 0.75 }).Within(1e-12));
    }
}
