using Engine.Kernels;

namespace Engine.Tests;

/// <summary>Length sweeps 0..257 so every SIMD tail path of the drivers runs, against scalar references.</summary>
public class KernelSweepTests
{
    private static IEnumerable<int> Lengths() => Enumerable.Range(0, 258);

    private static float[] Data(int n, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 6 - 3)).ToArray();
    }

    [Test]
    public void UnaryContiguousAllLengths()
    {
        foreach (int n in Lengths())
        {
            var x = Data(n, n);
            var y = new float[n];
            Elementwise.Unary<float, TanhFn>(x, y);
            for (int i = 0; i < n; i++)
            {
                Assert.That(y[i], Is.EqualTo(MathF.Tanh(x[i])).Within(2e-6), $"n={n} i={i}");
            }
            Elementwise.Unary<float, ExpFn>(x, y);
            for (int i = 0; i < n; i++)
            {
                Assert.That(y[i], Is.EqualTo(MathF.Exp(x[i])).Within(2e-6 * MathF.Exp(x[i])), $"n={n} i={i}");
            }
        }
    }

    [Test]
    public void BinaryContiguousAndBroadcastAllLengths()
    {
        foreach (int n in Lengths())
        {
            var a = Data(n, n);
            var b = Data(n, n + 1000);
            var y = new float[n];
            Elementwise.Binary<float, MulFn>(a, b, y);
            for (int i = 0; i < n; i++)
            {
                Assert.That(y[i], Is.EqualTo(a[i] * b[i]), $"n={n}");
            }
            // b broadcast as a scalar (stride 0).
            var s = new[] { 2.5f };
            Elementwise.Binary<float, SubFn>(a, 0, new[] { 1 }, s, 0, new[] { 0 }, y, 0, new[] { 1 }, new[] { n });
            for (int i = 0; i < n; i++)
            {
                Assert.That(y[i], Is.EqualTo(a[i] - 2.5f), $"n={n}");
            }
            // a strided (every other element of a longer buffer), double precision.
            var wide = Data(2 * n, n + 7).Select(v => (double)v).ToArray();
            var yd = new double[n];
            Elementwise.Unary<double, SigmoidFn>(wide, 0, new[] { 2 }, yd, 0, new[] { 1 }, new[] { n });
            for (int i = 0; i < n; i++)
            {
                Assert.That(yd[i], Is.EqualTo(1 / (1 + Math.Exp(-wide[2 * i]))).Within(1e-14), $"n={n}");
            }
        }
    }

    [Test]
    public void ReductionsAllLengths()
    {
        foreach (int n in Lengths())
        {
            var x = Data(n * 3, n).Select(v => (double)v).ToArray();
            var rows = new double[3];
            Reduce.Run<double, SumOp>(x, 3, n, 1, rows);
            var cols = new double[n];
            Reduce.Run<double, MaxOp>(x, 1, 3, n, cols);
            for (int r = 0; r < 3; r++)
            {
                Assert.That(rows[r], Is.EqualTo(x.Skip(r * n).Take(n).Sum()).Within(1e-9), $"n={n}");
            }
            for (int c = 0; c < n; c++)
            {
                Assert.That(cols[c], Is.EqualTo(Math.Max(x[c], Math.Max(x[n + c], x[2 * n + c]))), $"n={n}");
            }
        }
    }

    [Test]
    public void LargeOpsSplitAcrossCoresGiveTheSameResult()
    {
        int n = 1 << 20;
        var a = Data(n, 1);
        var b = Data(n, 2);
        var y = new float[n];
        var shape = new[] { 1024, 1024 };
        // b is the transpose view of a 1024x1024 matrix: strided on both paths.
        Elementwise.Binary<float, AddFn>(a, 0, new[] { 1024, 1 }, b, 0, new[] { 1, 1024 }, y, 0, new[] { 1024, 1 }, shape);
        for (int i = 0; i < n; i += 4099)
        {
            int r = i / 1024, c = i % 1024;
            Assert.That(y[i], Is.EqualTo(a[i] + b[c * 1024 + r]));
        }
    }

    [Test]
    public void LongContiguousOutputsTakeTheStreamingPathCorrectly()
    {
        // Above the non-temporal threshold, with the output starting at every alignment within a
        // cache line, so the scalar peel, the streaming loop and the tail all run.
        int n = (1 << 18) + 37;
        var a = Data(n + 16, 3);
        var b = Data(n + 16, 4);
        foreach (int offset in new[] { 0, 1, 5, 15 })
        {
            var y = new float[n + 16];
            Elementwise.Binary<float, MulFn>(a.AsSpan(offset, n), b.AsSpan(offset, n), y.AsSpan(offset, n));
            for (int i = 0; i < n; i += 97)
            {
                Assert.That(y[offset + i], Is.EqualTo(a[offset + i] * b[offset + i]), $"offset={offset} i={i}");
            }
            Assert.That(y[offset + n - 1], Is.EqualTo(a[offset + n - 1] * b[offset + n - 1]));
            Assert.That(y[offset + n], Is.EqualTo(0f), "wrote past the end");
        }
    }

    [Test]
    public void SpecialFunctionsAreAccurate()
    {
        // erf reference values (Abramowitz and Stegun table).
        Assert.That(ScalarMath.Erf(0.5), Is.EqualTo(0.5204998778130465).Within(1e-15));
        Assert.That(ScalarMath.Erf(1.0), Is.EqualTo(0.8427007929497149).Within(1e-15));
        Assert.That(ScalarMath.Erf(-2.0), Is.EqualTo(-0.9953222650189527).Within(1e-15));
        Assert.That(ScalarMath.Erfc(4.0), Is.EqualTo(1.541725790028002e-08).Within(1e-20));
        // tanh near zero keeps relative precision.
        var x = new float[] { 1e-20f, 1e-5f, 0.05f, 0.3f };
        var y = new float[4];
        Elementwise.Unary<float, TanhFn>(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.That(y[i], Is.EqualTo(MathF.Tanh(x[i])).Within(Math.Abs(MathF.Tanh(x[i])) * 1e-6));
        }
        // softplus stays accurate for very negative inputs.
        var sp = new double[] { -40, -10, 0, 10, 30 };
        var r = new double[5];
        Elementwise.Unary<double, SoftplusFn>(sp, r);
        for (int i = 0; i < sp.Length; i++)
        {
            double expected = sp[i] > 20 ? sp[i] : Math.Log(1 + Math.Exp(sp[i]));
            Assert.That(r[i], Is.EqualTo(expected).Within(Math.Abs(expected) * 1e-12));
        }
    }
}
