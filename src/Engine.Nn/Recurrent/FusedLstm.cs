using Engine.Autograd;
using Engine.Backends;

namespace Engine.Nn;

/// <summary>
/// One LSTM direction over a whole sequence as a single autograd node, on any device and for both
/// float types. Forward, per step: hh = h @ W_hh^T (one product into a scratch block), then the
/// backend's fused cell (<see cref="Backend.LstmCellForward"/>) adds the step's slice of the input
/// projection, applies the gates and writes the new state, the output and the saved activations.
/// Backward runs back-propagation through time with the fused cell backward and one product per step
/// (d(gates) @ W_hh, accumulated into the dh carry), and a single product for the hidden-weight
/// gradient at the end. Nothing is sliced through the graph, so no step's gradient is a full-size
/// tensor, and nothing is read back to the host. The composed <see cref="CellMath.Lstm"/> path stays
/// as the oracle (tests compare the two).
/// </summary>
internal static class FusedLstm
{
    /// <summary>Floating types, with the state and weights on the input's device and of its dtype.</summary>
    public static bool Supports(Tensor xProj, Tensor h0, Tensor c0, Tensor wHh) =>
        xProj.DType is DType.Float32 or DType.Float64
        && h0.DType == xProj.DType && c0.DType == xProj.DType && wHh.DType == xProj.DType
        && h0.Device.Equals(xProj.Device) && c0.Device.Equals(xProj.Device) && wHh.Device.Equals(xProj.Device);

    /// <summary>
    /// xProj (T, B, 4H) already holds W_ih x + b_ih + b_hh; h0, c0 (B, H); wHh (4H, H); masks
    /// (per step, (B, 1) Bool) or null. Returns (output (T, B, H), hN, cN).
    /// </summary>
    public static (Tensor Output, Tensor H, Tensor C) Run(Tensor xProj, Tensor h0, Tensor c0, Tensor wHh, bool reverse, Tensor[]? masks)
    {
        int steps = xProj.Size(0), batch = xProj.Size(1), hidden = h0.Size(1), g4 = 4 * hidden, bh = batch * hidden;
        var dtype = xProj.DType;
        var device = xProj.Device;
        var be = device.Backend;
        Tensor xp, w, wt, hs, cs, act, y;
        Tensor? valid = null;
        using (GradMode.NoGrad())
        {
            xp = xProj.Contiguous();
            w = wHh.Contiguous();
            // W_hh^T as a row-major (H, 4H) copy, made once: each step's product then reads plain rows.
            wt = wHh.T.Contiguous();
            if (masks is not null)
            {
                valid = Tensor.Cat(masks, 0).Contiguous(); // (T * B, 1) Bool
            }
            // States by slot: the forward direction reads slot t and writes t + 1, the reverse one reads
            // t + 1 and writes t, so the states entering steps 0..T-1 are one contiguous block either way.
            hs = Tensor.Empty(new[] { steps + 1, batch, hidden }, dtype, device);
            cs = Tensor.Empty(new[] { steps + 1, batch, hidden }, dtype, device);
            act = Tensor.Empty(new[] { steps, batch, 5 * hidden }, dtype, device);
            // Outputs, then hN and cN, in one tensor so one node receives all three gradients.
            y = Tensor.Empty(new[] { steps + 2, batch, hidden }, dtype, device);
            int first = reverse ? steps : 0;
            hs.Select(0, first).CopyFrom_(h0);
            cs.Select(0, first).CopyFrom_(c0);
            using (TensorScope.Begin())
            {
                var hh = Tensor.Empty(new[] { batch, g4 }, dtype, device);
                int[] rowMajor = { 0, hidden, 1 }, rowMajor4 = { 0, g4, 1 };
                for (int s = 0; s < steps; s++)
                {
                    int t = reverse ? steps - 1 - s : s;
                    int inSlot = reverse ? t + 1 : t, outSlot = reverse ? t : t + 1;
                    be.MatMul(new Operand(hs.Storage, hs.Offset + inSlot * bh, rowMajor), new Operand(wt.Storage, wt.Offset, rowMajor4), hh.Storage, 1, batch, g4, hidden, false);
                    var p = new LstmCellParams(batch, hidden)
                    {
                        GatesOffset = xp.Offset + t * batch * g4,
                        CPrevOffset = cs.Offset + inSlot * bh,
                        COffset = cs.Offset + outSlot * bh,
                        HPrevOffset = hs.Offset + inSlot * bh,
                        HOffset = hs.Offset + outSlot * bh,
                        ActOffset = act.Offset + t * 5 * bh,
                        OutputOffset = y.Offset + t * bh,
                        ValidOffset = valid is null ? 0 : valid.Offset + t * batch,
                    };
                    be.LstmCellForward(xp.Storage, hh.Storage, cs.Storage, cs.Storage, hs.Storage, act.Storage, y.Storage, valid?.Storage, p);
                }
            }
            int last = reverse ? 0 : steps;
            y.Select(0, steps).CopyFrom_(hs.Select(0, last));
            y.Select(0, steps + 1).CopyFrom_(cs.Select(0, last));
        }

        bool needX = xProj.RequiresGrad, needH0 = h0.RequiresGrad, needC0 = c0.RequiresGrad, needW = wHh.RequiresGrad;
        var saved = valid is null ? new[] { act, hs, cs, w } : new[] { act, hs, cs, w, valid };
        var packed = Node.Record("lstm_sequence", y, new[] { xProj, h0, c0, wHh }, gy =>
            Backward(gy, steps, batch, hidden, act, hs, cs, w, valid, reverse, needX, needH0, needC0, needW), saved);
        return (packed.Narrow(0, 0, steps), packed.Select(0, steps), packed.Select(0, steps + 1));
    }

