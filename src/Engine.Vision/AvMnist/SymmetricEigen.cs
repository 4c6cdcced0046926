using System.Numerics;

namespace Engine.Vision.AvMnist;

/// <summary>Eigen-decomposition of a real symmetric matrix: Householder reduction to tridiagonal form, then implicit QR steps with Wilkinson shifts.</summary>
/// <remarks>Double precision throughout; O(n^3). Fast enough for the 784 x 784 covariance of MNIST (about a second).</remarks>
public static class SymmetricEigen
{
    /// <summary>
    /// Decomposes the symmetric <paramref name="n"/> x <paramref name="n"/> row-major matrix <paramref name="a"/>
    /// (only its lower triangle is read) into eigenvalues sorted from largest to smallest and the matching
    /// unit eigenvectors, returned as the rows of an n x n row-major matrix.
    /// </summary>
    public static (double[] Values, double[] Vectors) Decompose(ReadOnlySpan<double> a, int n)
    {
        if (n <= 0 || a.Length != (long)n * n)
        {
            throw new ArgumentException($"SymmetricEigen: need an n x n matrix with n > 0, got n={n} and {a.Length} values.");
        }

        var m = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double v = a[(i * n) + j];
                if (!double.IsFinite(v))
                {
                    throw new ArgumentException($"SymmetricEigen: element ({i}, {j}) is {v}.");
                }

                m[(i * n) + j] = v;
                m[(j * n) + i] = v;
            }
        }

        // qt holds the accumulated orthogonal transform transposed: row r is column r of Q.
        double[] qt = Identity(n);
        var d = new double[n];
        var e = new double[Math.Max(n - 1, 1)];
        Tridiagonalize(m, n, qt, d, e);
        QrIterate(d, e, n, qt);
        return SortDescending(d, qt, n);
    }

    private static double[] Identity(int n)
    {
        var id = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            id[(i * n) + i] = 1;
        }

        return id;
    }

    // Reduces the full symmetric matrix m to tridiagonal (d on the diagonal, e below it) with
    // Householder reflections H_k = I - beta v v^T, so that m = Q T Q^T; qt accumulates Q^T.
    private static void Tridiagonalize(double[] m, int n, double[] qt, double[] d, double[] e)
    {
        var v = new double[n];
        var p = new double[n];
        var u = new double[n];
        for (int k = 0; k < n - 2; k++)
        {
            int len = n - k - 1;
            // x = column k below the diagonal.
            double norm2 = 0;
            for (int i = 0; i < len; i++)
            {
                double x = m[((k + 1 + i) * n) + k];
                v[i] = x;
                norm2 += x * x;
            }

            if (norm2 == 0)
            {
                continue;
            }

            double alpha = v[0] >= 0 ? -Math.Sqrt(norm2) : Math.Sqrt(norm2);
            // v = x - alpha e1, so H x = alpha e1; choosing alpha opposite to x0 avoids cancellation.
            v[0] -= alpha;
            double vv = norm2 - (2 * alpha * (v[0] + alpha)) + (alpha * alpha);
            double beta = 2 / vv;

            // Trailing block B = m[k+1.., k+1..]: B <- H B H = B - v w^T - w v^T with
            // p = beta B v, w = p - (beta/2)(v^T p) v.
            double vp = 0;
            for (int i = 0; i < len; i++)
            {
                int row = (k + 1 + i) * n;
                double s = Dot(m.AsSpan(row + k + 1, len), v.AsSpan(0, len));
                p[i] = beta * s;
                vp += v[i] * p[i];
            }

            double kk = 0.5 * beta * vp;
            for (int i = 0; i < len; i++)
            {
                p[i] -= kk * v[i];
            }

            for (int i = 0; i < len; i++)
            {
                Span<double> row = m.AsSpan(((k + 1 + i) * n) + k + 1, len);
                double vi = v[i], wi = p[i];
                for (int j = 0; j < len; j++)
                {
                    row[j] -= (vi * p[j]) + (wi * v[j]);
                }
            }

            // Column k (and row k) become (alpha, 0, ..., 0) below/right of the diagonal.
            m[((k + 1) * n) + k] = alpha;
            m[(k * n) + k + 1] = alpha;
            for (int i = 1; i < len; i++)
            {
                m[((k + 1 + i) * n) + k] = 0;
                m[(k * n) + k + 1 + i] = 0;
            }

            // Q <- Q H, i.e. Q[:, k+1..] -= beta (Q[:, k+1..] v) v^T. With qt = Q^T that is
            // qt[k+1+i, :] -= beta v_i u where u = sum_j v_j qt[k+1+j, :].
            Array.Clear(u);
            for (int j = 0; j < len; j++)
            {
                Axpy(v[j], qt.AsSpan((k + 1 + j) * n, n), u);
            }

            for (int i = 0; i < len; i++)
            {
                Axpy(-beta * v[i], u, qt.AsSpan((k + 1 + i) * n, n));
            }
        }

        for (int i = 0; i < n; i++)
        {
            d[i] = m[(i * n) + i];
            if (i < n - 1)
            {
                e[i] = m[((i + 1) * n) + i];
            }
        }
    }

    // Implicit symmetric QR on the tridiagonal (d, e) with Wilkinson shifts and deflation;
    // every Givens rotation is applied to the rows of qt, which end up as eigenvectors.
    private static void QrIterate(double[] d, double[] e, int n, double[] qt)
    {
        double anorm = 0;
        for (int i = 0; i < n; i++)
        {
            anorm = Math.Max(anorm, Math.Abs(d[i]) + (i < n - 1 ? Math.Abs(e[i]) : 0) + (i > 0 ? Math.Abs(e[i - 1]) : 0));
        }

        const double eps = 2.220446049250313e-16;
        int maxSteps = 50 * n, steps = 0;
        int hi = n - 1;
        while (hi > 0)
        {
            if (Negligible(e[hi - 1], d[hi - 1], d[hi], anorm, eps))
            {
                e[hi - 1] = 0;
                hi--;
                continue;
            }

            int lo = hi - 1;
            while (lo > 0 && !Negligible(e[lo - 1], d[lo - 1], d[lo], anorm, eps))
            {
                lo--;
            }

            if (lo > 0)
            {
                e[lo - 1] = 0;
            }

            if (++steps > maxSteps)
            {
                throw new InvalidOperationException($"SymmetricEigen: no convergence after {maxSteps} QR steps (n={n}).");
            }

            QrStep(d, e, lo, hi, n, qt);
        }
    }

    private static bool Negligible(double off, double da, double db, double anorm, double eps)
        => Math.Abs(off) <= eps * (Math.Abs(da) + Math.Abs(db)) || Math.Abs(off) <= eps * anorm * 1e-3;

    private static void QrStep(double[] d, double[] e, int lo, int hi, int n, double[] qt)
    {
        // Wilkinson shift: the eigenvalue of the trailing 2x2 block closer to d[hi].
        double delta = (d[hi - 1] - d[hi]) / 2;
        double b2 = e[hi - 1] * e[hi - 1];
        double denom = delta + ((delta >= 0 ? 1 : -1) * Math.Sqrt((delta * delta) + b2));
        double mu = d[hi] - (b2 / denom);

        double x = d[lo] - mu, z = e[lo];
        for (int k = lo; k < hi; k++)
        {
            double r = Hypot(x, z);
            double c = r == 0 ? 1 : x / r, s = r == 0 ? 0 : z / r;
            if (k > lo)
            {
                e[k - 1] = r;
            }

            double a = d[k], b = e[k], dd = d[k + 1];
            d[k] = (c * c * a) + (2 * c * s * b) + (s * s * dd);
            d[k + 1] = (s * s * a) - (2 * c * s * b) + (c * c * dd);
            e[k] = (c * s * (dd - a)) + (((c * c) - (s * s)) * b);
            if (k + 1 < hi)
            {
                // The rotation spills e[k+1] into a bulge at (k, k+2) that the next rotation removes.
                z = s * e[k + 1];
                e[k + 1] *= c;
            }

            x = e[k];
            Rotate(qt.AsSpan(k * n, n), qt.AsSpan((k + 1) * n, n), c, s);
        }
    }

    private static double Hypot(double x, double y)
    {
        double ax = Math.Abs(x), ay = Math.Abs(y);
        double big = Math.Max(ax, ay), small = Math.Min(ax, ay);
        if (big == 0)
        {
            return 0;
        }

        double t = small / big;
        return big * Math.Sqrt(1 + (t * t));
    }

    // (p, q) <- (c p + s q, -s p + c q)
    private static void Rotate(Span<double> p, Span<double> q, double c, double s)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vc = new Vector<double>(c);
            var vs = new Vector<double>(s);
            int w = Vector<double>.Count;
            for (; i <= p.Length - w; i += w)
            {
                var a = new Vector<double>(p[i..]);
                var b = new Vector<double>(q[i..]);
                ((vc * a) + (vs * b)).CopyTo(p[i..]);
                ((vc * b) - (vs * a)).CopyTo(q[i..]);
            }
        }

        for (; i < p.Length; i++)
        {
            double a = p[i], b = q[i];
            p[i] = (c * a) + (s * b);
            q[i] = (c * b) - (s * a);
        }
    }

    internal static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double sum = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var acc = Vector<double>.Zero;
            int w = Vector<double>.Count;
            for (; i <= x.Length - w; i += w)
            {
                acc += new Vector<double>(x[i..]) * new Vector<double>(y[i..]);
            }

            sum = Vector.Sum(acc);
        }

        for (; i < x.Length; i++)
        {
            sum += x[i] * y[i];
        }

        return sum;
    }

    // y += a x
    internal static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<double>(a);
            int w = Vector<double>.Count;
            for (; i <= x.Length - w; i += w)
            {
                (new Vector<double>(y[i..]) + (va * new Vector<double>(x[i..]))).CopyTo(y[i..]);
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    private static (double[] Values, double[] Vectors) SortDescending(double[] d, double[] qt, int n)
    {
        int[] order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (i, j) => d[j].CompareTo(d[i]) is var c && c != 0 ? c : i.CompareTo(j));
        var values = new double[n];
        var vectors = new double[n * n];
        for (int r = 0; r < n; r++)
        {
            values[r] = d[order[r]];
            qt.AsSpan(order[r] * n, n).CopyTo(vectors.AsSpan(r * n, n));
        }

        return (values, vectors);
    }
}
