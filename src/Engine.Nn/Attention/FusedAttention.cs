using System.Numerics;
using Engine.Autograd;
using Engine.Kernels;

namespace Engine.Nn;

/// <summary>
/// The core of multi-head attention on the CPU as one autograd node: per batch entry and head,
/// scores = scale * Q K^T (+ mask), softmax, ctx = P V, and the matching backward, with every
/// product a strided GEMM that reads the heads straight out of the projections and writes the
/// context straight into the merged (L, B, E) layout. The composed path (reshape, permute,
/// batched matmul, softmax) made a copy at every layout change and, in backward, a full-size
/// zero tensor per chunk; this makes none. Batch entries are independent, so the cores split them.
/// The composed path in <see cref="MultiheadAttention"/> stays as the oracle and runs elsewhere
/// (other devices, attention dropout, differentiable weights or masks).
/// </summary>
internal static class FusedAttention
{
    /// <summary>Whether the fused path applies: CPU, float32/64, all on one device, last strides 1.</summary>
    public static bool Supports(Tensor q, Tensor k, Tensor v, Tensor? mask) =>
        q.Device.Kind == DeviceKind.Cpu && q.DType is DType.Float32 or DType.Float64
        && k.DType == q.DType && v.DType == q.DType && k.Device.Equals(q.Device) && v.Device.Equals(q.Device)
        && q.Dim == 3 && k.Dim == 3 && v.Dim == 3 && q.Stride(2) == 1 && k.Stride(2) == 1 && v.Stride(2) == 1
        && (mask is null || (mask.DType == q.DType && mask.Device.Equals(q.Device) && !mask.RequiresGrad));

    /// <summary>
    /// q (L, B, *), k and v (S, B, *) with any strides but a unit last one; the query, key and value
    /// of width E = heads * hd start at columns qCol, kCol, vCol. Either q, k and v are one tensor
    /// (self-attention on a stacked projection, columns 0, E, 2E) or three tensors of width E.
    /// mask: additive, broadcastable to (B, heads, L, S), or null. Returns the context (L, B, E),
    /// stored batch-major when <paramref name="batchMajor"/> (a transposed view of (B, L, E)), and
    /// the attention probabilities (B, heads, L, S), not differentiable.
    /// </summary>
    public static (Tensor Context, Tensor Attention) Run(Tensor q, int qCol, Tensor k, int kCol, Tensor v, int vCol, int heads, int embed,
        Tensor? mask, bool batchMajor)
    {
        bool stacked = ReferenceEquals(q, k) && ReferenceEquals(k, v);
        if (stacked ? q.Size(2) != 3 * embed || qCol != 0 || kCol != embed || vCol != 2 * embed
            : q.Size(2) != embed || k.Size(2) != embed || v.Size(2) != embed || qCol != 0 || kCol != 0 || vCol != 0
              || ReferenceEquals(q, k) || ReferenceEquals(k, v) || ReferenceEquals(q, v))
        {
            throw new ArgumentException("attention: expected one stacked (L, B, 3E) projection or three distinct (L, B, E) ones");
        }
        int len = q.Size(0), batch = q.Size(1), src = k.Size(0), hd = embed / heads;
        var ctx = Layout(len, batch, embed, batchMajor, q);
        var attn = Tensor.Empty(new[] { batch, heads, len, src }, q.DType, q.Device);
        Tensor? m = mask?.Expand(batch, heads, len, src);
        var a = new Args(q, qCol, k, kCol, v, vCol, heads, hd, len, src, m);
        using (GradMode.NoGrad())
        {
            ForBatches(batch, b => Forward(a, ctx, attn, b));
        }
        var inputs = stacked ? new[] { q } : new[] { q, k, v };
        var saved = m is null ? new[] { q, k, v, attn } : new[] { q, k, v, attn, m };
        var y = Node.Record("attention", ctx, inputs, g => Backward(a, attn, g, stacked, batchMajor), saved);
        return (y, attn);
    }

