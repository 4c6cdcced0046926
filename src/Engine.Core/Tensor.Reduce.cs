using Engine.Autograd;
using Engine.Kernels;

namespace Engine;

public sealed partial class Tensor
{
    /// <summary>
    /// Arranges a reduction over <paramref name="dims"/> as a contiguous (outer, r, inner) block: in
    /// place when the reduced dims are adjacent in a contiguous tensor, else after a permuted copy.
    /// </summary>
    private (Tensor src, int outer, int r, int inner) ReductionLayout(int[] dims)
    {
        bool adjacent = dims.Length == 0 || dims[^1] - dims[0] == dims.Length - 1;
        if (IsContiguous && adjacent && Offset == 0)
        {
            int outer = 1, r = 1, inner = 1;
            for (int i = 0; i < Dim; i++)
            {
                if (dims.Length > 0 && i < dims[0])
                {
                    outer *= _shape[i];
                }
                else if (dims.Length > 0 && i > dims[^1])
                {
                    inner *= _shape[i];
                }
                else
                {
                    r *= _shape[i];
                }
            }
            return (this, outer, r, inner);
        }
        var order = Enumerable.Range(0, Dim).Where(d => Array.IndexOf(dims, d) < 0).Concat(dims).ToArray();
        Tensor p;
        using (GradMode.NoGrad())
        {
            p = Permute(order).Clone();
        }
        int o = 1, rr = 1;
        for (int i = 0; i < Dim; i++)
        {
            if (Array.IndexOf(dims, i) < 0)
            {
                o *= _shape[i];
            }
            else
            {
                rr *= _shape[i];
            }
        }
        return (p, o, rr, 1);
    }

    private int[] ReducedShape(int[] dims, bool keepDim)
    {
        var shape = new List<int>();
        for (int i = 0; i < Dim; i++)
        {
            if (Array.IndexOf(dims, i) >= 0)
            {
                if (keepDim)
                {
                    shape.Add(1);
                }
            }
            else
            {
                shape.Add(_shape[i]);
            }
        }
        return shape.ToArray();
    }

    private Tensor ReduceRaw<TOp>(string op, int[] dims, bool keepDim) where TOp : struct, IReduceOp
    {
        CheckFloating(op);
        var (src, outer, r, inner) = ReductionLayout(dims);
        var y = Empty(ReducedShape(dims, keepDim), DType, Device);
        Backend.Reduce<TOp>(src.Storage, y.Storage, outer, r, inner);
        return y;
    }

    /// <summary>Sum over <paramref name="dims"/> (all dims when null or empty).</summary>
    public Tensor Sum(int[]? dims = null, bool keepDim = false)
    {
        var d = ShapeUtil.NormDims(dims, Dim, "sum");
        var y = ReduceRaw<SumOp>("sum", d, keepDim);
        var inShape = ShapeArray;
        var keptShape = ReducedShape(d, true);
        return Node.Record("sum", y, new[] { this }, g => new[] { g.Reshape(keptShape).Expand(inShape) });
    }

    /// <summary>Sum over one dimension.</summary>
    public Tensor Sum(int dim, bool keepDim = false) => Sum(new[] { dim }, keepDim);

    /// <summary>Mean over <paramref name="dims"/> (all dims when null or empty).</summary>
    public Tensor Mean(int[]? dims = null, bool keepDim = false)
    {
        var d = ShapeUtil.NormDims(dims, Dim, "mean");
        long count = 1;
        foreach (int i in d)
        {
            count *= _shape[i];
        }
        return Sum(d, keepDim) / count;
    }

    /// <summary>Mean over one dimension.</summary>
    public Tensor Mean(int dim, bool keepDim = false) => Mean(new[] { dim }, keepDim);

