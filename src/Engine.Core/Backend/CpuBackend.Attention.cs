using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using Engine.Kernels;

namespace Engine.Backends;

/// <summary>
/// Fused scaled-dot-product attention on the CPU, one batch item at a time: the (L, S) scores as one
/// GEMM, mask and causal fill, a row softmax that keeps each row's log-sum-exp, and the weighted sum
/// of V as a second GEMM. Batch items are split across cores (one item alone: its GEMMs split).
/// Backward recomputes the probabilities from the saved log-sum-exp and runs four GEMMs
/// (dV = P^T dO, dP = dO V^T, dQ = scale dS K, dK = scale dS^T Q) around dS = P (dP - rowsum(dO o O)).
/// </summary>
public sealed partial class CpuBackend
{
    /// <inheritdoc />
    public override void ScaledDotProductAttentionForward(Storage q, Storage k, Storage v, Storage? mask, Storage o, Storage lse,
        in ScaledDotProductAttentionParams p)
    {
        if (IsDouble(q, "scaled_dot_product_attention"))
        {
            AttentionForward<double>(A<double>(q), A<double>(k), A<double>(v), OptA<double>(mask), A<double>(o), A<double>(lse), p);
        }
        else
        {
            AttentionForward<float>(A<float>(q), A<float>(k), A<float>(v), OptA<float>(mask), A<float>(o), A<float>(lse), p);
        }
    }

    /// <inheritdoc />
    public override void ScaledDotProductAttentionBackward(Storage q, Storage k, Storage v, Storage? mask, Storage o, Storage lse, Storage dO,
        Storage dq, Storage dk, Storage dv, in ScaledDotProductAttentionParams p)
    {
        if (IsDouble(q, "scaled_dot_product_attention backward"))
        {
            AttentionBackward<double>(A<double>(q), A<double>(k), A<double>(v), OptA<double>(mask), A<double>(o), A<double>(lse),
                A<double>(dO), A<double>(dq), A<double>(dk), A<double>(dv), p);
        }
        else
        {
            AttentionBackward<float>(A<float>(q), A<float>(k), A<float>(v), OptA<float>(mask), A<float>(o), A<float>(lse),
                A<float>(dO), A<float>(dq), A<float>(dk), A<float>(dv), p);
        }
    }

    private static T[] A<T>(Storage s) where T : unmanaged => ((CpuStorage<T>)s).Array;

    private static T[]? OptA<T>(Storage? s) where T : unmanaged => s is null ? null : A<T>(s);

    /// <summary>
    /// Runs body over ranges of batch items: split across cores when there are several items (the
    /// GEMMs inside a part then run on its thread), else on the caller (whose GEMMs may split).
    /// </summary>
    private static void ForBatch(int batch, Action<int, int> body)
        => Parallelism.ForRanges(batch, 1, (s, e) => body((int)s, (int)e));

