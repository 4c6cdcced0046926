using Engine.Autograd;

namespace Engine;

public sealed partial class Tensor
{
    private Tensor ViewOf(int[] shape, int[] strides, int offset) => new(Storage, shape, strides, offset);

    private int[] InferShape(ReadOnlySpan<int> shape, string op)
    {
        var r = shape.ToArray();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < r.Length; i++)
        {
            if (r[i] == -1)
            {
                if (infer >= 0)
                {
                    throw new ArgumentException($"{op}: only one dimension can be inferred (-1) in {ShapeString(shape)}");
                }
                infer = i;
            }
            else if (r[i] < 0)
            {
                throw new ArgumentException($"{op}: invalid shape dimension {r[i]} in {ShapeString(shape)}");
            }
            else
            {
                known *= r[i];
            }
        }
        if (infer >= 0)
        {
            if (known == 0 || NumEl % known != 0)
            {
                throw new ArgumentException($"{op}: shape {ShapeString(shape)} is invalid for input of size {NumEl}");
            }
            r[infer] = (int)(NumEl / known);
        }
        if (ShapeUtil.Numel(r) != NumEl)
        {
            throw new ArgumentException($"{op}: shape {ShapeString(shape)} is invalid for input of size {NumEl} (shape {ShapeString(ShapeSpan)})");
        }
        return r;
    }

    /// <summary>The same elements with a new shape, sharing memory (needs a contiguous tensor; -1 infers one dim).</summary>
    public Tensor View(params int[] shape)
    {
        var newShape = InferShape(shape, "view");
        if (!IsContiguous)
        {
            throw new InvalidOperationException($"view: the tensor of shape {ShapeString(ShapeSpan)} with strides {ShapeString(StridesSpan)} is not contiguous; use Reshape (which copies) instead");
        }
        var y = ViewOf(newShape, ShapeUtil.ContiguousStrides(newShape), Offset);
        var inShape = ShapeArray;
        return Node.Record("view", y, new[] { this }, g => new[] { g.Reshape(inShape) });
    }

    /// <summary>The same elements with a new shape: a view when possible, else a copy (-1 infers one dim).</summary>
    public Tensor Reshape(params int[] shape) => IsContiguous ? View(shape) : Contiguous().View(shape);

    /// <summary>Flattens dims startDim..endDim into one.</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Dim == 0)
        {
            return Reshape(1);
        }
        int s = ShapeUtil.NormDim(startDim, Dim, "flatten"), e = ShapeUtil.NormDim(endDim, Dim, "flatten");
        if (s > e)
        {
            throw new ArgumentException($"flatten: start_dim {startDim} cannot come after end_dim {endDim}");
        }
        var shape = new List<int>();
        for (int i = 0; i < s; i++)
        {
            shape.Add(_shape[i]);
        }
        int prod = 1;
        for (int i = s; i <= e; i++)
        {
            prod *= _shape[i];
        }
        shape.Add(prod);
        for (int i = e + 1; i < Dim; i++)
        {
            shape.Add(_shape[i]);
        }
        return Reshape(shape.ToArray());
    }

    /// <summary>Reorders dimensions (a view).</summary>
    public Tensor Permute(params int[] dims)
    {
        if (dims.Length != Dim)
        {
            throw new ArgumentException($"permute: number of dims {dims.Length} does not match the tensor's {Dim} (shape {ShapeString(ShapeSpan)})");
        }
        var seen = new bool[Dim];
        var shape = new int[Dim];
        var strides = new int[Dim];
        var inverse = new int[Dim];
        for (int i = 0; i < Dim; i++)
        {
            int d = ShapeUtil.NormDim(dims[i], Dim, "permute");
            if (seen[d])
            {
                throw new ArgumentException($"permute: dim {d} repeats in ({string.Join(", ", dims)})");
            }
            seen[d] = true;
            shape[i] = _shape[d];
            strides[i] = _strides[d];
            inverse[d] = i;
        }
        var y = ViewOf(shape, strides, Offset);
        return Node.Record("permute", y, new[] { this }, g => new[] { g.Permute(inverse) });
    }

    /// <summary>Swaps two dimensions (a view).</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        int a = ShapeUtil.NormDim(dim0, Dim, "transpose"), b = ShapeUtil.NormDim(dim1, Dim, "transpose");
        var perm = Enumerable.Range(0, Dim).ToArray();
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(perm);
    }

    /// <summary>The transpose of a matrix (dims 0 and 1 swapped; 0-D and 1-D tensors unchanged).</summary>
    public Tensor T => Dim < 2 ? this : Dim == 2 ? Transpose(0, 1) : throw new InvalidOperationException($"T: expects a tensor with <= 2 dimensions, but it has {Dim}; use Transpose or mT");

    /// <summary>Transposes the last two dimensions (batched matrix transpose).</summary>
    public Tensor MT => Dim >= 2 ? Transpose(-2, -1) : throw new InvalidOperationException($"mT: expects at least 2 dimensions, got {Dim}");

    /// <summary>Removes all size-1 dimensions (or only <paramref name="dim"/> if it has size 1).</summary>
    public Tensor Squeeze(int? dim = null)
    {
        var keep = new List<int>();
        int only = dim is int d0 ? ShapeUtil.NormDim(d0, Dim, "squeeze") : -1;
        for (int i = 0; i < Dim; i++)
        {
            if (_shape[i] != 1 || (only >= 0 && i != only))
            {
                keep.Add(i);
            }
        }
        var shape = keep.Select(i => _shape[i]).ToArray();
        var strides = keep.Select(i => _strides[i]).ToArray();
        var y = ViewOf(shape, strides, Offset);
        var inShape = ShapeArray;
        return Node.Record("squeeze", y, new[] { this }, g => new[] { g.Reshape(inShape) });
    }

    /// <summary>Inserts a size-1 dimension at <paramref name="dim"/>.</summary>
    public Tensor Unsqueeze(int dim)
    {
        int d = ShapeUtil.NormDim(dim, Dim, "unsqueeze", allowEnd: true);
        var shape = _shape.ToList();
        var strides = _strides.ToList();
        shape.Insert(d, 1);
        strides.Insert(d, d < Dim ? _strides[d] * _shape[d] : 1);
        var y = ViewOf(shape.ToArray(), strides.ToArray(), Offset);
        return Node.Record("unsqueeze", y, new[] { this }, g => new[] { g.Squeeze(d) });
    }

    /// <summary>Elements start..start+length-1 along a dimension (a view).</summary>
    public Tensor Narrow(int dim, int start, int length) => Slice(dim, start, start + length, 1, "narrow");

    /// <summary>
    /// Elements start, start+step, ... below end along a dimension (a view, like x[..., start:end:step]).
    /// Negative start/end count from the end; out-of-range bounds are clamped as in Python.
    /// </summary>
    public Tensor Slice(int dim, int start, int end, int step = 1) => Slice(dim, start, end, step, "slice");

    private Tensor Slice(int dim, int start, int end, int step, string op)
    {
        int d = ShapeUtil.NormDim(dim, Dim, op);
        int size = _shape[d];
        if (step <= 0)
        {
            throw new ArgumentException($"{op}: step must be positive, got {step}");
        }
        if (op == "narrow")
        {
            if (start < -size || start > size || end - start < 0 || (start < 0 ? start + size : start) + (end - start) > size)
            {
                throw new ArgumentOutOfRangeException(nameof(start), $"narrow: start ({start}) + length ({end - start}) exceeds dimension size ({size}) of dim {d}");
            }
            if (start < 0)
            {
                end += size;
                start += size;
            }
        }
        else
        {
            start = start < 0 ? Math.Max(0, start + size) : Math.Min(start, size);
            end = end < 0 ? Math.Max(0, end + size) : Math.Min(end, size);
        }
        int len = Math.Max(0, (end - start + step - 1) / step);
        var shape = ShapeArray.ToArray();
        var strides = StridesArray.ToArray();
        shape[d] = len;
        strides[d] = _strides[d] * step;
        var y = ViewOf(shape, strides, Offset + (len > 0 ? start * _strides[d] : 0));
        var inShape = ShapeArray;
        int s0 = start, st = step;
        return Node.Record(op, y, new[] { this }, g =>
        {
            var gx = Zeros(inShape, g.DType, g.Device);
            gx.Slice(d, s0, s0 + (len - 1) * st + 1, st).CopyFrom_(g);
            return new[] { gx };
        });
    }

    /// <summary>The slice at <paramref name="index"/> along a dimension, with that dimension removed.</summary>
    public Tensor Select(int dim, int index)
    {
        int d = ShapeUtil.NormDim(dim, Dim, "select");
        int size = _shape[d];
        if (index < -size || index >= size)
        {
            throw new IndexOutOfRangeException($"select: index {index} is out of bounds for dimension {d} with size {size}");
        }
        int i = index < 0 ? index + size : index;
        return Narrow(d, i, 1).Squeeze(d);
    }

    /// <summary>Row <paramref name="index"/> along dim 0 (x[i]).</summary>
    [System.Runtime.CompilerServices.IndexerName("Row")]
    public Tensor this[int index] => Select(0, index);

    /// <summary>A view with size-1 (or missing leading) dims repeated to <paramref name="shape"/>; -1 keeps a dim.</summary>
    public Tensor Expand(params int[] shape)
    {
        if (shape.Length < Dim)
        {
            throw new ArgumentException($"expand: the number of sizes provided ({shape.Length}) must be greater or equal to the number of dimensions in the tensor ({Dim})");
        }
        var target = shape.ToArray();
        int lead = target.Length - Dim;
        var strides = new int[target.Length];
        for (int i = 0; i < target.Length; i++)
        {
            if (i < lead)
            {
                if (target[i] < 0)
                {
                    throw new ArgumentException($"expand: -1 is not allowed in a leading, non-existing dimension ({i})");
                }
                strides[i] = 0;
                continue;
            }
            int own = _shape[i - lead];
            if (target[i] == -1)
            {
                target[i] = own;
            }
            if (own == target[i])
            {
                strides[i] = _strides[i - lead];
            }
            else if (own == 1)
            {
                strides[i] = 0;
            }
            else
            {
                throw new ArgumentException($"expand: the expanded size of the tensor ({target[i]}) must match the existing size ({own}) at non-singleton dimension {i}; target sizes {ShapeString(shape)}, tensor shape {ShapeString(ShapeSpan)}");
            }
        }
        var y = ViewOf(target, strides, Offset);
        var inShape = ShapeArray;
        return Node.Record("expand", y, new[] { this }, g => new[] { g.SumTo(inShape) });
    }

    /// <summary>Same as <see cref="Expand"/> (NumPy's name).</summary>
    public Tensor BroadcastTo(params int[] shape) => Expand(shape);

    /// <summary>Splits into <paramref name="chunks"/> views of (nearly) equal size along a dimension.</summary>
    public Tensor[] Chunk(int chunks, int dim = 0)
    {
        if (chunks <= 0)
        {
            throw new ArgumentException($"chunk: number of chunks must be positive, got {chunks}");
        }
        int d = ShapeUtil.NormDim(dim, Dim, "chunk");
        int size = (_shape[d] + chunks - 1) / chunks;
        return Split(Math.Max(size, 1), d);
    }

    /// <summary>Splits into views of <paramref name="splitSize"/> along a dimension (the last may be smaller).</summary>
    public Tensor[] Split(int splitSize, int dim = 0)
    {
        if (splitSize <= 0)
        {
            throw new ArgumentException($"split: split_size must be positive, got {splitSize}");
        }
        int d = ShapeUtil.NormDim(dim, Dim, "split");
        var parts = new List<Tensor>();
        for (int s = 0; s < _shape[d]; s += splitSize)
        {
            parts.Add(Narrow(d, s, Math.Min(splitSize, _shape[d] - s)));
        }
        if (parts.Count == 0)
        {
            parts.Add(Narrow(d, 0, 0));
        }
        return parts.ToArray();
    }

    /// <summary>Splits into views with the given sizes along a dimension.</summary>
    public Tensor[] Split(int[] sizes, int dim = 0)
    {
        int d = ShapeUtil.NormDim(dim, Dim, "split");
        if (sizes.Sum() != _shape[d] || sizes.Any(s => s < 0))
        {
            throw new ArgumentException($"split: sizes ({string.Join(", ", sizes)}) must be non-negative and sum to the dimension size {_shape[d]}");
        }
        var parts = new Tensor[sizes.Length];
        int start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            parts[i] = Narrow(d, start, sizes[i]);
            start += sizes[i];
        }
        return parts;
    }

    /// <summary>
    /// Sums a gradient of a broadcast shape back to <paramref name="shape"/> (over leading dims and
    /// dims where <paramref name="shape"/> has size 1).
    /// </summary>
    public Tensor SumTo(ReadOnlySpan<int> shape)
    {
        if (ShapeUtil.SameShape(ShapeSpan, shape))
        {
            return this;
        }
        int lead = Dim - shape.Length;
        if (lead < 0)
        {
            throw new ArgumentException($"sum_to: cannot reduce shape {ShapeString(ShapeSpan)} to the larger shape {ShapeString(shape)}");
        }
        var dims = new List<int>();
        for (int i = 0; i < Dim; i++)
        {
            if (i < lead || (shape[i - lead] == 1 && _shape[i] != 1))
            {
                dims.Add(i);
            }
            else if (shape[i - lead] != _shape[i])
            {
                throw new ArgumentException($"sum_to: shape {ShapeString(ShapeSpan)} cannot be reduced to {ShapeString(shape)}");
            }
        }
        var r = dims.Count == 0 ? this : Sum(dims.ToArray(), keepDim: true);
        return r.Reshape(shape.ToArray());
    }

    // ---------------------------------------------------------------- in-place writes

    /// <summary>Copies <paramref name="src"/> (broadcast to this shape) into this tensor, in place.</summary>
    public Tensor CopyFrom_(Tensor src)
    {
        CheckInPlace("copy_");
        CheckDevice("copy_", this, src);
        Span<int> bs = stackalloc int[Dim];
        ShapeUtil.Broadcast(src.ShapeSpan, ShapeSpan, "copy_");
        if (src.Dim > Dim)
        {
            throw new ArgumentException($"copy_: source shape {ShapeString(src.ShapeSpan)} does not broadcast to {ShapeString(ShapeSpan)}");
        }
        ShapeUtil.BroadcastStrides(src.ShapeSpan, src.StridesSpan, ShapeSpan, bs);
        for (int i = 0; i < Dim; i++)
        {
            int sd = i - (Dim - src.Dim);
            if (sd >= 0 && src._shape[sd] != _shape[i] && src._shape[sd] != 1)
            {
                throw new ArgumentException($"copy_: source shape {ShapeString(src.ShapeSpan)} does not broadcast to {ShapeString(ShapeSpan)}");
            }
        }
        Backend.Copy(new Backends.Operand(src.Storage, src.Offset, bs), AsOperand(), ShapeSpan);
        BumpVersion();
        return this;
    }

    /// <summary>Sets every element to <paramref name="value"/>, in place.</summary>
    public Tensor Fill_(double value)
    {
        CheckInPlace("fill_");
        Backend.Fill(AsOperand(), ShapeSpan, value);
        BumpVersion();
        return this;
    }

    /// <summary>Sets every element to zero, in place.</summary>
    public Tensor Zero_() => Fill_(0);

    internal void CheckInPlace(string op)
    {
        if (GradMode.IsEnabled && RequiresGrad)
        {
            throw new InvalidOperationException(IsLeaf
                ? $"{op}: a leaf tensor that requires grad (shape {ShapeString(ShapeSpan)}) is being used in an in-place operation; wrap it in GradMode.NoGrad()"
                : $"{op}: in-place operations on a tensor that is part of the autograd graph (shape {ShapeString(ShapeSpan)}, produced by '{GradFn!.Name}') are not supported; use the out-of-place op");
        }
    }
}
