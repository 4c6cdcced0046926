using Engine.Kernels;
using NUnit.Framework;

namespace Engine.Kernels.Tests;

/// <summary>
/// Implicit-GEMM convolution against a float64 loop reference: panels that straddle samples (small
/// outputs), both orientations of the weight gradient (fewer and more output channels than a tile
/// is wide), strides, a batch of one, on 1 and 2 threads.
/// </summary>
[TestFixture]
[NonParallelizable]
public class ConvImplicitTests
{
    // (batch, in, h, w, out, k, stride, pad)
    private static readonly object[] Shapes =
    {
        new object[] { 5, 8, 7, 7, 40, 3, 1, 1 },   // 49 positions: panels straddle samples; dw^T with 72 rows >= 40 >= 32 channels
        new object[] { 3, 16, 5, 5, 16, 3, 1, 1 },  // 25 positions: one panel touches three samples; dw for 16 channels
        new object[] { 4, 20, 6, 9, 36, 3, 2, 1 },  // stride 2, 3x5 outputs
        new object[] { 1, 17, 9, 11, 33, 3, 1, 1 }, // one sample, ragged last panel
        new object[] { 6, 32, 14, 14, 64, 3, 2, 1 }, // ResNet's 32 -> 64 downsampling 3x3
        new object[] { 3, 5, 16, 16, 9, 3, 1, 1 },  // 16-wide output rows: two whole rows per panel
    };

    [TearDown]
    public void Restore()
    {
        Parallelism.MaxThreads = Environment.ProcessorCount;
        Conv2d.Algorithm = ConvAlgorithm.Auto;
    }

    [TestCaseSource(nameof(Shapes))]
    public void MatchesLoopReference(int n, int c, int h, int w, int oc, int k, int stride, int pad)
    {
        var p = new Conv2dParams(n, c, h, w, oc, k, k, stride, stride, pad, pad, pad, pad, 1, 1, 1);
        var x = Rand(p.InputLength, 1);
        var wt = Rand(p.WeightLength, 2);
        var gy = Rand(p.OutputLength, 3);
        var bias = Rand(oc, 4);
        var (yRef, dxRef, dwRef) = Reference(p, x, wt, gy);
        int plane = p.OutH * p.OutW;
        for (long i = 0; i < yRef.Length; i++)
        {
            yRef[i] += bias[i / plane % oc];
        }
        foreach (var alg in new[] { ConvAlgorithm.Auto, ConvAlgorithm.ImplicitGemm })
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Conv2d.Algorithm = alg;
                Parallelism.MaxThreads = threads;
                var y = new float[p.OutputLength];
                var dx = new float[p.InputLength];
                var dw = new float[p.WeightLength];
                // Stale values in the outputs must not leak into results.
                Array.Fill(y, float.NaN);
                Array.Fill(dx, float.NaN);
                Array.Fill(dw, float.NaN);
                Conv2d.Forward<float>(x, wt, bias, y, p);
                Conv2d.BackwardInput<float>(gy, wt, dx, p);
                Conv2d.BackwardWeight<float>(x, gy, dw, p);
                string at = $"{alg}, {threads} thread(s)";
                AssertClose(y, yRef, "forward, " + at);
                AssertClose(dx, dxRef, "input gradient, " + at);
                AssertClose(dw, dwRef, "weight gradient, " + at);
            }
        }
    }

    private static void AssertClose(float[] got, double[] want, string what)
    {
        double scale = want.Max(Math.Abs);
        Assert.That(scale, Is.GreaterThan(0.1), what + ": reference is all but zero");
        double worst = 0;
        for (int i = 0; i < got.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(got[i] - want[i]));
        }
        Assert.That(worst, Is.LessThan(1e-5 * scale * 10), what + $": largest error {worst} against values up to {scale}");
    }

    private static float[] Rand(long len, int seed)
    {
        var r = new Random(seed);
        var a = new float[len];
        for (long i = 0; i < len; i++)
        {
            a[i] = (float)(r.NextDouble() * 2 - 1);
        }
        return a;
    }

    private static (double[] Y, double[] Dx, double[] Dw) Reference(in Conv2dParams p, float[] x, float[] w, float[] gy)
    {
        int n = p.Batch, c = p.InChannels, h = p.Height, wd = p.Width, oc = p.OutChannels, kh = p.KernelH, kw = p.KernelW;
        int oh = p.OutH, ow = p.OutW;
        var y = new double[p.OutputLength];
        var dx = new double[p.InputLength];
        var dw = new double[p.WeightLength];
        for (int b = 0; b < n; b++)
        {
            for (int o = 0; o < oc; o++)
            {
                for (int i = 0; i < oh; i++)
                {
                    for (int j = 0; j < ow; j++)
                    {
                        long yi = ((long)(b * oc + o) * oh + i) * ow + j;
                        double sum = 0;
                        for (int ch = 0; ch < c; ch++)
                        {
                            for (int u = 0; u < kh; u++)
                            {
                                int r = i * p.StrideH - p.PadTop + u * p.DilationH;
                                if (r < 0 || r >= h)
                                {
                                    continue;
                                }
                                for (int v = 0; v < kw; v++)
                                {
                                    int q = j * p.StrideW - p.PadLeft + v * p.DilationW;
                                    if (q < 0 || q >= wd)
                                    {
                                        continue;
                                    }
                                    long xi = ((long)(b * c + ch) * h + r) * wd + q;
                                    long wi = ((long)(o * c + ch) * kh + u) * kw + v;
                                    sum += (double)x[xi] * w[wi];
                                    dx[xi] += (double)gy[yi] * w[wi];
                                    dw[wi] += (double)gy[yi] * x[xi];
                                }
                            }
                        }
                        y[yi] = sum;
                    }
                }
            }
        }
        return (y, dx, dw);
    }
}