    /// <summary>Variance over <paramref name="dims"/> with Bessel's correction by default (correction = 1).</summary>
    public Tensor Var(int[]? dims = null, int correction = 1, bool keepDim = false)
    {
        var d = ShapeUtil.NormDims(dims, Dim, "var");
        long count = 1;
        foreach (int i in d)
        {
            count *= _shape[i];
        }
        var centred = this - Mean(d, keepDim: true);
        return (centred * centred).Sum(d, keepDim) / Math.Max(0, count - correction);
    }

    /// <summary>Variance over one dimension.</summary>
    public Tensor Var(int dim, int correction = 1, bool keepDim = false) => Var(new[] { dim }, correction, keepDim);

    /// <summary>Standard deviation over <paramref name="dims"/> (correction = 1 by default).</summary>
    public Tensor Std(int[]? dims = null, int correction = 1, bool keepDim = false) => Var(dims, correction, keepDim).Sqrt();

    /// <summary>Standard deviation over one dimension.</summary>
    public Tensor Std(int dim, int correction = 1, bool keepDim = false) => Std(new[] { dim }, correction, keepDim);

    private Tensor Extreme<TOp>(string op, int[]? dims, bool keepDim) where TOp : struct, IReduceOp
    {
        var d = ShapeUtil.NormDims(dims, Dim, op);
        foreach (int i in d)
        {
            if (_shape[i] == 0)
            {
                throw new ArgumentException($"{op}: cannot reduce over dimension {i} of size 0 (shape {ShapeString(ShapeSpan)}); the operation has no identity");
            }
        }
        var y = ReduceRaw<TOp>(op, d, keepDim);
        var x = this;
        var keptShape = ReducedShape(d, true);
        return Node.Record(op, y, new[] { this }, g =>
        {
            // The gradient is shared equally among the elements that attain the extreme (as amax/amin).
            var yk = y.Reshape(keptShape);
            var mask = BinaryRaw<EqFn>(op, x, yk);
            var count = mask.Sum(d, keepDim: true);
            return new[] { mask * (g.Reshape(keptShape) / count) };
        }, this, y);
    }

    /// <summary>Maximum over <paramref name="dims"/> (all when null), like torch.amax.</summary>
    public Tensor Amax(int[]? dims = null, bool keepDim = false) => Extreme<MaxOp>("amax", dims, keepDim);

    /// <summary>Minimum over <paramref name="dims"/> (all when null), like torch.amin.</summary>
    public Tensor Amin(int[]? dims = null, bool keepDim = false) => Extreme<MinOp>("amin", dims, keepDim);

    /// <summary>The largest element (0-D).</summary>
    public Tensor Max() => Amax();

    /// <summary>The smallest element (0-D).</summary>
    public Tensor Min() => Amin();

    private (Tensor Values, Tensor Indices) ArgExtreme(string op, int dim, bool keepDim, bool max)
    {
        CheckFloating(op);
        int d = ShapeUtil.NormDim(dim, Dim, op);
        if (Dim > 0 && _shape[d] == 0)
        {
            throw new ArgumentException($"{op}: cannot reduce over dimension {d} of size 0 (shape {ShapeString(ShapeSpan)})");
        }
        var dims = Dim == 0 ? Array.Empty<int>() : new[] { d };
        var (src, outer, r, inner) = Dim == 0 ? (Compact(), 1, 1, 1) : ReductionLayout(dims);
        var shape = ReducedShape(dims, keepDim);
        var values = Empty(shape, DType, Device);
        var indices = Empty(shape, DType.Int64, Device);
        Backend.ArgExtreme(src.Storage, values.Storage, indices.Storage, outer, r, inner, max);
        var inShape = ShapeArray;
        var keptShape = ReducedShape(dims, true);
        var v = Node.Record(op, values, new[] { this }, g =>
        {
            var gx = Zeros(inShape, g.DType, g.Device);
            return new[] { Dim == 0 ? g.Reshape(inShape) : gx.ScatterAddRaw(d, indices.Reshape(keptShape), g.Reshape(keptShape)) };
        }, indices);
        return (v, indices);
    }

