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
                    var xr = new ReadOnlySpan<T>(xp + row * n, n);
                    var yr = new Span<T>(yp + row * n, n);
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
            });
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
                    var yr = new ReadOnlySpan<T>(yp + row * n, n);
                    var gr = new ReadOnlySpan<T>(gp + row * n, n);
                    var outr = new Span<T>(gxp + row * n, n);
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
            });
        }
    }
}
