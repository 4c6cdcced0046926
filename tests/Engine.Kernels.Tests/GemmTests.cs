using System.Numerics;
using Engine.Kernels;
using NUnit.Framework;

namespace Engine.Kernels.Tests;

/// <summary>GEMM against a float64 reference: shapes hitting every tile edge, every operand layout, alpha/beta, each kernel.</summary>
[TestFixture]
[NonParallelizable]
public class GemmTests
{
    private static readonly GemmKernelKind[] Kernels =
        [GemmKernelKind.Auto, GemmKernelKind.Vector512, GemmKernelKind.Vector256, GemmKernelKind.Scalar];

    private static readonly Layout[] AllLayouts = Enum.GetValues<Layout>();

    [TearDown]
    public void Restore()
    {
        Gemm.Kernel = GemmKernelKind.Auto;
        Gemm.MaxThreads = Environment.ProcessorCount;
    }

    private static void Use(GemmKernelKind kind)
    {
        try
        {
            Gemm.Kernel = kind;
        }
        catch (NotSupportedException)
        {
            Assert.Ignore($"{kind} kernel is not supported on this CPU");
        }
    }

    private static void Sweep<T>(GemmKernelKind kind, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Use(kind);
        Gemm.MaxThreads = threads;
        // Rows: 0, 1, primes, and one either side of every MR (4, 6, 8) and of 2 * MR.
        int[] ms = [0, 1, 2, 3, 5, 6, 7, 8, 9, 13, 16, 17, 23, 31, 33, 64];
        // Columns: either side of every NR (4, 8, 16, 32) and of 2 * NR.
        int[] ns = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 97];
        int[] ks = [0, 1, 2, 7, 16, 61];
        int seed = 0;
        foreach (int m in ms)
        {
            foreach (int n in ns)
            {
                foreach (int k in ks)
                {
                    string? err = GemmReference.RunCase<T>(m, n, k, Layout.RowMajor, Layout.RowMajor, Layout.RowMajor, 1.5, 0, seed++);
                    Assert.That(err, Is.Null, $"kernel {kind}");
                }
            }
        }
    }

    [Test]
    public void ShapeSweepFloat([ValueSource(nameof(Kernels))] GemmKernelKind kind) => Sweep<float>(kind, 1);

    [Test]
    public void ShapeSweepDouble([ValueSource(nameof(Kernels))] GemmKernelKind kind) => Sweep<double>(kind, 1);

    private static void Layouts<T>(GemmKernelKind kind)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Use(kind);
        (int M, int N, int K)[] shapes = [(7, 33, 19), (17, 40, 65), (1, 37, 5), (33, 1, 9), (64, 64, 64)];
        (double Alpha, double Beta)[] scalars = [(1, 0), (1, 1), (-0.75, 0.5)];
        int seed = 100;
        foreach (var (m, n, k) in shapes)
        {
            foreach (Layout la in AllLayouts)
            {
                foreach (Layout lb in AllLayouts)
                {
                    foreach (Layout lc in AllLayouts)
                    {
                        var (alpha, beta) = scalars[seed % scalars.Length];
                        string? err = GemmReference.RunCase<T>(m, n, k, la, lb, lc, alpha, beta, seed++);
                        Assert.That(err, Is.Null, $"kernel {kind}");
                    }
                }
            }
        }
    }

    [Test]
    public void LayoutsFloat([ValueSource(nameof(Kernels))] GemmKernelKind kind) => Layouts<float>(kind);

    [Test]
    public void LayoutsDouble([ValueSource(nameof(Kernels))] GemmKernelKind kind) => Layouts<double>(kind);

    [TestCase(1.0, 0.0)]
    [TestCase(1.0, 1.0)]
    [TestCase(2.5, -0.5)]
    [TestCase(0.0, 0.75)]
    [TestCase(0.0, 0.0)]
    public void AlphaBeta(double alpha, double beta)
    {
        foreach (var (m, n, k) in new[] { (9, 35, 20), (16, 32, 8), (0, 5, 3), (5, 5, 0) })
        {
            Assert.That(GemmReference.RunCase<float>(m, n, k, Layout.RowMajor, Layout.ColMajor, Layout.PaddedRows, alpha, beta, 7), Is.Null);
            Assert.That(GemmReference.RunCase<double>(m, n, k, Layout.Strided, Layout.RowMajor, Layout.ColMajor, alpha, beta, 8), Is.Null);
        }
    }

    /// <summary>Shapes past every cache block (KC = 512 deep, MC = 192 rows, NC = 2048 columns) and the thread split.</summary>
    [Test]
    public void BlockEdgesAndThreads([Values(1, 2)] int threads)
    {
        Gemm.MaxThreads = threads;
        (int M, int N, int K, Layout A, Layout B)[] cases =
        [
            (200, 70, 1100, Layout.RowMajor, Layout.RowMajor),
            (3, 2100, 5, Layout.RowMajor, Layout.RowMajor),
            (197, 75, 37, Layout.ColMajor, Layout.Strided),
            (100, 130, 70, Layout.RowMajor, Layout.ColMajor),
            (9, 1000, 40, Layout.PaddedRows, Layout.RowMajor),
            (1000, 9, 40, Layout.RowMajor, Layout.RowMajor),
            (8, 33, 1030, Layout.ColMajor, Layout.ColMajor),
            (250, 260, 530, Layout.RowMajor, Layout.RowMajor),
        ];
        int seed = 300;
        foreach (var (m, n, k, la, lb) in cases)
        {
            Assert.That(GemmReference.RunCase<float>(m, n, k, la, lb, Layout.RowMajor, 1, 0.5, seed++), Is.Null);
            Assert.That(GemmReference.RunCase<double>(m, n, k, la, lb, Layout.PaddedRows, -1, 0, seed++), Is.Null);
        }
        Assert.That(GemmReference.RunCase<float>(130, 300, 64, Layout.RowMajor, Layout.RowMajor, Layout.ColMajor, 1, 1, seed), Is.Null);
    }

    /// <summary>
    /// x * W^T with few rows (M up to NR), which runs turned around (C^T = W x^T, then a register
    /// transpose into C): full and ragged transpose blocks, every alpha/beta kind, C with padded rows,
    /// each kernel and the two-thread column split.
    /// </summary>
    [Test]
    public void SkinnyTransposedB([ValueSource(nameof(Kernels))] GemmKernelKind kind, [Values(1, 2)] int threads)
    {
        Use(kind);
        Gemm.MaxThreads = threads;
        (int M, int N, int K)[] shapes = [(32, 512, 128), (16, 200, 40), (5, 70, 33), (17, 97, 61), (1, 300, 9), (31, 1100, 100)];
        (double Alpha, double Beta)[] scalars = [(1, 0), (1, 1), (-0.75, 0.5), (2, 0)];
        int seed = 500;
        foreach (var (m, n, k) in shapes)
        {
            foreach (var (alpha, beta) in scalars)
            {
                foreach (Layout lc in new[] { Layout.RowMajor, Layout.PaddedRows })
                {
                    Assert.That(GemmReference.RunCase<float>(m, n, k, Layout.RowMajor, Layout.ColMajor, lc, alpha, beta, seed++), Is.Null, $"float {m}x{n}x{k} kernel {kind}");
                    Assert.That(GemmReference.RunCase<double>(m, n, k, Layout.RowMajor, Layout.ColMajor, lc, alpha, beta, seed++), Is.Null, $"double {m}x{n}x{k} kernel {kind}");
                }
            }
        }
    }

    [Test]
    public void SgemmAndDgemmMatchRun()
    {
        float[] a = [1, 2, 3, 4, 5, 6];          // 2 x 3
        float[] b = [7, 8, 9, 10, 11, 12];       // 3 x 2
        var c = new float[4];
        Gemm.Sgemm(2, 2, 3, 1f, a, MatrixView.RowMajor(3), b, MatrixView.RowMajor(2), 0f, c, MatrixView.RowMajor(2));
        Assert.That(c, Is.EqualTo(new float[] { 58, 64, 139, 154 }));
        var cd = new double[] { 1, 1, 1, 1 };
        double[] ad = [1, 2, 3, 4, 5, 6], bd = [7, 8, 9, 10, 11, 12];
        // ad read as the transpose of a 3 x 2 matrix (2 x 3), bd as the transpose of a 2 x 3 one (3 x 2).
        Gemm.Dgemm(2, 2, 3, 2.0, ad, MatrixView.RowMajor(2).Transposed, bd, MatrixView.RowMajor(3).Transposed, 1.0, cd, MatrixView.RowMajor(2));
        double[] expected = new double[4];
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 2; j++)
            {
                double s = 0;
                for (int p = 0; p < 3; p++)
                {
                    s += ad[p * 2 + i] * bd[j * 3 + p];
                }
                expected[i * 2 + j] = 2 * s + 1;
            }
        }
        Assert.That(cd, Is.EqualTo(expected));
    }

    [Test]
    public void MaxThreadsRejectsZero()
    {
        Assert.That(() => Gemm.MaxThreads = 0, Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("Gemm.MaxThreads"));
    }
}
