using Engine.Autograd;
using Engine.Backends;

namespace Engine;

public static partial class Functional
{
    /// <summary>
    /// The LSTM cell nonlinearity as one fused op on any device: gates (B, 4H) are the summed
    /// pre-activations x W_ih^T + b_ih + h W_hh^T + b_hh in PyTorch's order (i, f, g, o);
    /// c = sigmoid(f) cPrev + sigmoid(i) tanh(g) and h = sigmoid(o) tanh(c), each (B, H).
    /// Backward runs the fused backward kernel from the saved activations.
    /// </summary>
    public static (Tensor H, Tensor C) LstmCell(Tensor gates, Tensor cPrev)
    {
        const string op = "lstm_cell";
        Tensor.CheckSame(op, gates, cPrev);
        gates.CheckFloating(op);
        if (gates.Dim != 2 || cPrev.Dim != 2 || gates.Size(1) % 4 != 0 || gates.Size(0) != cPrev.Size(0) || gates.Size(1) != 4 * cPrev.Size(1))
        {
            throw new ArgumentException($"{op}: expected gates (B, 4H) and c_prev (B, H), got {Tensor.ShapeString(gates.ShapeSpan)} and {Tensor.ShapeString(cPrev.ShapeSpan)}");
        }
        int batch = cPrev.Size(0), hidden = cPrev.Size(1), bh = batch * hidden;
        var gc = gates.Compact();
        var cc = cPrev.Compact();
        // h and c share one (2, B, H) output so that a single node receives both gradients.
        var packed = Tensor.Empty(new[] { 2, batch, hidden }, gates.DType, gates.Device);
        var act = Tensor.Empty(new[] { batch, 5 * hidden }, gates.DType, gates.Device);
        var s = packed.Storage;
        var p = new LstmCellParams(batch, hidden) { COffset = bh };
        if (bh > 0)
        {
            gc.Backend.LstmCellForward(gc.Storage, null, cc.Storage, s, s, act.Storage, null, null, p);
        }
        var y = Node.Record(op, packed, new[] { gates, cPrev }, g =>
        {
            var gg = g.Compact();
            var dGates = Tensor.Empty(new[] { batch, 4 * hidden }, gg.DType, gg.Device);
            var dcPrev = Tensor.Empty(new[] { batch, hidden }, gg.DType, gg.Device);
            if (bh > 0)
            {
                var gs = gg.Storage;
                gg.Backend.LstmCellBackward(act.Storage, cc.Storage, gs, null, gs, dGates.Storage, dcPrev.Storage, null, p);
            }
            return new Tensor?[] { gates.RequiresGrad ? dGates : null, cPrev.RequiresGrad ? dcPrev : null };
        }, act, cc);
        return (y.Select(0, 0), y.Select(0, 1));
    }
}
