using Engine.Text.Sampling;
using Engine.Text.Word2Vec;

namespace Engine.Text.Tests;

/// <summary>The SGNS / hierarchical-softmax update kernel against finite differences of the loss, in float64.</summary>
public unsafe class GradientTests
{
    private const int Dim = 20; // stride 32: the padding lanes are exercised too

    /// <summary>L = -sum_d [y_d log s(u.v_d) + (1 - y_d) log s(-u.v_d)], in double.</summary>
    private static double Loss(double[] u, double[][] v, float[] labels)
    {
        double loss = 0;
        for (int d = 0; d < v.Length; d++)
        {
            double f = 0;
            for (int i = 0; i < u.Length; i++)
            {
                f += u[i] * v[d][i];
            }
            // log s(f) = -log(1 + e^-f)
            loss += labels[d] * Math.Log(1 + Math.Exp(-f)) + (1 - labels[d]) * Math.Log(1 + Math.Exp(f));
        }
        return loss;
    }

    [TestCase(new float[] { 1, 0, 0, 0, 0, 0 }, TestName = "NegativeSampling_OnePositiveFiveNegatives")]
    [TestCase(new float[] { 1, 0, 1, 1, 0 }, TestName = "HierarchicalSoftmax_MixedCodeBits")]
    public void StepGradientMatchesFiniteDifferences(float[] labels)
    {
        int k = labels.Length;
        int stride = SgdKernels.StrideFor(Dim);
        Assert.That(stride, Is.EqualTo(32));
        var rng = new FastRandom(42);
        var u = new float[stride];
        var output = new float[(k + 3) * stride];
        for (int i = 0; i < Dim; i++)
        {
            u[i] = (rng.NextSingle() - 0.5f) * 1.5f;
        }
        var rows = new int[k];
        for (int d = 0; d < k; d++)
        {
            rows[d] = d + 2; // distinct rows, not starting at 0
            for (int i = 0; i < Dim; i++)
            {
                output[rows[d] * stride + i] = (rng.NextSingle() - 0.5f) * 1.5f;
            }
        }
        var before = (float[])output.Clone();

        // Finite differences of the loss in double.
        double[] ud = u.Take(Dim).Select(x => (double)x).ToArray();
        double[][] vd = rows.Select(r => output.Skip(r * stride).Take(Dim).Select(x => (double)x).ToArray()).ToArray();
        const double h = 1e-6;
        var gradU = new double[Dim];
        for (int i = 0; i < Dim; i++)
        {
            double keep = ud[i];
            ud[i] = keep + h;
            double plus = Loss(ud, vd, labels);
            ud[i] = keep - h;
            double minus = Loss(ud, vd, labels);
            ud[i] = keep;
            gradU[i] = (plus - minus) / (2 * h);
        }
        var gradV = new double[k][];
        for (int d = 0; d < k; d++)
        {
            gradV[d] = new double[Dim];
            for (int i = 0; i < Dim; i++)
            {
                double keep = vd[d][i];
                vd[d][i] = keep + h;
                double plus = Loss(ud, vd, labels);
                vd[d][i] = keep - h;
                double minus = Loss(ud, vd, labels);
                vd[d][i] = keep;
                gradV[d][i] = (plus - minus) / (2 * h);
            }
        }

        // The kernel with alpha = 1 collects -dL/du in dst and moves each row by -dL/dv_d.
        var dst = new float[stride];
        fixed (float* pu = u, pdst = dst, pout = output, plabels = labels)
        fixed (int* prows = rows)
        {
            SgdKernels.Step(pu, pdst, prows, plabels, k, 1f, pout, stride);
        }
        for (int i = 0; i < Dim; i++)
        {
            Assert.That(-dst[i], Is.EqualTo(gradU[i]).Within(1e-5 + 1e-4 * Math.Abs(gradU[i])), $"dL/du[{i}]");
        }
        for (int d = 0; d < k; d++)
        {
            for (int i = 0; i < Dim; i++)
            {
                double delta = output[rows[d] * stride + i] - before[rows[d] * stride + i];
                Assert.That(-delta, Is.EqualTo(gradV[d][i]).Within(1e-5 + 1e-4 * Math.Abs(gradV[d][i])), $"dL/dv{d}[{i}]");
            }
        }
        // Padding lanes and untouched rows stay as they were.
        Assert.That(dst.Skip(Dim), Is.All.EqualTo(0f));
        for (int r = 0; r < k + 3; r++)
        {
            Assert.That(output.Skip(r * stride + Dim).Take(stride - Dim), Is.All.EqualTo(0f), $"padding of row {r}");
        }
        Assert.That(output.Take(2 * stride), Is.All.EqualTo(0f));
    }

    [Test]
    public void InPlaceSkipGramUpdateIsASmallGradientStep()
    {
        // dst == l1 (the skip-gram path): l1 moves by -alpha * dL/du computed with the rows before their update.
        int stride = SgdKernels.StrideFor(Dim);
        var rng = new FastRandom(9);
        var u = new float[stride];
        var output = new float[3 * stride];
        for (int i = 0; i < Dim; i++)
        {
            u[i] = rng.NextSingle() - 0.5f;
            output[i] = rng.NextSingle() - 0.5f;
            output[stride + i] = rng.NextSingle() - 0.5f;
        }
        var u0 = (float[])u.Clone();
        var expectedDst = new float[stride];
        var outCopy = (float[])output.Clone();
        int[] rows = [0, 1];
        float[] labels = [1, 0];
        const float Alpha = 0.025f;
        fixed (float* pu = u, pe = expectedDst, pc = outCopy, pl = labels, pu0 = u0, po = output)
        fixed (int* pr = rows)
        {
            SgdKernels.Step(pu0, pe, pr, pl, 2, Alpha, pc, stride);
            SgdKernels.Step(pu, pu, pr, pl, 2, Alpha, po, stride);
        }
        for (int i = 0; i < stride; i++)
        {
            Assert.That(u[i], Is.EqualTo(u0[i] + expectedDst[i]).Within(1e-7f));
            Assert.That(output[i], Is.EqualTo(outCopy[i]));
        }
    }
}
