using Engine.Backends;

namespace Engine.Nn;

/// <summary>
/// Contiguous blocks of batch rows (multiples of 8 rows, a GEMM tile, except the last), one per
/// part; <see cref="Run"/> runs the parts on the kernels' shared workers (one part: inline).
/// </summary>
internal readonly struct BatchSplit
{
    private const int Unit = 8;
    private readonly int _batch;

    public BatchSplit(int parts, int batch)
    {
        _batch = batch;
        int units = (batch + Unit - 1) / Unit;
        Count = Math.Max(1, Math.Min(parts, units));
    }

    /// <summary>Number of blocks.</summary>
    public int Count { get; }

    /// <summary>First row of block <paramref name="part"/>.</summary>
    public int Start(int part)
    {
        int units = (_batch + Unit - 1) / Unit;
        return Math.Min(_batch, (int)((long)units * part / Count) * Unit);
    }

    /// <summary>Rows in block <paramref name="part"/>.</summary>
    public int Rows(int part) => Start(part + 1) - Start(part);

    /// <summary>Runs body(part) for every block, in parallel when there is more than one.</summary>
    public void Run(Action<int> body)
    {
        if (Count == 1)
        {
            body(0);
            return;
        }
        Kernels.Parallelism.ForRanges(Count, 1, (lo, hi) =>
        {
            for (long part = lo; part < hi; part++)
            {
                body((int)part);
            }
        });
    }
}

/// <summary>The forward recurrence of <see cref="FusedLstm"/> for one block of batch rows: backend calls only.</summary>
internal sealed class ForwardSteps(Backend be, int steps, int batch, int hidden, bool reverse, Tensor xp, Tensor wt, Tensor hs, Tensor cs,
    Tensor act, Tensor y, Tensor? valid, Tensor[] hh, BatchSplit split)
{
    public void Run(int part)
    {
        int g4 = 4 * hidden, bh = batch * hidden;
        int b0 = split.Start(part), rows = split.Rows(part);
        var scratch = hh[part];
        ReadOnlySpan<int> rowMajor = [0, hidden, 1], rowMajor4 = [0, g4, 1];
        for (int s = 0; s < steps; s++)
        {
            int t = reverse ? steps - 1 - s : s;
            int inSlot = reverse ? t + 1 : t, outSlot = reverse ? t : t + 1;
            // hh = h_prev[rows] @ W_hh^T, then the fused cell on those rows.
            be.MatMul(new Operand(hs.Storage, hs.Offset + inSlot * bh + b0 * hidden, rowMajor), new Operand(wt.Storage, wt.Offset, rowMajor4),
                scratch.Storage, 1, rows, g4, hidden, false);
            var p = new LstmCellParams(rows, hidden)
            {
                GatesOffset = xp.Offset + t * batch * g4 + b0 * g4,
                CPrevOffset = cs.Offset + inSlot * bh + b0 * hidden,
                COffset = cs.Offset + outSlot * bh + b0 * hidden,
                HPrevOffset = hs.Offset + inSlot * bh + b0 * hidden,
                HOffset = hs.Offset + outSlot * bh + b0 * hidden,
                ActOffset = act.Offset + t * 5 * bh + b0 * 5 * hidden,
                OutputOffset = y.Offset + t * bh + b0 * hidden,
                ValidOffset = valid is null ? 0 : valid.Offset + t * batch + b0,
            };
            be.LstmCellForward(xp.Storage, scratch.Storage, cs.Storage, cs.Storage, hs.Storage, act.Storage, y.Storage, valid?.Storage, p);
        }
    }
}

/// <summary>
/// Back-propagation through time of <see cref="FusedLstm"/> for one block of batch rows: the block's
/// d(gates) rows and its own dh/dc carries (dense (rows, H) tensors starting at offset 0).
/// </summary>
internal sealed class BackwardSteps(Backend be, int steps, int batch, int hidden, bool reverse, Tensor gyc, Tensor act, Tensor cs, Tensor w,
    Tensor? valid, Tensor dGates, Tensor[] dhs, Tensor[] dcs, BatchSplit split)
{
    public void Run(int part)
    {
        int g4 = 4 * hidden, bh = batch * hidden;
        int b0 = split.Start(part), rows = split.Rows(part);
        var dh = dhs[part];
        var dc = dcs[part];
        ReadOnlySpan<int> rowMajor = [0, hidden, 1], rowMajor4 = [0, g4, 1];
        for (int s = steps - 1; s >= 0; s--)
        {
            int t = reverse ? steps - 1 - s : s;
            int inSlot = reverse ? t + 1 : t;
            var p = new LstmCellParams(rows, hidden)
            {
                GatesOffset = t * batch * g4 + b0 * g4,
                CPrevOffset = cs.Offset + inSlot * bh + b0 * hidden,
                HOffset = dh.Offset,
                COffset = dc.Offset,
                DcPrevOffset = dc.Offset,
                ActOffset = act.Offset + t * 5 * bh + b0 * 5 * hidden,
                OutputOffset = gyc.Offset + t * bh + b0 * hidden,
                ValidOffset = valid is null ? 0 : valid.Offset + t * batch + b0,
            };
            be.LstmCellBackward(act.Storage, cs.Storage, dh.Storage, gyc.Storage, dc.Storage, dGates.Storage, dc.Storage, valid?.Storage, p);
            // dh_prev = d(gates) @ W_hh. With lengths, the kernel zeroed dh on valid rows and padded rows
            // (zero d(gates)) keep their carry, so the product accumulates.
            be.MatMul(new Operand(dGates.Storage, t * batch * g4 + b0 * g4, rowMajor4), new Operand(w.Storage, w.Offset, rowMajor), dh.Storage,
                1, rows, hidden, g4, valid is not null);
        }
    }
}
