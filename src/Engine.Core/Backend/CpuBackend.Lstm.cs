using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Engine.Kernels;

namespace Engine.Backends;

/// <summary>
/// The fused LSTM cell of the CPU backend: one pass per batch row over the hidden units, in 512- or
/// 256-bit vectors with the same sigmoid and tanh as the elementwise kernels (SigmoidFn, TanhFn), then
/// a scalar tail. Rows are independent and short (a few hundred units), so this stays on one thread.
/// </summary>
public sealed partial class CpuBackend
{
    /// <inheritdoc />
    public override void LstmCellForward(Storage gates, Storage? hh, Storage cPrev, Storage c, Storage h, Storage act,
        Storage? output, Storage? valid, in LstmCellParams p)
    {
        if (IsDouble(gates, "lstm_cell"))
        {
            LstmForward<double>(S<double>(gates), Opt<double>(hh), hh is not null, S<double>(cPrev), S<double>(c), S<double>(h), S<double>(act),
                Opt<double>(output), output is not null, Opt<bool>(valid), valid is not null, p);
        }
        else
        {
            LstmForward<float>(S<float>(gates), Opt<float>(hh), hh is not null, S<float>(cPrev), S<float>(c), S<float>(h), S<float>(act),
                Opt<float>(output), output is not null, Opt<bool>(valid), valid is not null, p);
        }
    }

    /// <inheritdoc />
    public override void LstmCellBackward(Storage act, Storage cPrev, Storage? dh, Storage? dOutput, Storage? dc,
        Storage dGates, Storage dcPrev, Storage? valid, in LstmCellParams p)
    {
        if (IsDouble(act, "lstm_cell backward"))
        {
            LstmBackward<double>(S<double>(act), S<double>(cPrev), Opt<double>(dh), dh is not null, Opt<double>(dOutput), dOutput is not null,
                Opt<double>(dc), dc is not null, S<double>(dGates), S<double>(dcPrev), Opt<bool>(valid), valid is not null, p);
        }
        else
        {
            LstmBackward<float>(S<float>(act), S<float>(cPrev), Opt<float>(dh), dh is not null, Opt<float>(dOutput), dOutput is not null,
                Opt<float>(dc), dc is not null, S<float>(dGates), S<float>(dcPrev), Opt<bool>(valid), valid is not null, p);
        }
    }

