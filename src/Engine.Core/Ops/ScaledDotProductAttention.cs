using Engine.Autograd;
using Engine.Backends;

namespace Engine;

public static partial class Functional
{
    /// <summary>
    /// softmax(query key^T scale + mask) value as one fused op on any device, like PyTorch's
    /// torch.nn.functional.scaled_dot_product_attention (no dropout): query (..., L, E), key (..., S, E),
    /// value (..., S, Ev), leading dims broadcast; returns (..., L, Ev). attnMask is Bool (true = the
    /// key takes part) or of the query's dtype (added to the scores), broadcastable to (..., L, S);
    /// isCausal hides key j from query i when j &gt; i (top-left aligned when L != S). scale defaults to
    /// 1 / sqrt(E). A query row with every key masked gives NaN (PyTorch 2.0 to 2.4 and a composed
    /// softmax do the same; PyTorch 2.5+ returns 0 there). One autograd node gives dQ, dK and dV from
    /// the saved output and per-row log-sum-exp; the mask gets no gradient.
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? attnMask = null, bool isCausal = false,
        double? scale = null)
    {
        const string op = "scaled_dot_product_attention";
        string Shapes() => $"query {Tensor.ShapeString(query.ShapeSpan)}, key {Tensor.ShapeString(key.ShapeSpan)}, value {Tensor.ShapeString(value.ShapeSpan)}"
            + (attnMask is null ? "" : $", attn_mask {Tensor.ShapeString(attnMask.ShapeSpan)}");
        Tensor.CheckSame(op, query, key);
        Tensor.CheckSame(op, query, value);
        query.CheckFloating(op);
        if (query.Dim < 2 || key.Dim < 2 || value.Dim < 2)
        {
            throw new ArgumentException($"{op}: query, key and value need at least 2 dims (..., L, E), (..., S, E), (..., S, Ev); got {Shapes()}");
        }
        int l = query.Size(-2), e = query.Size(-1), s = key.Size(-2), ev = value.Size(-1);
        if (key.Size(-1) != e)
        {
            throw new ArgumentException($"{op}: query and key must share the last dim E, got {Shapes()}");
        }
        if (value.Size(-2) != s)
        {
            throw new ArgumentException($"{op}: key and value must share the sequence length S (dim -2), got {Shapes()}");
        }
        if (attnMask is not null && isCausal)
        {
            throw new ArgumentException($"{op}: pass either attn_mask or is_causal, not both (got {Shapes()} and is_causal = true)");
        }
        int[] batch;
        try
        {
            batch = ShapeUtil.Broadcast(ShapeUtil.Broadcast(query.ShapeSpan[..^2], key.ShapeSpan[..^2], op), value.ShapeSpan[..^2], op);
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"{op}: the batch dims of query, key and value cannot be broadcast together: {Shapes()}");
        }
        int nb = ShapeUtil.Numel(batch);
        double sc = scale ?? 1.0 / Math.Sqrt(e);
        var p = new ScaledDotProductAttentionParams(nb, l, s, e, ev, sc) { IsCausal = isCausal };
        Tensor? mask = null;
        if (attnMask is not null)
        {
            (mask, p) = PrepareMask(op, attnMask, query, batch, l, s, p, Shapes);
        }

        int[] outShape = [.. batch, l, ev];
        Tensor q3, k3, v3;
        using (GradMode.NoGrad())
        {
            q3 = Batched(query, batch, nb, l, e);
            k3 = Batched(key, batch, nb, s, e);
            v3 = Batched(value, batch, nb, s, ev);
        }
        // No keys: softmax over an empty row and an empty product give zeros (as PyTorch's composed ops).
        bool empty = s == 0 || nb == 0 || l == 0 || ev == 0;
        var output = empty ? Tensor.Zeros(outShape, query.DType, query.Device) : Tensor.Empty(outShape, query.DType, query.Device);
        var lse = Tensor.Empty([nb, l], query.DType, query.Device);
        if (!empty)
        {
            q3.Backend.ScaledDotProductAttentionForward(q3.Storage, k3.Storage, v3.Storage, mask?.Storage, output.Storage, lse.Storage, p);
        }
        var saved = mask is null ? new[] { q3, k3, v3, output, lse } : new[] { q3, k3, v3, output, lse, mask };
        return Node.Record(op, output, new[] { query, key, value }, g =>
        {
            // Every element is written by the backward kernels unless there is nothing to attend over.
            Tensor Grad(int[] shape) => empty ? Tensor.Zeros(shape, g.DType, g.Device) : Tensor.Empty(shape, g.DType, g.Device);
            var dq = Grad([nb, l, e]);
            var dk = Grad([nb, s, e]);
            var dv = Grad([nb, s, ev]);
            if (!empty)
            {
                var gc = g.Compact();
                gc.Backend.ScaledDotProductAttentionBackward(q3.Storage, k3.Storage, v3.Storage, mask?.Storage, output.Storage, lse.Storage, gc.Storage,
                    dq.Storage, dk.Storage, dv.Storage, p);
            }
            return new[]
            {
                query.RequiresGrad ? Unbatched(dq, batch, query) : null,
                key.RequiresGrad ? Unbatched(dk, batch, key) : null,
                value.RequiresGrad ? Unbatched(dv, batch, value) : null,
            };
        }, saved);
    }

    /// <summary>x (..., n, d) expanded to the batch dims and laid out as a dense (B, n, d) block from element 0.</summary>
    private static Tensor Batched(Tensor x, int[] batch, int nb, int n, int d)
    {
        var full = x.Dim - 2 == batch.Length && x.ShapeSpan[..^2].SequenceEqual(batch) ? x : x.Expand([.. batch, n, d]);
        return full.Compact().View(nb, n, d);
    }

    /// <summary>A (B, n, d) gradient viewed with the batch dims and summed back to the input's shape.</summary>
    private static Tensor Unbatched(Tensor g, int[] batch, Tensor input)
    {
        var full = g.View([.. batch, input.Size(-2), input.Size(-1)]);
        return full.ShapeSpan.SequenceEqual(input.ShapeSpan) ? full : full.SumTo(input.ShapeSpan);
    }

    /// <summary>
    /// The mask as an additive tensor of the query's dtype viewed over (B, L, S) with one batch stride
    /// (materialised only when its batch dims cannot be collapsed into one).
    /// </summary>
    private static (Tensor Mask, ScaledDotProductAttentionParams P) PrepareMask(string op, Tensor attnMask, Tensor query, int[] batch, int l, int s,
        ScaledDotProductAttentionParams p, Func<string> shapes)
    {
        Tensor.CheckDevice(op, query, attnMask);
        if (attnMask.DType != DType.Bool && attnMask.DType != query.DType)
        {
            throw new ArgumentException($"{op}: attn_mask must be Bool or of the query's dtype {query.DType}, got {attnMask.DType} ({shapes()})");
        }
        if (attnMask.RequiresGrad && GradMode.IsEnabled)
        {
            throw new NotSupportedException($"{op}: a float attn_mask that requires grad is not supported (the mask gets no gradient); detach it ({shapes()})");
        }
        int[] target = [.. batch, l, s];
        bool fits = attnMask.Dim <= target.Length;
        for (int i = 0; fits && i < attnMask.Dim; i++)
        {
            int d = attnMask.Size(i), t = target[target.Length - attnMask.Dim + i];
            fits = d == t || d == 1;
        }
        if (!fits)
        {
            throw new ArgumentException($"{op}: attn_mask of shape {Tensor.ShapeString(attnMask.ShapeSpan)} cannot be broadcast to the scores' shape {Tensor.ShapeString(target)} ({shapes()})");
        }
        Tensor additive;
        using (GradMode.NoGrad())
        {
            additive = attnMask.DType == DType.Bool
                ? Tensor.Where(attnMask, Tensor.Scalar(0, query.DType, query.Device), Tensor.Scalar(double.NegativeInfinity, query.DType, query.Device))
                : attnMask;
            additive = additive.Expand(target);
        }
        // Collapse the batch dims into one stride: every dim of size > 1 must step by the next one's extent.
        var strides = additive.StridesSpan;
        int stride = 0, extent = -1;
        bool collapses = true;
        for (int i = batch.Length - 1; i >= 0; i--)
        {
            if (batch[i] == 1)
            {
                continue;
            }
            if (extent < 0)
            {
                stride = strides[i];
                extent = strides[i] * batch[i];
            }
            else if (strides[i] != extent)
            {
                collapses = false;
                break;
            }
            else
            {
                extent = strides[i] * batch[i];
            }
        }
        if (!collapses)
        {
            additive = additive.Compact();
            strides = additive.StridesSpan;
            stride = l * s;
        }
        int r = target.Length;
        return (additive, p with { MaskOffset = additive.Offset, MaskBatchStride = stride, MaskRowStride = strides[r - 2], MaskColStride = strides[r - 1] });
    }
}
