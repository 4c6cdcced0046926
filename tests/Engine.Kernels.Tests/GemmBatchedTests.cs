using System.Numerics;
using Engine.Kernels;
using NUnit.Framework;

namespace Engine.Kernels.Tests;

/// <summary>Strided-batched GEMM, including broadcast operands (batch stride 0) and the per-product thread split.</summary>
[TestFixture]
[NonParallelizable]
public class GemmBatchedTests
{
    [TearDown]
    public void Restore() => Gemm.MaxThreads = Environment.ProcessorCount;

    private static void RunBatch<T>(int batch, int m, int n, int k, bool shareA, bool shareB, Layout la, Layout lb,
        double alpha, double beta, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        MatrixView va = GemmReference.View(la, m, k), vb = GemmReference.View(lb, k, n), vc = GemmReference.View(Layout.RowMajor, m, n);
        // One product's buffer, repeated batch times (or once for a shared operand).
        T[][] pa = Enumerable.Range(0, shareA ? 1 : batch).Select(_ => GemmReference.Make(va, m, k, rng, T.NaN)).ToArray();
        T[][] pb = Enumerable.Range(0, shareB ? 1 : batch).Select(_ => GemmReference.Make(vb, k, n, rng, T.NaN)).ToArray();
        T[][] pc = Enumerable.Range(0, batch).Select(_ => GemmReference.Make(vc, m, n, rng, T.CreateTruncating(-3.0))).ToArray();
        int sa = shareA ? 0 : pa.FirstOrDefault()?.Length ?? 0, sb = shareB ? 0 : pb.FirstOrDefault()?.Length ?? 0;
        int sc = pc.FirstOrDefault()?.Length ?? 0;
        T[] a = pa.SelectMany(x => x).ToArray(), b = pb.SelectMany(x => x).ToArray(), c = pc.SelectMany(x => x).ToArray();

        Gemm.Batched(batch, m, n, k, T.CreateTruncating(alpha), a, va, sa, b, vb, sb, T.CreateTruncating(beta), c, vc, sc);

        for (int p = 0; p < batch; p++)
        {
            T[] got = c.AsSpan(p * sc, sc).ToArray();
            string? err = GemmReference.Check(m, n, k, alpha, pa[shareA ? 0 : p], va, pb[shareB ? 0 : p], vb, beta, pc[p], got, vc);
            Assert.That(err, Is.Null, $"{typeof(T).Name} batch {batch} product {p} m={m} n={n} k={k} shareA={shareA} shareB={shareB}");
        }
    }

    [Test]
    public void ManySmallProductsSplitAcrossThreads([Values(1, 2)] int threads)
    {
        Gemm.MaxThreads = threads;
        RunBatch<float>(130, 16, 16, 16, false, false, Layout.RowMajor, Layout.RowMajor, 1, 0, 1);
        RunBatch<double>(67, 9, 17, 33, false, false, Layout.ColMajor, Layout.RowMajor, 0.5, 1, 2);
    }

    [Test]
    public void BroadcastOperands([Values(1, 2)] int threads)
    {
        Gemm.MaxThreads = threads;
        RunBatch<float>(5, 40, 50, 30, true, false, Layout.RowMajor, Layout.RowMajor, 1, 0, 3);
        RunBatch<float>(4, 33, 20, 70, false, true, Layout.PaddedRows, Layout.ColMajor, -1, 0.25, 4);
        RunBatch<double>(6, 12, 34, 9, true, true, Layout.Strided, Layout.Strided, 2, 0, 5);
    }

    [Test]
    public void LargeProductsRunOneByOne([Values(1, 2)] int threads)
    {
        Gemm.MaxThreads = threads;
        RunBatch<float>(3, 170, 180, 150, false, false, Layout.RowMajor, Layout.ColMajor, 1, 1, 6);
    }

    [Test]
    public void EmptyBatchAndZeroDepth()
    {
        RunBatch<float>(0, 4, 4, 4, false, false, Layout.RowMajor, Layout.RowMajor, 1, 0, 7);
        RunBatch<float>(3, 4, 5, 0, false, false, Layout.RowMajor, Layout.RowMajor, 1, 0.5, 8);
        RunBatch<double>(3, 4, 5, 0, false, false, Layout.RowMajor, Layout.RowMajor, 1, 0, 9);
    }

    /// <summary>Batch stride 0 on C accumulates the products in order (beta = 1), even when threads are free.</summary>
    [Test]
    public void SharedOutputAccumulatesInOrder([Values(1, 2)] int threads)
    {
        Gemm.MaxThreads = threads;
        const int batch = 200, m = 12, n = 20, k = 16;
        var rng = new Random(11);
        var a = new float[batch * m * k];
        var b = new float[batch * k * n];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (float)(rng.NextDouble() * 2 - 1);
        }
        for (int i = 0; i < b.Length; i++)
        {
            b[i] = (float)(rng.NextDouble() * 2 - 1);
        }
        var c = new float[m * n];
        Array.Fill(c, 0.5f);
        Gemm.Batched(batch, m, n, k, 1f, a, MatrixView.RowMajor(k), m * k, b, MatrixView.RowMajor(n), k * n, 1f, c, MatrixView.RowMajor(n), 0);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0.5, abs = 0.5;
                for (int p = 0; p < batch; p++)
                {
                    for (int q = 0; q < k; q++)
                    {
                        double x = a[p * m * k + i * k + q] * (double)b[p * k * n + q * n + j];
                        sum += x;
                        abs += Math.Abs(x);
                    }
                }
                // Each product adds one rounding per element on top of its own dot product.
                double bound = (batch * (k + 3)) * Math.Pow(2, -24) * abs;
                Assert.That(c[i * n + j], Is.EqualTo(sum).Within(bound), $"C[{i},{j}]");
            }
        }
    }
}
