using System.Numerics;
using System.Numerics.Tensors;

namespace Engine.Kernels;

/// <summary>Softmax and log-softmax over the rows of a contiguous (rows, n) block, with their backward.</summary>
public static unsafe class Softmax
{
    /// <summary>y = softmax(x) (or log_softmax) of each row, shifted by the row max for stability.</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, int rows, int n, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n == 0 || rows == 0)
        {
            return;
        }
        fixed (T* px = x)
        fixed (T* py = y)
        {
            T* xp = px, yp = py;
            Parallelism.ForRanges(rows, Math.Max(1, Parallelism.MinElementsPerTask / n), (s, e) =>
            {
                for (long row = s; row < e; row++)
                {
                    ForwardRow(xp + row * n, yp + row * n, n, log);
                }
            });
        }
    }

    /// <summary>
    /// <see cref="Forward{T}"/> on the calling thread only, allocating nothing (for callers that
    /// already split their work across cores). x and y may be the same memory for softmax, not for
    /// log-softmax (which reads x again after writing y).
    /// </summary>
    public static void ForwardSerial<T>(ReadOnlySpan<T> x, Span<T> y, int rows, int n, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check("softmax", x.Length, y.Length, y.Length, rows, n);
        if (n == 0 || rows == 0)
        {
            return;
        }
        fixed (T* px = x)
        fixed (T* py = y)
        {
            for (long row = 0; row < rows; row++)
            {
                ForwardRow(px + row * n, py + row * n, n, log);
            }
        }
    }

    private static void ForwardRow<T>(T* x, T* y, int n, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xr = new ReadOnlySpan<T>(x, n);
        var yr = new Span<T>(y, n);
        T max = TensorPrimitives.Max(xr);
        if (T.IsInfinity(max) && max < T.Zero)
        {
            max = T.Zero; // an all -inf row: keep exp() finite (result is NaN, as in PyTorch)
        }
        TensorPrimitives.Subtract(xr, max, yr);
        TensorPrimitives.Exp(yr, yr);
        T sum = TensorPrimitives.Sum<T>(yr);
        if (log)
        {
            // (x - max) - log(sum), not x - (max + log(sum)): for |max| ~ 1000 the rounding of
            // max + log(sum) alone costs 3e-5 in float32, which exp(y) carries into the gradient.
            TensorPrimitives.Subtract(xr, max, yr);
            TensorPrimitives.Subtract(yr, T.Log(sum), yr);
        }
        else
        {
            TensorPrimitives.Multiply(yr, T.One / sum, yr);
        }
    }

    /// <summary>
    /// Backward of each row. softmax: gx = y * (g - sum(g * y)); log_softmax: gx = g - exp(y) * sum(g).
    /// </summary>
    public static void Backward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> gx, int rows, int n, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n == 0 || rows == 0)
        {
            return;
        }
        fixed (T* pyy = y)
        fixed (T* pg = g)
        fixed (T* pgx = gx)
        {
            T* yp = pyy, gp = pg, gxp = pgx;
            Parallelism.ForRanges(rows, Math.Max(1, Parallelism.MinElementsPerTask / n), (s, e) =>
            {
                for (long row = s; row < e; row++)
                {
                    BackwardRow(yp + row * n, gp + row * n, gxp + row * n, n, log);
                }
            });
        }
    }

    /// <summary>
    /// <see cref="Backward{T}"/> on the calling thread only, allocating nothing. gx may be the
    /// same memory as g.
    /// </summary>
    public static void BackwardSerial<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> gx, int rows, int n, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check("softmax backward", y.Length, g.Length, gx.Length, rows, n);
        if (n == 0 || rows == 0)
        {
            return;
        }
        fixed (T* py = y)
        fixed (T* pg = g)
        fixed (T* pgx = gx)
        {
            for (long row = 0; row < rows; row++)
            {
                BackwardRow(py + row * n, pg + row * n, pgx + row * n, n, log);
            }
        }
    }

    private static void BackwardRow<T>(T* y, T* g, T* gx, int n, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var yr = new ReadOnlySpan<T>(y, n);
        var gr = new ReadOnlySpan<T>(g, n);
        var outr = new Span<T>(gx, n);
        if (log)
        {
            T sum = TensorPrimitives.Sum(gr);
            TensorPrimitives.Exp(yr, outr);
            // outr = g - exp(y) * sum
            TensorPrimitives.MultiplyAdd(outr, -sum, gr, outr);
        }
        else
        {
            T dot = TensorPrimitives.Dot(gr, yr);
            TensorPrimitives.Subtract(gr, dot, outr);
            TensorPrimitives.Multiply(outr, yr, outr);
        }
    }

    private static void Check(string op, int a, int b, int c, int rows, int n)
    {
        long need = (long)rows * n;
        if (rows < 0 || n < 0 || a < need || b < need || c < need)
        {
            throw new ArgumentException($"{op}: {rows} rows of {n} need {need} elements, got spans of {a}, {b} and {c}");
        }
    }
}
