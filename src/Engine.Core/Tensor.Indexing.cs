using Engine.Autograd;
using Engine.Backends;

namespace Engine;

public sealed partial class Tensor
{
    /// <summary>This tensor if it is contiguous from the start of its storage, else a compact copy (no graph).</summary>
    internal Tensor Compact()
    {
        if (IsContiguous && Offset == 0)
        {
            return this;
        }
        var y = Empty(ShapeSpan, DType, Device);
        Backend.Copy(AsOperand(), y.AsOperand(), ShapeSpan);
        return y;
    }

    private static (int outer, int size, int inner) AxisBlock(ReadOnlySpan<int> shape, int dim)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < dim; i++)
        {
            outer *= shape[i];
        }
        for (int i = dim + 1; i < shape.Length; i++)
        {
            inner *= shape[i];
        }
        return (outer, shape[dim], inner);
    }

    private void CheckIndexTensor(string op, Tensor index)
    {
        if (index.DType != DType.Int64)
        {
            throw new ArgumentException($"{op}: index must be an Int64 tensor, got {index.DType}");
        }
        CheckDevice(op, this, index);
    }

    /// <summary>Concatenates tensors along an existing dimension.</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        if (tensors.Count == 0)
        {
            throw new ArgumentException("cat: expected a non-empty list of tensors");
        }
        var first = tensors[0];
        int d = ShapeUtil.NormDim(dim, first.Dim, "cat");
        int total = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            CheckSame("cat", first, t);
            if (t.Dim != first.Dim)
            {
                throw new ArgumentException($"cat: tensor {i} has {t.Dim} dimensions but tensor 0 has {first.Dim}");
            }
            for (int k = 0; k < t.Dim; k++)
            {
                if (k != d && t._shape[k] != first._shape[k])
                {
                    throw new ArgumentException($"cat: sizes of tensors must match except in dimension {d}; expected size {first._shape[k]} but got size {t._shape[k]} for tensor number {i} in dimension {k}");
                }
            }
            total += t._shape[d];
        }
        var shape = first.Shape;
        shape[d] = total;
        var y = Empty(shape, first.DType, first.Device);
        int offset = 0;
        var sizes = new int[tensors.Count];
        using (GradMode.NoGrad())
        {
            for (int i = 0; i < tensors.Count; i++)
            {
                var t = tensors[i];
                sizes[i] = t._shape[d];
                if (sizes[i] > 0)
                {
                    var dst = y.Narrow(d, offset, sizes[i]);
                    y.Backend.Copy(t.AsOperand(), dst.AsOperand(), t.ShapeSpan);
                }
                offset += sizes[i];
            }
        }
        var inputs = tensors.ToArray();
        return Node.Record("cat", y, inputs, g =>
        {
            var parts = new Tensor?[inputs.Length];
            int o = 0;
            for (int i = 0; i < inputs.Length; i++)
            {
                parts[i] = inputs[i].RequiresGrad ? g.Narrow(d, o, sizes[i]) : null;
                o += sizes[i];
            }
            return parts;
        });
    }

    /// <summary>Stacks equally shaped tensors along a new dimension.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        if (tensors.Count == 0)
        {
            throw new ArgumentException("stack: expected a non-empty list of tensors");
        }
        for (int i = 1; i < tensors.Count; i++)
        {
            if (!ShapeUtil.SameShape(tensors[i].ShapeSpan, tensors[0].ShapeSpan))
            {
                throw new ArgumentException($"stack: expects each tensor to be equal size, but got {ShapeString(tensors[0].ShapeSpan)} at entry 0 and {ShapeString(tensors[i].ShapeSpan)} at entry {i}");
            }
        }
        int d = ShapeUtil.NormDim(dim, tensors[0].Dim, "stack", allowEnd: true);
        return Cat(tensors.Select(t => t.Unsqueeze(d)).ToArray(), d);
    }

    /// <summary>Selects entries along a dimension by a 1-D Int64 index (like torch.index_select).</summary>
    public Tensor IndexSelect(int dim, Tensor index)
    {
        CheckIndexTensor("index_select", index);
        if (index.Dim > 1)
        {
            throw new ArgumentException($"index_select: index should have 1 dimension, got shape {ShapeString(index.ShapeSpan)}");
        }
        int d = ShapeUtil.NormDim(dim, Math.Max(Dim, 1), "index_select");
        var src = Dim == 0 ? Reshape(1) : this;
        var x = src.Compact();
        var idx = index.Reshape(-1).Compact();
        var (outer, size, inner) = AxisBlock(src.ShapeSpan, d);
        var shape = src.Shape;
        shape[d] = idx.NumEl;
        var y = Empty(shape, DType, Device);
        Backend.IndexSelect(x.Storage, idx.Storage, y.Storage, outer, size, idx.NumEl, inner);
        var inShape = ShapeArray;
        return Node.Record("index_select", y, new[] { this }, g =>
        {
            var gx = Zeros(src.ShapeSpan, g.DType, g.Device);
            gx.Backend.IndexAdd(gx.Storage, idx.Storage, g.Compact().Storage, outer, size, idx.NumEl, inner);
            return new[] { gx.Reshape(inShape) };
        });
    }

    /// <summary>y[..., j, ...] = x[..., index[..., j, ...], ...] along a dimension (like torch.gather).</summary>
    public Tensor Gather(int dim, Tensor index)
    {
        CheckIndexTensor("gather", index);
        int d = ShapeUtil.NormDim(dim, Dim, "gather");
        if (index.Dim != Dim)
        {
            throw new ArgumentException($"gather: index has {index.Dim} dimensions but the input has {Dim}");
        }
        for (int k = 0; k < Dim; k++)
        {
            if (k != d && index._shape[k] > _shape[k])
            {
                throw new ArgumentException($"gather: size of index {ShapeString(index.ShapeSpan)} exceeds the input {ShapeString(ShapeSpan)} in dimension {k}");
            }
        }
        // Restrict the input to the index's extent in the other dims, then gather on compact blocks.
        Tensor view = this;
        using (GradMode.NoGrad())
        {
            for (int k = 0; k < Dim; k++)
            {
                if (k != d && index._shape[k] < _shape[k])
                {
                    view = view.Narrow(k, 0, index._shape[k]);
                }
            }
        }
        var x = view.Compact();
        var idx = index.Compact();
        var (outer, size, inner) = AxisBlock(view.ShapeSpan, d);
        int count = index._shape[d];
        var y = Empty(index.ShapeSpan, DType, Device);
        Backend.Gather(x.Storage, idx.Storage, y.Storage, outer, size, count, inner);
        var inShape = ShapeArray;
        var viewShape = view.ShapeArray;
        return Node.Record("gather", y, new[] { this }, g =>
        {
            var gv = Zeros(viewShape, g.DType, g.Device);
            gv.Backend.ScatterAdd(gv.Storage, idx.Storage, g.Compact().Storage, outer, size, count, inner);
            if (ShapeUtil.SameShape(viewShape, inShape))
            {
                return new[] { gv };
            }
            var gx = Zeros(inShape, g.DType, g.Device);
            var target = gx;
            for (int k = 0; k < inShape.Length; k++)
            {
                if (k != d && viewShape[k] < inShape[k])
                {
                    target = target.Narrow(k, 0, viewShape[k]);
                }
            }
            target.CopyFrom_(gv);
            return new[] { gx };
        });
    }

    /// <summary>Out-of-place scatter-add (like torch.scatter_add): a copy of this with src added at index along dim.</summary>
    public Tensor ScatterAdd(int dim, Tensor index, Tensor src)
    {
        var y = ScatterAddRaw(dim, index, src);
        var idx = index;
        int d = ShapeUtil.NormDim(dim, Dim, "scatter_add");
        return Node.Record("scatter_add", y, new[] { this, src }, g => new[] { g, src.RequiresGrad ? g.Gather(d, idx) : null });
    }

    internal Tensor ScatterAddRaw(int dim, Tensor index, Tensor src)
    {
        CheckIndexTensor("scatter_add", index);
        CheckSame("scatter_add", this, src);
        int d = ShapeUtil.NormDim(dim, Dim, "scatter_add");
        if (index.Dim != Dim || !ShapeUtil.SameShape(index.ShapeSpan, src.ShapeSpan))
        {
            throw new ArgumentException($"scatter_add: index {ShapeString(index.ShapeSpan)} and src {ShapeString(src.ShapeSpan)} must have the same shape and the rank of self {ShapeString(ShapeSpan)}");
        }
        for (int k = 0; k < Dim; k++)
        {
            if (k != d && index._shape[k] != _shape[k])
            {
                throw new ArgumentException($"scatter_add: index {ShapeString(index.ShapeSpan)} must match self {ShapeString(ShapeSpan)} in dimension {k}");
            }
        }
        var y = Empty(ShapeSpan, DType, Device);
        Backend.Copy(AsOperand(), y.AsOperand(), ShapeSpan);
        var (outer, size, inner) = AxisBlock(ShapeSpan, d);
        Backend.ScatterAdd(y.Storage, index.Compact().Storage, src.Compact().Storage, outer, size, index._shape[d], inner);
        return y;
    }

    /// <summary>Elementwise choice: a where cond is true, else b (all three broadcast).</summary>
    public static Tensor Where(Tensor cond, Tensor a, Tensor b)
    {
        if (cond.DType != DType.Bool)
        {
            throw new ArgumentException($"where: condition must be a Bool tensor, got {cond.DType}");
        }
        CheckSame("where", a, b);
        CheckDevice("where", cond, a);
        var shape = ShapeUtil.Broadcast(ShapeUtil.Broadcast(cond.ShapeSpan, a.ShapeSpan, "where"), b.ShapeSpan, "where");
        Span<int> sc = stackalloc int[shape.Length];
        Span<int> sa = stackalloc int[shape.Length];
        Span<int> sb = stackalloc int[shape.Length];
        ShapeUtil.BroadcastStrides(cond.ShapeSpan, cond.StridesSpan, shape, sc);
        ShapeUtil.BroadcastStrides(a.ShapeSpan, a.StridesSpan, shape, sa);
        ShapeUtil.BroadcastStrides(b.ShapeSpan, b.StridesSpan, shape, sb);
        var y = Empty(shape, a.DType, a.Device);
        y.Backend.Where(new Operand(cond.Storage, cond.Offset, sc), new Operand(a.Storage, a.Offset, sa), new Operand(b.Storage, b.Offset, sb), y.AsOperand(), shape);
        return Node.Record("where", y, new[] { a, b }, g =>
        {
            var z = ZerosLike(g);
            return new[]
            {
                a.RequiresGrad ? Where(cond, g, z).SumTo(a.ShapeSpan) : null,
                b.RequiresGrad ? Where(cond, z, g).SumTo(b.ShapeSpan) : null,
            };
        });
    }

    /// <summary>A copy with <paramref name="value"/> where <paramref name="mask"/> (Bool, broadcast) is true.</summary>
    public Tensor MaskedFill(Tensor mask, double value) => Where(mask, ScalarLike(value), this);

    /// <summary>Elementwise logical and of two Bool tensors.</summary>
    public Tensor LogicalAnd(Tensor other) => Where(this.AsBool("logical_and"), other.AsBool("logical_and"), ScalarLike(0).To(DType.Bool));

    /// <summary>Elementwise logical or of two Bool tensors.</summary>
    public Tensor LogicalOr(Tensor other) => Where(this.AsBool("logical_or"), Scalar(1, DType.Bool, Device), other.AsBool("logical_or"));

    /// <summary>Elementwise logical not of a Bool tensor.</summary>
    public Tensor LogicalNot() => Where(AsBool("logical_not"), Scalar(0, DType.Bool, Device), Scalar(1, DType.Bool, Device));

    private Tensor AsBool(string op) => DType == DType.Bool ? this : throw new ArgumentException($"{op}: expects Bool tensors, got {DType}");

    /// <summary>One-hot encoding of an Int64 tensor of class indices (result Int64, one more dim).</summary>
    public Tensor OneHot(int numClasses = -1)
    {
        if (DType != DType.Int64)
        {
            throw new ArgumentException($"one_hot: expects an Int64 tensor of class indices, got {DType}");
        }
        var labels = ToArray<long>();
        if (numClasses < 0)
        {
            numClasses = labels.Length == 0 ? 0 : (int)labels.Max() + 1;
        }
        var v = new long[labels.Length * numClasses];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= numClasses)
            {
                throw new ArgumentException($"one_hot: class value {labels[i]} is outside [0, {numClasses})");
            }
            v[i * numClasses + labels[i]] = 1;
        }
        return FromArray(v, ShapeArray.Append(numClasses).ToArray(), Device);
    }
}
