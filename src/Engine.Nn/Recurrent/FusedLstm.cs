using Engine.Autograd;
using Engine.Backends;

namespace Engine.Nn;

/// <summary>
/// One LSTM direction over a whole sequence as a single autograd node, on any device and for both
/// float types. Forward: the input projection x W_ih^T + (b_ih + b_hh) for all steps as one product
/// accumulated onto the bias rows (no separate bias pass); then per step: hh = h @ W_hh^T (one product into a scratch block), then the
/// backend's fused cell (<see cref="Backend.LstmCellForward"/>) adds the step's slice of the input
/// projection, applies the gates and writes the new state, the output and the saved activations.
/// Backward runs back-propagation through time with the fused cell backward and one product per step
/// (d(gates) @ W_hh, accumulated into the dh carry), and a single product for the hidden-weight
/// gradient at the end; the input projection's gradients are one product each (its weight gradient
/// computed as x^T d(gates), whose operands pack cheaply, then transposed) and one column sum for
/// the bias. Nothing is sliced through the graph, so no step's gradient is a full-size
/// tensor, and nothing is read back to the host. The composed <see cref="CellMath.Lstm"/> path stays
/// as the oracle (tests compare the two).
/// </summary>
internal static class FusedLstm
{
    /// <summary>Floating types, with the state and weights on the input's device and of its dtype.</summary>
    public static bool Supports(Tensor x, Tensor wIh, Tensor? bias, Tensor h0, Tensor c0, Tensor wHh) =>
        x.DType is DType.Float32 or DType.Float64
        && wIh.DType == x.DType && (bias is null || bias.DType == x.DType) && h0.DType == x.DType && c0.DType == x.DType && wHh.DType == x.DType
        && wIh.Device.Equals(x.Device) && (bias is null || bias.Device.Equals(x.Device))
        && h0.Device.Equals(x.Device) && c0.Device.Equals(x.Device) && wHh.Device.Equals(x.Device);

    /// <summary>
    /// x (T, B, in); wIh (4H, in); bias (4H) = b_ih + b_hh or null; h0, c0 (B, H); wHh (4H, H); masks
    /// (per step, (B, 1) Bool) or null. Returns (output (T, B, H), hN, cN).
    /// </summary>
    public static (Tensor Output, Tensor H, Tensor C) Run(Tensor x, Tensor wIh, Tensor? bias, Tensor h0, Tensor c0, Tensor wHh, bool reverse, Tensor[]? masks)
    {
        int steps = x.Size(0), batch = x.Size(1), inSize = x.Size(2), hidden = h0.Size(1), g4 = 4 * hidden, bh = batch * hidden;
        var dtype = x.DType;
        var device = x.Device;
        var be = device.Backend;
        Tensor xc, wi, xp, w, wt, hs, cs, act, y;
        Tensor? valid = null;
        using (GradMode.NoGrad())
        {
            xc = x.Contiguous();
            wi = wIh.Contiguous();
            // xp (T, B, 4H) = x W_ih^T + bias: the bias rows first, then the product accumulated onto them.
            xp = Tensor.Empty(new[] { steps, batch, g4 }, dtype, device);
            if (bias is not null)
            {
                xp.CopyFrom_(bias);
            }
            if (steps * batch > 0)
            {
                be.MatMul(new Operand(xc.Storage, xc.Offset, new[] { 0, inSize, 1 }), new Operand(wi.Storage, wi.Offset, new[] { 0, 1, inSize }), xp.Storage,
                    1, steps * batch, g4, inSize, bias is not null);
            }
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
                var split = new BatchSplit(Parts(device, batch), batch);
                // One (rows, 4H) scratch per part for h @ W_hh^T (the product writes from offset 0).
                var hh = new Tensor[split.Count];
                for (int part = 0; part < split.Count; part++)
                {
                    hh[part] = Tensor.Empty(new[] { split.Rows(part), g4 }, dtype, device);
                }
                var f = new ForwardSteps(be, steps, batch, hidden, reverse, xp, wt, hs, cs, act, y, valid, hh, split);
                split.Run(f.Run);
            }
            int last = reverse ? 0 : steps;
            y.Select(0, steps).CopyFrom_(hs.Select(0, last));
            y.Select(0, steps + 1).CopyFrom_(cs.Select(0, last));
        }