    private static void LstmForward<T>(Span<T> x, Span<T> hh, bool hasHh, Span<T> cp, Span<T> c, Span<T> h, Span<T> act,
        Span<T> y, bool hasY, Span<bool> valid, bool hasValid, in LstmCellParams p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = p.Hidden;
        // The vector loads below are unchecked: check every block's extent once per call.
        Fits(x.Length, p.GatesOffset, p.GatesLength, "gates");
        Fits(hasHh ? hh.Length : 0, 0, hasHh ? p.GatesLength : 0, "hh");
        Fits(cp.Length, p.CPrevOffset, p.StateLength, "c_prev");
        Fits(c.Length, p.COffset, p.StateLength, "c");
        Fits(h.Length, p.HOffset, p.StateLength, "h");
        Fits(hasValid ? h.Length : 0, p.HPrevOffset, hasValid ? p.StateLength : 0, "h_prev");
        Fits(act.Length, p.ActOffset, 5 * p.StateLength, "act");
        Fits(hasY ? y.Length : 0, p.OutputOffset, hasY ? p.StateLength : 0, "output");
        Fits(hasValid ? valid.Length : 0, p.ValidOffset, hasValid ? p.Batch : 0, "valid");
        for (int b = 0; b < p.Batch; b++)
        {
            int gx = p.GatesOffset + b * 4 * n, gh = b * 4 * n, pr = p.CPrevOffset + b * n, nx = p.COffset + b * n;
            int hp = p.HPrevOffset + b * n, hx = p.HOffset + b * n, ya = p.OutputOffset + b * n, ar = p.ActOffset + b * 5 * n;
            if (hasValid && !valid[p.ValidOffset + b])
            {
                // A padded step: the state passes through and the output is zero.
                cp.Slice(pr, n).CopyTo(c.Slice(nx, n));
                h.Slice(hp, n).CopyTo(h.Slice(hx, n));
                if (hasY)
                {
                    y.Slice(ya, n).Clear();
                }
                continue;
            }
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j <= n - Vector512<T>.Count; j += Vector512<T>.Count)
                {
                    var pi = L512(x, gx + j);
                    var pf = L512(x, gx + n + j);
                    var pg = L512(x, gx + 2 * n + j);
                    var po = L512(x, gx + 3 * n + j);
                    if (hasHh)
                    {
                        pi += L512(hh, gh + j);
                        pf += L512(hh, gh + n + j);
                        pg += L512(hh, gh + 2 * n + j);
                        po += L512(hh, gh + 3 * n + j);
                    }
                    var ig = SigmoidFn.Apply(pi);
                    var fg = SigmoidFn.Apply(pf);
                    var gg = TanhFn.Apply(pg);
                    var og = SigmoidFn.Apply(po);
                    var cn = fg * L512(cp, pr + j) + ig * gg;
                    var tc = TanhFn.Apply(cn);
                    var hn = og * tc;
                    S512(act, ar + j, ig);
                    S512(act, ar + n + j, fg);
                    S512(act, ar + 2 * n + j, gg);
                    S512(act, ar + 3 * n + j, og);
                    S512(act, ar + 4 * n + j, tc);
                    S512(c, nx + j, cn);
                    S512(h, hx + j, hn);
                    if (hasY)
                    {
                        S512(y, ya + j, hn);
                    }
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                for (; j <= n - Vector256<T>.Count; j += Vector256<T>.Count)
                {
                    var pi = L256(x, gx + j);
                    var pf = L256(x, gx + n + j);
                    var pg = L256(x, gx + 2 * n + j);
                    var po = L256(x, gx + 3 * n + j);
                    if (hasHh)
                    {
                        pi += L256(hh, gh + j);
                        pf += L256(hh, gh + n + j);
                        pg += L256(hh, gh + 2 * n + j);
                        po += L256(hh, gh + 3 * n + j);
                    }
                    var ig = SigmoidFn.Apply(pi);
                    var fg = SigmoidFn.Apply(pf);
                    var gg = TanhFn.Apply(pg);
                    var og = SigmoidFn.Apply(po);
                    var cn = fg * L256(cp, pr + j) + ig * gg;
                    var tc = TanhFn.Apply(cn);
                    var hn = og * tc;
                    S256(act, ar + j, ig);
                    S256(act, ar + n + j, fg);
                    S256(act, ar + 2 * n + j, gg);
                    S256(act, ar + 3 * n + j, og);
                    S256(act, ar + 4 * n + j, tc);
                    S256(c, nx + j, cn);
                    S256(h, hx + j, hn);
                    if (hasY)
                    {
                        S256(y, ya + j, hn);
                    }
                }
            }
            for (; j < n; j++)
            {
                T pi = x[gx + j], pf = x[gx + n + j], pg = x[gx + 2 * n + j], po = x[gx + 3 * n + j];
                if (hasHh)
                {
                    pi += hh[gh + j];
                    pf += hh[gh + n + j];
                    pg += hh[gh + 2 * n + j];
                    po += hh[gh + 3 * n + j];
                }
                T ig = SigmoidFn.Apply(pi), fg = SigmoidFn.Apply(pf), gg = TanhFn.Apply(pg), og = SigmoidFn.Apply(po);
                T cn = fg * cp[pr + j] + ig * gg;
                T tc = TanhFn.Apply(cn);
                T hn = og * tc;
                act[ar + j] = ig;
                act[ar + n + j] = fg;
                act[ar + 2 * n + j] = gg;
                act[ar + 3 * n + j] = og;
                act[ar + 4 * n + j] = tc;
                c[nx + j] = cn;
                h[hx + j] = hn;
                if (hasY)
                {
                    y[ya + j] = hn;
                }
            }
        }
    }

    private static void LstmBackward<T>(Span<T> act, Span<T> cp, Span<T> dh, bool hasDh, Span<T> dy, bool hasDy, Span<T> dc, bool hasDc,
        Span<T> dg, Span<T> dcp, Span<bool> valid, bool hasValid, in LstmCellParams p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = p.Hidden;
        bool zeroDh = hasValid && hasDh;
        Fits(act.Length, p.ActOffset, 5 * p.StateLength, "act");
        Fits(cp.Length, p.CPrevOffset, p.StateLength, "c_prev");
        Fits(hasDh ? dh.Length : 0, p.HOffset, hasDh ? p.StateLength : 0, "dh");
        Fits(hasDy ? dy.Length : 0, p.OutputOffset, hasDy ? p.StateLength : 0, "d_output");
        Fits(hasDc ? dc.Length : 0, p.COffset, hasDc ? p.StateLength : 0, "dc");
        Fits(dg.Length, p.GatesOffset, p.GatesLength, "d_gates");
        Fits(dcp.Length, p.DcPrevOffset, p.StateLength, "dc_prev");
        Fits(hasValid ? valid.Length : 0, p.ValidOffset, hasValid ? p.Batch : 0, "valid");
        for (int b = 0; b < p.Batch; b++)
        {
            int gr = p.GatesOffset + b * 4 * n, pr = p.CPrevOffset + b * n, hx = p.HOffset + b * n, cx = p.COffset + b * n;
            int dp = p.DcPrevOffset + b * n, ya = p.OutputOffset + b * n, ar = p.ActOffset + b * 5 * n;
            if (hasValid && !valid[p.ValidOffset + b])
            {
                // A padded step passed the state through: no gate gradient, dc flows on unchanged.
                dg.Slice(gr, 4 * n).Clear();
                if (hasDc)
                {
                    dc.Slice(cx, n).CopyTo(dcp.Slice(dp, n));
                }
                else
                {
                    dcp.Slice(dp, n).Clear();
                }
                continue;
            }
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                var one = Vector512<T>.One;
                for (; j <= n - Vector512<T>.Count; j += Vector512<T>.Count)
                {
                    var ig = L512(act, ar + j);
                    var fg = L512(act, ar + n + j);
                    var gg = L512(act, ar + 2 * n + j);
                    var og = L512(act, ar + 3 * n + j);
                    var tc = L512(act, ar + 4 * n + j);
                    var dhn = hasDh ? L512(dh, hx + j) : Vector512<T>.Zero;
                    if (hasDy)
                    {
                        dhn += L512(dy, ya + j);
                    }
                    var dcn = dhn * og * (one - tc * tc);
                    if (hasDc)
                    {
                        dcn += L512(dc, cx + j);
                    }
                    S512(dg, gr + j, dcn * gg * ig * (one - ig));
                    S512(dg, gr + n + j, dcn * L512(cp, pr + j) * fg * (one - fg));
                    S512(dg, gr + 2 * n + j, dcn * ig * (one - gg * gg));
                    S512(dg, gr + 3 * n + j, dhn * tc * og * (one - og));
                    S512(dcp, dp + j, dcn * fg);
                    if (zeroDh)
                    {
                        S512(dh, hx + j, Vector512<T>.Zero);
                    }
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                var one = Vector256<T>.One;
                for (; j <= n - Vector256<T>.Count; j += Vector256<T>.Count)
                {
                    var ig = L256(act, ar + j);
                    var fg = L256(act, ar + n + j);
                    var gg = L256(act, ar + 2 * n + j);
                    var og = L256(act, ar + 3 * n + j);
                    var tc = L256(act, ar + 4 * n + j);
                    var dhn = hasDh ? L256(dh, hx + j) : Vector256<T>.Zero;
                    if (hasDy)
                    {
                        dhn += L256(dy, ya + j);
                    }
                    var dcn = dhn * og * (one - tc * tc);
                    if (hasDc)
                    {
                        dcn += L256(dc, cx + j);
                    }
                    S256(dg, gr + j, dcn * gg * ig * (one - ig));
                    S256(dg, gr + n + j, dcn * L256(cp, pr + j) * fg * (one - fg));
                    S256(dg, gr + 2 * n + j, dcn * ig * (one - gg * gg));
                    S256(dg, gr + 3 * n + j, dhn * tc * og * (one - og));
                    S256(dcp, dp + j, dcn * fg);
                    if (zeroDh)
                    {
                        S256(dh, hx + j, Vector256<T>.Zero);
                    }
                }
            }
            for (; j < n; j++)
            {
                T ig = act[ar + j], fg = act[ar + n + j], gg = act[ar + 2 * n + j], og = act[ar + 3 * n + j], tc = act[ar + 4 * n + j];
                T dhn = (hasDh ? dh[hx + j] : T.Zero) + (hasDy ? dy[ya + j] : T.Zero);
                T dcn = (hasDc ? dc[cx + j] : T.Zero) + dhn * og * (T.One - tc * tc);
                dg[gr + j] = dcn * gg * ig * (T.One - ig);
                dg[gr + n + j] = dcn * cp[pr + j] * fg * (T.One - fg);
                dg[gr + 2 * n + j] = dcn * ig * (T.One - gg * gg);
                dg[gr + 3 * n + j] = dhn * tc * og * (T.One - og);
                dcp[dp + j] = dcn * fg;
                if (zeroDh)
                {
                    dh[hx + j] = T.Zero;
                }
            }
        }
    }

    private static void Fits(int length, int offset, int count, string what)
    {
        if (count > 0 && (offset < 0 || (long)offset + count > length))
        {
            throw new ArgumentOutOfRangeException(what, $"lstm_cell: {what} needs elements [{offset}, {(long)offset + count}) of a storage of {length}");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> L512<T>(Span<T> s, int i) where T : unmanaged => Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void S512<T>(Span<T> s, int i, Vector512<T> v) where T : unmanaged => v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> L256<T>(Span<T> s, int i) where T : unmanaged => Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void S256<T>(Span<T> s, int i, Vector256<T> v) where T : unmanaged => v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);
}
