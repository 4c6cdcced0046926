using ILGPU;

namespace Engine.Gpu.Kernels;

/// <summary>
/// Sizes, offsets and flags of one fused LSTM cell launch as a kernel parameter (mirrors
/// Engine.Backends.LstmCellParams; the Has* flags say which optional views are real).
/// </summary>
public struct LstmGeom
{
    public int Batch, Hidden, GatesOff, CPrevOff, COff, HPrevOff, HOff, DcPrevOff, ActOff, OutOff, ValidOff;
    public int HasHh, HasOut, HasValid, HasDh, HasDy, HasDc, ZeroDh, Step;
}

/// <summary>
/// The fused LSTM cell, one thread per (row, unit) in a grid-stride loop, gates in PyTorch's order
/// (i, f, g, o). The float32 kernels compute in double: CUDA turns float32 exp and tanh into
/// approximate instructions, and the results must match the CPU within 1e-5 relative.
/// Absent optional views are replaced by a present one of the same type and never read.
/// </summary>
[CatalogedKernels]
public static class LstmKernels
{
    /// <summary>Forward (float32): see Backend.LstmCellForward.</summary>
    public static void ForwardF32(Index1D index, ArrayView<float> gates, ArrayView<float> hh, ArrayView<float> cPrev, ArrayView<float> c,
        ArrayView<float> h, ArrayView<float> act, ArrayView<float> output, ArrayView<byte> valid, LstmGeom g)
    {
        int n = g.Hidden, total = g.Batch * n, step = g.Step;
        for (int e = index.X; e < total; e += step)
        {
            int b = e / n, j = e - b * n;
            int pr = g.CPrevOff + e, nx = g.COff + e, hx = g.HOff + e, ar = g.ActOff + b * 5 * n + j;
            if (g.HasValid != 0 && valid[g.ValidOff + b] == 0)
            {
                c[nx] = cPrev[pr];
                h[hx] = h[g.HPrevOff + e];
                if (g.HasOut != 0)
                {
                    output[g.OutOff + e] = 0f;
                }
                continue;
            }
            int gx = g.GatesOff + b * 4 * n + j, gh = b * 4 * n + j;
            double pi = gates[gx], pf = gates[gx + n], pg = gates[gx + 2 * n], po = gates[gx + 3 * n];
            if (g.HasHh != 0)
            {
                pi += hh[gh];
                pf += hh[gh + n];
                pg += hh[gh + 2 * n];
                po += hh[gh + 3 * n];
            }
            // Each activation is rounded to float first, as the CPU kernel stores and reuses it.
            float ig = (float)Sigmoid(pi), fg = (float)Sigmoid(pf), gg = (float)Math.Tanh(pg), og = (float)Sigmoid(po);
            float cn = (float)((double)fg * cPrev[pr] + (double)ig * gg);
            float tc = (float)Math.Tanh(cn);
            float hn = og * tc;
            act[ar] = ig;
            act[ar + n] = fg;
            act[ar + 2 * n] = gg;
            act[ar + 3 * n] = og;
            act[ar + 4 * n] = tc;
            c[nx] = cn;
            h[hx] = hn;
            if (g.HasOut != 0)
            {
                output[g.OutOff + e] = hn;
            }
        }
    }

    /// <summary>Forward (float64).</summary>
    public static void ForwardF64(Index1D index, ArrayView<double> gates, ArrayView<double> hh, ArrayView<double> cPrev, ArrayView<double> c,
        ArrayView<double> h, ArrayView<double> act, ArrayView<double> output, ArrayView<byte> valid, LstmGeom g)
    {
        int n = g.Hidden, total = g.Batch * n, step = g.Step;
        for (int e = index.X; e < total; e += step)
        {
            int b = e / n, j = e - b * n;
            int pr = g.CPrevOff + e, nx = g.COff + e, hx = g.HOff + e, ar = g.ActOff + b * 5 * n + j;
            if (g.HasValid != 0 && valid[g.ValidOff + b] == 0)
            {
                c[nx] = cPrev[pr];
                h[hx] = h[g.HPrevOff + e];
                if (g.HasOut != 0)
                {
                    output[g.OutOff + e] = 0;
                }
                continue;
            }
            int gx = g.GatesOff + b * 4 * n + j, gh = b * 4 * n + j;
            double pi = gates[gx], pf = gates[gx + n], pg = gates[gx + 2 * n], po = gates[gx + 3 * n];
            if (g.HasHh != 0)
            {
                pi += hh[gh];
                pf += hh[gh + n];
                pg += hh[gh + 2 * n];
                po += hh[gh + 3 * n];
            }
            double ig = Sigmoid(pi), fg = Sigmoid(pf), gg = Math.Tanh(pg), og = Sigmoid(po);
            double cn = fg * cPrev[pr] + ig * gg;
            double tc = Math.Tanh(cn);
            double hn = og * tc;
            act[ar] = ig;
            act[ar + n] = fg;
            act[ar + 2 * n] = gg;
            act[ar + 3 * n] = og;
            act[ar + 4 * n] = tc;
            c[nx] = cn;
            h[hx] = hn;
            if (g.HasOut != 0)
            {
                output[g.OutOff + e] = hn;
            }
        }
    }

    /// <summary>
    /// Backward: see Backend.LstmCellBackward. Only products and sums of the saved activations, so
    /// one generic kernel serves both float types (no approximate float32 math to avoid).
    /// </summary>
    public static void Backward<T>(Index1D index, ArrayView<T> act, ArrayView<T> cPrev, ArrayView<T> dh, ArrayView<T> dy,
        ArrayView<T> dc, ArrayView<T> dGates, ArrayView<T> dcPrev, ArrayView<byte> valid, LstmGeom g)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int n = g.Hidden, total = g.Batch * n, step = g.Step;
        T one = T.One, zero = T.Zero;
        for (int e = index.X; e < total; e += step)
        {
            int b = e / n, j = e - b * n;
            int hx = g.HOff + e, cx = g.COff + e, dp = g.DcPrevOff + e, gr = g.GatesOff + b * 4 * n + j, ar = g.ActOff + b * 5 * n + j;
            if (g.HasValid != 0 && valid[g.ValidOff + b] == 0)
            {
                dGates[gr] = zero;
                dGates[gr + n] = zero;
                dGates[gr + 2 * n] = zero;
                dGates[gr + 3 * n] = zero;
                dcPrev[dp] = g.HasDc != 0 ? dc[cx] : zero;
                continue;
            }
            T ig = act[ar], fg = act[ar + n], gg = act[ar + 2 * n], og = act[ar + 3 * n], tc = act[ar + 4 * n];
            T dhn = (g.HasDh != 0 ? dh[hx] : zero) + (g.HasDy != 0 ? dy[g.OutOff + e] : zero);
            T dcn = (g.HasDc != 0 ? dc[cx] : zero) + dhn * og * (one - tc * tc);
            dGates[gr] = dcn * gg * ig * (one - ig);
            dGates[gr + n] = dcn * cPrev[g.CPrevOff + e] * fg * (one - fg);
            dGates[gr + 2 * n] = dcn * ig * (one - gg * gg);
            dGates[gr + 3 * n] = dhn * tc * og * (one - og);
            dcPrev[dp] = dcn * fg;
            if (g.ZeroDh != 0)
            {
                dh[hx] = zero;
            }
        }
    }

    private static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));
}