        var inputs = bias is null ? new[] { x, wIh, h0, c0, wHh } : new[] { x, wIh, h0, c0, wHh, bias };
        var saved = valid is null ? new[] { act, hs, cs, w, xc, wi } : new[] { act, hs, cs, w, xc, wi, valid };
        var packed = Node.Record("lstm_sequence", y, inputs, gy =>
        {
            var (dGates, dh, dc, dW) = Backward(gy, steps, batch, hidden, act, hs, cs, w, valid, reverse, h0.RequiresGrad, c0.RequiresGrad, wHh.RequiresGrad);
            var (dx, dWih, db) = ProjectionBackward(dGates, xc, wi, steps * batch, inSize, g4, x.RequiresGrad, wIh.RequiresGrad, bias?.RequiresGrad ?? false);
            return bias is null ? new[] { dx, dWih, dh, dc, dW } : new[] { dx, dWih, dh, dc, dW, db };
        }, saved);
        return (packed.Narrow(0, 0, steps), packed.Select(0, steps), packed.Select(0, steps + 1));
    }

    /// <summary>
    /// Batch rows are independent through the whole recurrence, so on the CPU each core runs every
    /// step for its own block of rows: no synchronisation per step (a product split per step waited
    /// for the other core twice a step and gained nothing). Blocks are whole 8-row GEMM tiles.
    /// </summary>
    private static int Parts(Device device, int batch) =>
        device.Kind == DeviceKind.Cpu ? Math.Max(1, Math.Min(Math.Min(Kernels.Parallelism.MaxThreads, Kernels.Gemm.MaxThreads), batch / 8)) : 1;

    /// <summary>
    /// Gradients of xp = x W_ih^T + bias from d(gates) (rows, 4H): dx = d(gates) W_ih; dW_ih as
    /// (x^T d(gates))^T, whose operands pack as plain row copies (d(gates)^T as the left operand is a
    /// strided gather of the whole block); d(bias) = column sums.
    /// </summary>
    private static (Tensor? Dx, Tensor? DWih, Tensor? DBias) ProjectionBackward(Tensor dGates, Tensor xc, Tensor wi, int rows, int inSize, int g4,
        bool needX, bool needW, bool needB)
    {
        var be = dGates.Device.Backend;
        Tensor? dx = null, dWih = null, db = null;
        using (GradMode.NoGrad())
        {
            if (needX)
            {
                dx = Tensor.Empty(xc.Shape, dGates.DType, dGates.Device);
                be.MatMul(new Operand(dGates.Storage, dGates.Offset, new[] { 0, g4, 1 }), new Operand(wi.Storage, wi.Offset, new[] { 0, inSize, 1 }), dx.Storage,
                    1, rows, inSize, g4, false);
            }
            if (needW)
            {
                var dWt = Tensor.Empty(new[] { inSize, g4 }, dGates.DType, dGates.Device);
                be.MatMul(new Operand(xc.Storage, xc.Offset, new[] { 0, 1, inSize }), new Operand(dGates.Storage, dGates.Offset, new[] { 0, g4, 1 }), dWt.Storage,
                    1, inSize, g4, rows, false);
                dWih = dWt.T.Contiguous();
            }
            if (needB)
            {
                db = dGates.Reshape(rows, g4).Sum(0);
            }
        }
        return (dx, dWih, db);
    }

    private static (Tensor DGates, Tensor? Dh, Tensor? Dc, Tensor? DW) Backward(Tensor gy, int steps, int batch, int hidden, Tensor act, Tensor hs, Tensor cs,
        Tensor w, Tensor? valid, bool reverse, bool needH0, bool needC0, bool needW)
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
            var split = new BatchSplit(Parts(gy.Device, batch), batch);
            var dhs = new Tensor[split.Count];
            var dcs = new Tensor[split.Count];
            for (int part = 0; part < split.Count; part++)
            {
                int b0 = split.Start(part), rows = split.Rows(part);
                dhs[part] = gyc.Select(0, steps).Narrow(0, b0, rows).Clone();
                dcs[part] = gyc.Select(0, steps + 1).Narrow(0, b0, rows).Clone();
            }
            var bw = new BackwardSteps(be, steps, batch, hidden, reverse, gyc, act, cs, w, valid, dGates, dhs, dcs, split);
            split.Run(bw.Run);
            dh = split.Count == 1 ? dhs[0] : Tensor.Cat(dhs, 0);
            dc = split.Count == 1 ? dcs[0] : Tensor.Cat(dcs, 0);
            if (needW)
            {
                // dW_hh = sum over steps of d(gates)^T h_prev, computed as its transpose h_prev^T d(gates):
                // one (H, T*B) @ (T*B, 4H) product whose operands pack as row copies (d(gates)^T as the
                // left operand was a strided gather of the whole block, 10-15% slower), then transposed.
                var dWt = Tensor.Empty(new[] { hidden, g4 }, gy.DType, gy.Device);
                int firstPrev = reverse ? 1 : 0;
                be.MatMul(new Operand(hs.Storage, hs.Offset + firstPrev * bh, new[] { 0, 1, hidden }), new Operand(dGates.Storage, 0, new[] { 0, g4, 1 }), dWt.Storage,
                    1, hidden, g4, steps * batch, false);
                dW = dWt.T.Contiguous();
            }
        }
        return (dGates, needH0 ? dh : null, needC0 ? dc : null, dW);
    }
}