    private sealed record Args(Tensor Q, int QCol, Tensor K, int KCol, Tensor V, int VCol, int Heads, int Hd, int Len, int Src, Tensor? Mask)
    {
        public double Scale => 1.0 / Math.Sqrt(Hd);
    }

    /// <summary>A contiguous (rows, B, E) tensor, or the (rows, B, E) view of a contiguous (B, rows, E) one.</summary>
    private static Tensor Layout(int rows, int batch, int width, bool batchMajor, Tensor like) => batchMajor
        ? Tensor.Empty(new[] { batch, rows, width }, like.DType, like.Device).Transpose(0, 1)
        : Tensor.Empty(new[] { rows, batch, width }, like.DType, like.Device);

    private static void ForBatches(int batch, Action<int> body)
    {
        Parallelism.ForRanges(batch, 1, (lo, hi) =>
        {
            for (long b = lo; b < hi; b++)
            {
                body((int)b);
            }
        });
    }

    private static void Forward(Args a, Tensor ctx, Tensor attn, int b)
    {
        if (a.Q.DType == DType.Float32)
        {
            Forward<float>(a, ctx, attn, b);
        }
        else
        {
            Forward<double>(a, ctx, attn, b);
        }
    }

    private static Span<T> S<T>(Tensor t) where T : unmanaged => ((CpuStorage<T>)t.Storage).Span;

    /// <summary>Element offset of column <paramref name="col"/> of batch entry b in an (rows, B, *) view.</summary>
    private static int At(Tensor t, int b, int col) => t.Offset + b * t.Stride(1) + col;

    private static void Forward<T>(Args a, Tensor ctx, Tensor attn, int b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = a.Heads, hd = a.Hd, l = a.Len, s = a.Src, ls = l * s, pb = b * h * ls;
        var p = S<T>(attn);
        // scores[h] = scale * Q_h (L x hd) @ K_h^T (hd x S), heads hd columns apart.
        Gemm.Batched(h, l, s, hd, T.CreateTruncating(a.Scale),
            S<T>(a.Q), new MatrixView(At(a.Q, b, a.QCol), a.Q.Stride(0), 1), hd,
            S<T>(a.K), new MatrixView(At(a.K, b, a.KCol), 1, a.K.Stride(0)), hd,
            T.Zero, p, new MatrixView(pb, s, 1), ls);
        if (a.Mask is Tensor m)
        {
            AddMask(S<T>(m), m, p, b, h, l, s, pb);
        }
        Kernels.Softmax.ForwardSerial<T>(p.Slice(pb, h * ls), p.Slice(pb, h * ls), h * l, s, false);
        // ctx[:, b, h*hd:(h+1)*hd] = P_h (L x S) @ V_h (S x hd).
        Gemm.Batched(h, l, hd, s, T.One,
            p, new MatrixView(pb, s, 1), ls,
            S<T>(a.V), new MatrixView(At(a.V, b, a.VCol), a.V.Stride(0), 1), hd,
            T.Zero, S<T>(ctx), new MatrixView(At(ctx, b, 0), ctx.Stride(0), 1), hd);
    }

