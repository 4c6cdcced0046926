namespace Engine.Nn;

/// <summary>The LSTM and GRU cell equations, with PyTorch's gate order.</summary>
internal static class CellMath
{
    /// <summary>
    /// LSTM: gates = xProj + h W_hh^T + b_hh split as (i, f, g, o); c' = sigma(f) c + sigma(i) tanh(g);
    /// h' = sigma(o) tanh(c').
    /// </summary>
    public static (Tensor H, Tensor C) Lstm(Tensor xProj, Tensor h, Tensor c, Tensor wHh, Tensor? bHh)
    {
        var hProj = Tensor.Linear(h, wHh, bHh);
        var gates = xProj + hProj;
        var parts = gates.Chunk(4, -1);
        var i = parts[0].Sigmoid();
        var f = parts[1].Sigmoid();
        var g = parts[2].Tanh();
        var o = parts[3].Sigmoid();
        var cNext = f * c + i * g;
        var hNext = o * cNext.Tanh();
        return (hNext, cNext);
    }

    /// <summary>
    /// GRU with gates (r, z, n): r = sigma(x_r + h_r), z = sigma(x_z + h_z),
    /// n = tanh(x_n + r * h_n) where h_* include b_hh; h' = (1 - z) n + z h.
    /// </summary>
    public static Tensor Gru(Tensor xProj, Tensor h, Tensor wHh, Tensor? bHh)
    {
        var hProj = Tensor.Linear(h, wHh, bHh);
        var xs = xProj.Chunk(3, -1);
        var hs = hProj.Chunk(3, -1);
        var r = (xs[0] + hs[0]).Sigmoid();
        var z = (xs[1] + hs[1]).Sigmoid();
        var n = (xs[2] + r * hs[2]).Tanh();
        return n + z * (h - n);
    }
}
