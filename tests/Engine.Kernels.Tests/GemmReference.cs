using System.Numerics;
using Engine.Kernels;
using NUnit.Framework;

namespace Engine.Kernels.Tests;

/// <summary>How a test stores a matrix in its flat buffer.</summary>
public enum Layout
{
    RowMajor,
    ColMajor,
    PaddedRows,
    Strided,
    PaddedCols,
}

/// <summary>Operand builders and the naive float64 GEMM every kernel is checked against.</summary>
public static class GemmReference
{
    private const int Offset = 3;

    /// <summary>The view of a rows x cols matrix stored with <paramref name="layout"/>.</summary>
    public static MatrixView View(Layout layout, int rows, int cols) => layout switch
    {
        Layout.RowMajor => new MatrixView(Offset, cols, 1),
        Layout.ColMajor => new MatrixView(Offset, 1, rows),
        Layout.PaddedRows => new MatrixView(Offset, cols + 5, 1),
        Layout.Strided => new MatrixView(Offset, 2 * cols + 1, 2),
        Layout.PaddedCols => new MatrixView(Offset, 1, rows + 3),
        _ => throw new ArgumentOutOfRangeException(nameof(layout)),
    };

    /// <summary>
    /// A buffer holding a random rows x cols matrix in <paramref name="v"/>; every element outside
    /// the matrix is <paramref name="gap"/>, so a kernel that reads a gap (NaN) or writes one shows it.
    /// </summary>
    public static T[] Make<T>(MatrixView v, int rows, int cols, Random rng, T gap, double fill = double.NaN)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int size = rows == 0 || cols == 0 ? Offset + 1 : v.Offset + (rows - 1) * v.RowStride + (cols - 1) * v.ColStride + 4;
        var buf = new T[size];
        Array.Fill(buf, gap);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double x = double.IsNaN(fill) ? rng.NextDouble() * 2 - 1 : fill;
                buf[v.Offset + i * v.RowStride + j * v.ColStride] = T.CreateTruncating(x);
            }
        }
        return buf;
    }

    /// <summary>
    /// Checks c (after GEMM) against alpha * A * B + beta * c0 computed in float64. The allowed error
    /// per element is the classical bound for a length-k dot product, (k + 3) u (|alpha| sum |a||b| + |beta c0|),
    /// with u the unit roundoff of T. Gaps of C must be untouched.
    /// </summary>
    public static string? Check<T>(int m, int n, int k, double alpha,
        T[] a, MatrixView va, T[] b, MatrixView vb, double beta, T[] c0, T[] c, MatrixView vc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double u = typeof(T) == typeof(float) ? Math.Pow(2, -24) : Math.Pow(2, -53);
        var inside = new bool[c.Length];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = double.CreateTruncating(a[va.Offset + i * va.RowStride + p * va.ColStride]);
                    double y = double.CreateTruncating(b[vb.Offset + p * vb.RowStride + j * vb.ColStride]);
                    sum += x * y;
                    abs += Math.Abs(x * y);
                }
                int at = vc.Offset + i * vc.RowStride + j * vc.ColStride;
                inside[at] = true;
                double before = double.CreateTruncating(c0[at]);
                double expected = alpha * sum + (beta == 0 ? 0 : beta * before);
                double bound = (k + 3) * u * (Math.Abs(alpha) * abs + (beta == 0 ? 0 : Math.Abs(beta * before))) + 1e-300;
                double got = double.CreateTruncating(c[at]);
                if (!(Math.Abs(got - expected) <= bound))
                {
                    return $"C[{i},{j}] = {got}, expected {expected} (bound {bound:G3})";
                }
            }
        }
        for (int t = 0; t < c.Length; t++)
        {
            if (!inside[t] && !c[t].Equals(c0[t]))
            {
                return $"C buffer element {t} outside the matrix changed from {c0[t]} to {c[t]}";
            }
        }
        return null;
    }

    /// <summary>Builds operands, runs Gemm.Run, and returns a failure message or null.</summary>
    public static string? RunCase<T>(int m, int n, int k, Layout la, Layout lb, Layout lc, double alpha, double beta, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        MatrixView va = View(la, m, k), vb = View(lb, k, n), vc = View(lc, m, n);
        T[] a = Make(va, m, k, rng, T.NaN);
        T[] b = Make(vb, k, n, rng, T.NaN);
        // beta == 0 must overwrite C without reading it, so NaN there must not leak.
        T[] c0 = Make(vc, m, n, rng, T.CreateTruncating(-7.0));
        if (beta == 0)
        {
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    c0[vc.Offset + i * vc.RowStride + j * vc.ColStride] = T.NaN;
                }
            }
        }
        T[] c = (T[])c0.Clone();
        Gemm.Run(m, n, k, T.CreateTruncating(alpha), a, va, b, vb, T.CreateTruncating(beta), c, vc);
        string? err = Check(m, n, k, alpha, a, va, b, vb, beta, c0, c, vc);
        return err is null ? null : $"{typeof(T).Name} m={m} n={n} k={k} A={la} B={lb} C={lc} alpha={alpha} beta={beta}: {err}";
    }
}
