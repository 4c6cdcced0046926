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

    /// <summary>Backward (float32): see Backend.LstmCellBackward.</summary>
    public static void BackwardF32(Index1D index, ArrayView<float> act, ArrayView<float> cPrev, ArrayView<float> dh, ArrayView<float> dy,
        ArrayView<float> dc, ArrayView<float> dGates, ArrayView<float> dcPrev, ArrayView<byte> valid, LstmGeom g)
    {
        int n = g.Hidden, total = g.Batch * n, step = g.Step;
        for (int e = index.X; e < total; e += step)
        {
            int b = e / n, j = e - b * n;
            int hx = g.HOff + e, cx = g.COff + e, dp = g.DcPrevOff + e, gr = g.GatesOff + b * 4 * n + j, ar = g.ActOff + b * 5 * n + j;
            if (g.HasValid != 0 && valid[g.ValidOff + b] == 0)
            {
                dGates[gr] = 0f;
                dGates[gr + n] = 0f;
                dGates[gr + 2 * n] = 0f;
                dGates[gr + 3 * n] = 0f;
                dcPrev[dp] = g.HasDc != 0 ? dc[cx] : 0f;
                continue;
            }
            float ig = act[ar], fg = act[ar + n], gg = act[ar + 2 * n], og = act[ar + 3 * n], tc = act[ar + 4 * n];
            float dhn = (g.HasDh != 0 ? dh[hx] : 0f) + (g.HasDy != 0 ? dy[g.OutOff + e] : 0f);
            float dcn = (g.HasDc != 0 ? dc[cx] : 0f) + dhn * og * (1f - tc * tc);
            dGates[gr] = dcn * gg * ig * (1f - ig);
            dGates[gr + n] = dcn * cPrev[g.CPrevOff + e] * fg * (1f - fg);
            dGates[gr + 2 * n] = dcn * ig * (1f - gg * gg);
            dGates[gr + 3 * n] = dhn * tc * og * (1f - og);
            dcPrev[dp] = dcn * fg;
            if (g.ZeroDh != 0)
            {
                dh[hx] = 0f;
            }
        }
    }

    /// <summary>Backward (float64).</summary>
    public static void BackwardF64(Index1D index, ArrayView<double> act, ArrayView<double> cPrev, ArrayView<double> dh, ArrayView<double> dy,
        ArrayView<double> dc, ArrayView<double> dGates, ArrayView<double> dcPrev, ArrayView<byte> valid, LstmGeom g)
    {
        int n = g.Hidden, total = g.Batch * n, step = g.Step;
        for (int e = index.X; e < total; e += step)
        {
            int b = e / n, j = e - b * n;
            int hx = g.HOff + e, cx = g.COff + e, dp = g.DcPrevOff + e, gr = g.GatesOff + b * 4 * n + j, ar = g.ActOff + b * 5 * n + j;
            if (g.HasValid != 0 && valid[g.ValidOff + b] == 0)
            {
                dGates[gr] = 0;
                dGates[gr + n] = 0;
                dGates[gr + 2 * n] = 0;
                dGates[gr + 3 * n] = 0;
                dcPrev[dp] = g.HasDc != 0 ? dc[cx] : 0;
                continue;
            }
            double ig = act[ar], fg = act[ar + n], gg = act[ar + 2 * n], og = act[ar + 3 * n], tc = act[ar + 4 * n];
            double dhn = (g.HasDh != 0 ? dh[hx] : 0) + (g.HasDy != 0 ? dy[g.OutOff + e] : 0);
            double dcn = (g.HasDc != 0 ? dc[cx] : 0) + dhn * og * (1 - tc * tc);
            dGates[gr] = dcn * gg * ig * (1 - ig);
            dGates[gr + n] = dcn * cPrev[g.CPrevOff + e] * fg * (1 - fg);
            dGates[gr + 2 * n] = dcn * ig * (1 - gg * gg);
            dGates[gr + 3 * n] = dhn * tc * og * (1 - og);
            dcPrev[dp] = dcn * fg;
            if (g.ZeroDh != 0)
            {
                dh[hx] = 0;
            }
        }
    }

    private static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));
}
