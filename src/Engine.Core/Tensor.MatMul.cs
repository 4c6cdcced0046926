using Engine.Autograd;
using Engine.Backends;

namespace Engine;

public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product with PyTorch's rules: 1-D x 1-D is a dot product, 2-D x 2-D a matrix
    /// product, 1-D operands are promoted to a row or column and the added dim removed afterwards,
    /// and leading (batch) dims broadcast.
    /// </summary>
    public Tensor MatMul(Tensor other)
    {
        CheckSame("matmul", this, other);
        CheckFloating("matmul");
        if (Dim == 0 || other.Dim == 0)
        {
            throw new ArgumentException($"matmul: both arguments need at least 1 dimension, got {ShapeString(ShapeSpan)} and {ShapeString(other.ShapeSpan)}");
        }
        if (Dim == 1 && other.Dim == 1)
        {
            if (_shape[0] != other._shape[0])
            {
                throw new ArgumentException($"matmul: 1D tensors expected to have the same size, got {_shape[0]} and {other._shape[0]}");
            }
            return Unsqueeze(0).MatMulNd(other.Unsqueeze(1)).Reshape();
        }
        if (Dim == 1)
        {
            return Unsqueeze(0).MatMulNd(other).Squeeze(-2);
        }
        if (other.Dim == 1)
        {
            return MatMulNd(other.Unsqueeze(1)).Squeeze(-1);
        }
        return MatMulNd(other);
    }

    /// <summary>y = x @ weight.T + bias (like torch.nn.functional.linear).</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (weight.Dim != 2)
        {
            throw new ArgumentException($"linear: weight must be 2-D (out_features, in_features), got {ShapeString(weight.ShapeSpan)}");
        }
        if (x.Dim == 0 || x._shape[^1] != weight._shape[1])
        {
            throw new ArgumentException($"linear: input's last dimension ({(x.Dim == 0 ? 0 : x._shape[^1])}, shape {ShapeString(x.ShapeSpan)}) does not match in_features {weight._shape[1]} of weight {ShapeString(weight.ShapeSpan)}");
        }
        var y = x.MatMul(weight.T);
        return bias is null ? y : y + bias;
    }

    /// <summary>Both operands have at least 2 dims.</summary>
    private Tensor MatMulNd(Tensor other)
    {
        int m = _shape[^2], k = _shape[^1], k2 = other._shape[^2], n = other._shape[^1];
        if (k != k2)
        {
            throw new ArgumentException($"matmul: mat1 and mat2 shapes cannot be multiplied ({ShapeString(ShapeSpan)} and {ShapeString(other.ShapeSpan)}: {k} vs {k2})");
        }
        var batchA = _shape.AsSpan(0, Dim - 2);
        var batchB = other._shape.AsSpan(0, other.Dim - 2);
        var batchShape = ShapeUtil.Broadcast(batchA, batchB, "matmul");
        int batch = ShapeUtil.Numel(batchShape);
        var outShape = batchShape.Append(m).Append(n).ToArray();
        var y = Empty(outShape, DType, Device);

        if (batch > 0 && m > 0 && n > 0)
        {
            Span<int> sa = stackalloc int[3];
            Span<int> sb = stackalloc int[3];
            var a = BatchOperand(this, batchShape, m, k, sa);
            var b = BatchOperand(other, batchShape, k, n, sb);
            if (other.Dim == 2 && batch > 1 && a.canFoldRows)
            {
                // (B, m, k) @ (k, n) with rows of A evenly spaced: one (B*m, k) @ (k, n) product.
                Span<int> fa = stackalloc int[] { 0, sa[1], sa[2] };
                Backend.MatMul(new Operand(a.t.Storage, a.t.Offset, fa), new Operand(b.t.Storage, b.t.Offset, sb), y.Storage, 1, batch * m, n, k, false);
            }
            else
            {
                Backend.MatMul(new Operand(a.t.Storage, a.t.Offset, sa), new Operand(b.t.Storage, b.t.Offset, sb), y.Storage, batch, m, n, k, false);
            }
        }
        else if (k == 0 || batch == 0 || m == 0 || n == 0)
        {
            Backend.Fill(y.AsOperand(), y.ShapeSpan, 0);
        }
        var x = this;
        return Node.Record("matmul", y, new[] { this, other }, g => new[]
        {
            x.RequiresGrad ? g.MatMulNd(other.MT).SumTo(x.ShapeSpan) : null,
            other.RequiresGrad ? x.MT.MatMulNd(g).SumTo(other.ShapeSpan) : null,
        }, this, other);
    }

    /// <summary>
    /// Describes t (batch..., r, c) broadcast to batchShape as a (batch, r, c) operand with one batch
    /// stride, copying only when the batch dims cannot be expressed with one stride.
    /// </summary>
    private static (Tensor t, bool canFoldRows) BatchOperand(Tensor t, int[] batchShape, int r, int c, Span<int> strides3)
    {
        int nb = batchShape.Length;
        Span<int> bs = stackalloc int[nb + 2];
        var full = batchShape.Append(r).Append(c).ToArray();
        ShapeUtil.BroadcastStrides(t.ShapeSpan, t.StridesSpan, full, bs);
        // One stride for all batch dims: each non-trivial batch dim's stride = next stride * next size.
        int batchStride = 0;
        bool ok = true;
        int last = -1;
        for (int i = nb - 1; i >= 0; i--)
        {
            if (batchShape[i] == 1)
            {
                continue;
            }
            if (last < 0)
            {
                batchStride = bs[i];
            }
            else if (bs[i] != bs[last] * batchShape[last])
            {
                ok = false;
                break;
            }
            last = i;
        }
        if (!ok)
        {
            Tensor copy;
            using (GradMode.NoGrad())
            {
                copy = t.Expand(full).Contiguous();
            }
            strides3[0] = r * c;
            strides3[1] = c;
            strides3[2] = 1;
            return (copy, true);
        }
        strides3[0] = batchStride;
        strides3[1] = bs[nb];
        strides3[2] = bs[nb + 1];
        return (t, batchStride == r * bs[nb] && batchStride != 0);
    }
}