    /// <summary>Maximum along a dimension with the index where it occurs (like torch.max(x, dim)).</summary>
    public (Tensor Values, Tensor Indices) Max(int dim, bool keepDim = false) => ArgExtreme("max", dim, keepDim, max: true);

    /// <summary>Minimum along a dimension with the index where it occurs (like torch.min(x, dim)).</summary>
    public (Tensor Values, Tensor Indices) Min(int dim, bool keepDim = false) => ArgExtreme("min", dim, keepDim, max: false);

    /// <summary>Index of the maximum along a dimension (over the flattened tensor when dim is null).</summary>
    public Tensor ArgMax(int? dim = null, bool keepDim = false)
    {
        using var _ = GradMode.NoGrad();
        return dim is int d ? ArgExtreme("argmax", d, keepDim, true).Indices : Reshape(-1).ArgExtreme("argmax", 0, false, true).Indices;
    }

    /// <summary>Index of the minimum along a dimension (over the flattened tensor when dim is null).</summary>
    public Tensor ArgMin(int? dim = null, bool keepDim = false)
    {
        using var _ = GradMode.NoGrad();
        return dim is int d ? ArgExtreme("argmin", d, keepDim, false).Indices : Reshape(-1).ArgExtreme("argmin", 0, false, false).Indices;
    }

    /// <summary>log(sum(exp(x))) over dims, computed stably by shifting by the max.</summary>
    public Tensor LogSumExp(int[] dims, bool keepDim = false)
    {
        var d = ShapeUtil.NormDims(dims, Dim, "logsumexp");
        Tensor m;
        using (GradMode.NoGrad())
        {
            m = Amax(d, keepDim: true);
            // An all -inf slice would give inf - inf; shift by 0 there instead.
            m = Where(m.Ne(double.NegativeInfinity).LogicalAnd(m.Ne(double.PositiveInfinity)), m, ZerosLike(m));
        }
        var r = (this - m).Exp().Sum(d, keepDim: true).Log() + m;
        return keepDim ? r : r.Reshape(ReducedShape(d, false));
    }

    /// <summary>log(sum(exp(x))) over one dimension.</summary>
    public Tensor LogSumExp(int dim, bool keepDim = false) => LogSumExp(new[] { dim }, keepDim);

    // ---------------------------------------------------------------- softmax

    private Tensor SoftmaxImpl(int dim, bool log)
    {
        string op = log ? "log_softmax" : "softmax";
        CheckFloating(op);
        if (Dim == 0)
        {
            return Reshape(1).SoftmaxImpl(0, log).Reshape();
        }
        int d = ShapeUtil.NormDim(dim, Dim, op);
        bool last = d == Dim - 1;
        Tensor src;
        using (GradMode.NoGrad())
        {
            src = (last ? this : Transpose(d, -1)).Compact();
        }
        int n = _shape[d];
        int rows = n == 0 ? 0 : src.NumEl / n;
        var y = Empty(src.ShapeSpan, DType, Device);
        Backend.Softmax(src.Storage, y.Storage, rows, n, log);
        Tensor result;
        using (GradMode.NoGrad())
        {
            result = last ? y : y.Transpose(d, -1);
        }
        return Node.Record(op, result, new[] { this }, g =>
        {
            var gl = (last ? g : g.Transpose(d, -1)).Compact();
            var gx = Empty(gl.ShapeSpan, gl.DType, gl.Device);
            gl.Backend.SoftmaxBackward(y.Storage, gl.Storage, gx.Storage, rows, n, log);
            return new[] { last ? gx : gx.Transpose(d, -1) };
        }, y);
    }

    /// <summary>Softmax along a dimension.</summary>
    public Tensor Softmax(int dim) => SoftmaxImpl(dim, log: false);

    /// <summary>Log-softmax along a dimension (stable).</summary>
    public Tensor LogSoftmax(int dim) => SoftmaxImpl(dim, log: true);
}