    private static Tensor?[] Backward(Tensor gy, int steps, int batch, int hidden, Tensor act, Tensor hs, Tensor cs, Tensor w, Tensor? valid,
        bool reverse, bool needX, bool needH0, bool needC0, bool needW)
    {
        int g4 = 4 * hidden, bh = batch * hidden;
        var be = gy.Device.Backend;
        Tensor gyc, dGates, dh, dc;
        Tensor? dW = null;
        using (GradMode.NoGrad())
        {
            gyc = gy.Contiguous();
            dGates = Tensor.Empty(new[] { steps, batch, g4 }, gy.DType, gy.Device);
            // The carries start from the gradients of hN and cN and end as those of h0 and c0.
            dh = gyc.Select(0, steps).Clone();
            dc = gyc.Select(0, steps + 1).Clone();
            int[] rowMajor4 = { 0, g4, 1 }, rowMajor = { 0, hidden, 1 };
            for (int s = steps - 1; s >= 0; s--)
            {
                int t = reverse ? steps - 1 - s : s;
                int inSlot = reverse ? t + 1 : t;
                var p = new LstmCellParams(batch, hidden)
                {
                    GatesOffset = t * batch * g4,
                    CPrevOffset = cs.Offset + inSlot * bh,
                    HOffset = dh.Offset,
                    COffset = dc.Offset,
                    DcPrevOffset = dc.Offset,
                    ActOffset = act.Offset + t * 5 * bh,
                    OutputOffset = gyc.Offset + t * bh,
                    ValidOffset = valid is null ? 0 : valid.Offset + t * batch,
                };
                be.LstmCellBackward(act.Storage, cs.Storage, dh.Storage, gyc.Storage, dc.Storage, dGates.Storage, dc.Storage, valid?.Storage, p);
                // dh_prev = d(gates) @ W_hh. With lengths, the kernel zeroed dh on valid rows and padded rows
                // (zero d(gates)) keep their carry, so the product accumulates.
                be.MatMul(new Operand(dGates.Storage, t * batch * g4, rowMajor4), new Operand(w.Storage, w.Offset, rowMajor), dh.Storage,
                    1, batch, hidden, g4, valid is not null);
            }
            if (needW)
            {
                // dW_hh = sum over steps of d(gates)^T h_prev: one (4H, T*B) @ (T*B, H) product.
                dW = Tensor.Empty(new[] { g4, hidden }, gy.DType, gy.Device);
                int firstPrev = reverse ? 1 : 0;
                be.MatMul(new Operand(dGates.Storage, 0, new[] { 0, 1, g4 }), new Operand(hs.Storage, hs.Offset + firstPrev * bh, rowMajor), dW.Storage,
                    1, g4, hidden, steps * batch, false);
            }
        }
        return new[] { needX ? dGates : null, needH0 ? dh : null, needC0 ? dc : null, dW };
    }
}