    private static void AttentionForward<T>(T[] q, T[] k, T[] v, T[]? mask, T[] o, T[] lse, ScaledDotProductAttentionParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int l = p.QueryLength, s = p.KeyLength, ev = p.ValueDim;
        if (p.Batch == 0 || l == 0)
        {
            return;
        }
        ForBatch(p.Batch, (b0, b1) =>
        {
            var buf = ArrayPool<T>.Shared.Rent(l * s);
            try
            {
                var scores = buf.AsSpan(0, l * s);
                for (int b = b0; b < b1; b++)
                {
                    Scores(q, k, mask, scores, b, p);
                    for (int i = 0; i < l; i++)
                    {
                        lse[b * l + i] = SoftmaxRow(scores.Slice(i * s, s));
                    }
                    Gemm.Run(l, ev, s, T.One, scores, MatrixView.RowMajor(s), v, MatrixView.RowMajor(ev, b * s * ev),
                        T.Zero, o, MatrixView.RowMajor(ev, b * l * ev));
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(buf);
            }
        });
    }

    private static void AttentionBackward<T>(T[] q, T[] k, T[] v, T[]? mask, T[] o, T[] lse, T[] dO, T[] dq, T[] dk, T[] dv,
        ScaledDotProductAttentionParams p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int l = p.QueryLength, s = p.KeyLength, e = p.HeadDim, ev = p.ValueDim;
        if (p.Batch == 0)
        {
            return;
        }
        T scale = T.CreateTruncating(p.Scale);
        ForBatch(p.Batch, (b0, b1) =>
        {
            var buf = ArrayPool<T>.Shared.Rent(2 * l * s);
            try
            {
                var pr = buf.AsSpan(0, l * s);
                var ds = buf.AsSpan(l * s, l * s);
                for (int b = b0; b < b1; b++)
                {
                    int qo = b * l * e, ko = b * s * e, vo = b * s * ev, oo = b * l * ev;
                    // P = exp(scores - lse), row by row (a fully masked row has lse NaN and stays NaN, as in PyTorch).
                    Scores(q, k, mask, pr, b, p);
                    for (int i = 0; i < l; i++)
                    {
                        var row = pr.Slice(i * s, s);
                        TensorPrimitives.Subtract(row, lse[b * l + i], row);
                        TensorPrimitives.Exp(row, row);
                    }
                    // dV = P^T dO; dP = dO V^T.
                    Gemm.Run(s, ev, l, T.One, pr, MatrixView.RowMajor(s).Transposed, dO, MatrixView.RowMajor(ev, oo),
                        T.Zero, dv, MatrixView.RowMajor(ev, vo));
                    Gemm.Run(l, s, ev, T.One, dO, MatrixView.RowMajor(ev, oo), v, MatrixView.RowMajor(ev, vo).Transposed,
                        T.Zero, ds, MatrixView.RowMajor(s));
                    // dS = P (dP - D), D_i = dO_i . O_i (= sum_j P_ij dP_ij).
                    for (int i = 0; i < l; i++)
                    {
                        T d = TensorPrimitives.Dot<T>(dO.AsSpan(oo + i * ev, ev), o.AsSpan(oo + i * ev, ev));
                        var row = ds.Slice(i * s, s);
                        TensorPrimitives.Subtract(row, d, row);
                        TensorPrimitives.Multiply(row, pr.Slice(i * s, s), row);
                    }
                    // dQ = scale dS K; dK = scale dS^T Q.
                    Gemm.Run(l, e, s, scale, ds, MatrixView.RowMajor(s), k, MatrixView.RowMajor(e, ko), T.Zero, dq, MatrixView.RowMajor(e, qo));
                    Gemm.Run(s, e, l, scale, ds, MatrixView.RowMajor(s).Transposed, q, MatrixView.RowMajor(e, qo), T.Zero, dk, MatrixView.RowMajor(e, ko));
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(buf);
            }
        });
    }

    /// <summary>scores = scale Q_b K_b^T + mask_b, with -inf above the diagonal when causal.</summary>
    private static void Scores<T>(T[] q, T[] k, T[]? mask, Span<T> scores, int b, in ScaledDotProductAttentionParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int l = p.QueryLength, s = p.KeyLength, e = p.HeadDim;
        Gemm.Run(l, s, e, T.CreateTruncating(p.Scale), q, MatrixView.RowMajor(e, b * l * e), k, MatrixView.RowMajor(e, b * s * e).Transposed,
            T.Zero, scores, MatrixView.RowMajor(s));
        if (mask is not null)
        {
            for (int i = 0; i < l; i++)
            {
                var row = scores.Slice(i * s, s);
                int m0 = p.MaskOffset + b * p.MaskBatchStride + i * p.MaskRowStride, ms = p.MaskColStride;
                if (ms == 1)
                {
                    TensorPrimitives.Add(row, mask.AsSpan(m0, s), row);
                }
                else if (ms == 0)
                {
                    TensorPrimitives.Add(row, mask[m0], row);
                }
                else
                {
                    for (int j = 0; j < s; j++)
                    {
                        row[j] += mask[m0 + j * ms];
                    }
                }
            }
        }
        if (p.IsCausal)
        {
            for (int i = 0; i + 1 < s && i < l; i++)
            {
                scores.Slice(i * s + i + 1, s - i - 1).Fill(T.NegativeInfinity);
            }
        }
    }

    /// <summary>Softmax of one row in place; returns its log-sum-exp (NaN, and a NaN row, when every score is -inf).</summary>
    private static T SoftmaxRow<T>(Span<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T m = TensorPrimitives.Max<T>(row);
        if (T.IsNaN(m) || (T.IsInfinity(m) && m < T.Zero))
        {
            row.Fill(T.NaN);
            return T.NaN;
        }
        TensorPrimitives.Subtract(row, m, row);
        TensorPrimitives.Exp(row, row);
        T sum = TensorPrimitives.Sum<T>(row);
        TensorPrimitives.Multiply(row, T.One / sum, row);
        return m + T.Log(sum);
    }
}