    private static void AddMask<T>(Span<T> mask, Tensor m, Span<T> p, int b, int heads, int l, int s, int pb)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int sb = m.Stride(0), sh = m.Stride(1), sl = m.Stride(2), ss = m.Stride(3);
        for (int h = 0; h < heads; h++)
        {
            for (int i = 0; i < l; i++)
            {
                int mo = m.Offset + b * sb + h * sh + i * sl;
                var row = p.Slice(pb + (h * l + i) * s, s);
                if (ss == 1)
                {
                    System.Numerics.Tensors.TensorPrimitives.Add(row, mask.Slice(mo, s), row);
                }
                else
                {
                    for (int j = 0; j < s; j++)
                    {
                        row[j] += mask[mo + j * ss];
                    }
                }
            }
        }
    }

    private static Tensor?[] Backward(Args a, Tensor attn, Tensor g, bool stacked, bool batchMajor)
    {
        using (GradMode.NoGrad())
        {
            var gc = g.Stride(2) == 1 ? g : g.Contiguous();
            int batch = a.Q.Size(1), e = a.Heads * a.Hd;
            Tensor dq, dk, dv;
            if (stacked)
            {
                dq = dk = dv = Layout(a.Len, batch, 3 * e, batchMajor, a.Q);
            }
            else
            {
                dq = Layout(a.Len, batch, e, batchMajor, a.Q);
                dk = Layout(a.Src, batch, e, a.K.Stride(1) > a.K.Stride(0), a.K);
                dv = Layout(a.Src, batch, e, a.V.Stride(1) > a.V.Stride(0), a.V);
            }
            var ds = Tensor.Empty(attn.Shape, attn.DType, attn.Device);
            var d = new Grads(gc, dq, dk, dv, ds);
            ForBatches(batch, b =>
            {
                if (a.Q.DType == DType.Float32)
                {
                    Backward<float>(a, attn, d, b);
                }
                else
                {
                    Backward<double>(a, attn, d, b);
                }
            });
            return stacked ? new Tensor?[] { dq } : new Tensor?[] { dq, dk, dv };
        }
    }

    private sealed record Grads(Tensor G, Tensor Dq, Tensor Dk, Tensor Dv, Tensor Ds);

    private static void Backward<T>(Args a, Tensor attn, Grads d, int b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = a.Heads, hd = a.Hd, l = a.Len, s = a.Src, ls = l * s, pb = b * h * ls;
        var p = S<T>(attn);
        var ds = S<T>(d.Ds);
        var g = S<T>(d.G);
        var gv = new MatrixView(At(d.G, b, 0), d.G.Stride(0), 1);
        T scale = T.CreateTruncating(a.Scale);
        // dP_h = dCtx_h (L x hd) @ V_h^T (hd x S).
        Gemm.Batched(h, l, s, hd, T.One,
            g, gv, hd,
            S<T>(a.V), new MatrixView(At(a.V, b, a.VCol), 1, a.V.Stride(0)), hd,
            T.Zero, ds, new MatrixView(pb, s, 1), ls);
        // dV_h = P_h^T (S x L) @ dCtx_h (L x hd).
        Gemm.Batched(h, s, hd, l, T.One,
            p, new MatrixView(pb, 1, s), ls,
            g, gv, hd,
            T.Zero, S<T>(d.Dv), new MatrixView(At(d.Dv, b, a.VCol), d.Dv.Stride(0), 1), hd);
        // dScores = P * (dP - rowsum(dP * P)), in place.
        Kernels.Softmax.BackwardSerial<T>(p.Slice(pb, h * ls), ds.Slice(pb, h * ls), ds.Slice(pb, h * ls), h * l, s, false);
        // dQ_h = scale * dScores_h (L x S) @ K_h (S x hd); dK_h = scale * dScores_h^T (S x L) @ Q_h (L x hd).
        Gemm.Batched(h, l, hd, s, scale,
            ds, new MatrixView(pb, s, 1), ls,
            S<T>(a.K), new MatrixView(At(a.K, b, a.KCol), a.K.Stride(0), 1), hd,
            T.Zero, S<T>(d.Dq), new MatrixView(At(d.Dq, b, a.QCol), d.Dq.Stride(0), 1), hd);
        Gemm.Batched(h, s, hd, l, scale,
            ds, new MatrixView(pb, 1, s), ls,
            S<T>(a.Q), new MatrixView(At(a.Q, b, a.QCol), a.Q.Stride(0), 1), hd,
            T.Zero, S<T>(d.Dk), new MatrixView(At(d.Dk, b, a.KCol), d.Dk.Stride(0), 1), hd);
    }
}
