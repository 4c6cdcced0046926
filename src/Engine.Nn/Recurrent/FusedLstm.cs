using Engine.Autograd;

namespace Engine.Nn;

/// <summary>
/// One LSTM direction over a whole sequence as a single autograd node (float32, CPU): the forward
/// loop keeps the gate activations, cell states and previous hidden states; the backward pass runs
/// back-propagation through time by hand, with one hidden-weight product per step and a single
/// product for the hidden-weight gradient at the end. This replaces about fifteen graph nodes per
/// step and, above all, the per-step slicing of the input projection, whose gradient would be a
/// full-size tensor for every step. The composed <see cref="CellMath.Lstm"/> path stays as the
/// oracle (tests compare the two).
/// </summary>
internal static class FusedLstm
{
    public static bool Supports(Tensor x) => x.DType == DType.Float32 && x.Device.Kind == DeviceKind.Cpu;

    /// <summary>
    /// xProj (T, B, 4H) already holds W_ih x + b_ih + b_hh; h0, c0 (B, H); wHh (4H, H); masks
    /// (per step, B, 1) or null. Returns (output (T, B, H), hN, cN).
    /// </summary>
    public static (Tensor Output, Tensor H, Tensor C) Run(Tensor xProj, Tensor h0, Tensor c0, Tensor wHh, bool reverse, Tensor[]? masks)
    {
        int steps = xProj.Size(0), batch = xProj.Size(1), hidden = h0.Size(1), g4 = 4 * hidden;
        bool[]? valid = null;
        if (masks is not null)
        {
            valid = new bool[steps * batch];
            for (int t = 0; t < steps; t++)
            {
                masks[t].ToArray<bool>().CopyTo(valid, t * batch);
            }
        }
        Tensor xp, h0c, c0c, wT;
        using (GradMode.NoGrad())
        {
            xp = xProj.Contiguous();
            h0c = h0.Contiguous();
            c0c = c0.Contiguous();
            wT = wHh.T; // (H, 4H) view for h @ W_hh^T
        }
        // Saved for backward as pooled tensors, so the caller's TensorScope hands them back.
        var actT = Tensor.Empty(new[] { steps * batch * g4 });     // i, f, g, o after their nonlinearities
        var cellsT = Tensor.Empty(new[] { steps * batch * hidden }); // c after each step (before masking)
        var hPrevT = Tensor.Empty(new[] { steps, batch, hidden });   // state entering each step
        var cPrevT = Tensor.Empty(new[] { steps * batch * hidden });
        var act = Data(actT);
        var cells = Data(cellsT);
        var hPrev = Data(hPrevT);
        var cPrev = Data(cPrevT);
        var y = Tensor.Zeros(new[] { steps + 2, batch, hidden });
        var ys = Data(y);
        var h = Data(h0c).Slice(h0c.Offset, batch * hidden).ToArray();
        var c = Data(c0c).Slice(c0c.Offset, batch * hidden).ToArray();
        var xs = Data(xp);
        using (var scope = TensorScope.Begin())
        using (GradMode.NoGrad())
        {
            var hT = Tensor.FromArray(h, new[] { batch, hidden });
            for (int s = 0; s < steps; s++)
            {
                int t = reverse ? steps - 1 - s : s;
                h.CopyTo(hPrev.Slice(t * batch * hidden));
                c.CopyTo(cPrev.Slice(t * batch * hidden));
                var hh = hT.MatMul(wT); // (B, 4H)
                var pre = Data(hh);
                int xo = xp.Offset + t * batch * g4;
                for (int b = 0; b < batch; b++)
                {
                    bool on = valid is null || valid[t * batch + b];
                    int gb = b * g4, ab = (t * batch + b) * g4, hb = b * hidden, cb = (t * batch + b) * hidden;
                    for (int j = 0; j < hidden; j++)
                    {
                        float ig = Sigmoid(pre[gb + j] + xs[xo + gb + j]);
                        float fg = Sigmoid(pre[gb + hidden + j] + xs[xo + gb + hidden + j]);
                        float gg = MathF.Tanh(pre[gb + 2 * hidden + j] + xs[xo + gb + 2 * hidden + j]);
                        float og = Sigmoid(pre[gb + 3 * hidden + j] + xs[xo + gb + 3 * hidden + j]);
                        act[ab + j] = ig;
                        act[ab + hidden + j] = fg;
                        act[ab + 2 * hidden + j] = gg;
                        act[ab + 3 * hidden + j] = og;
                        float cn = fg * c[hb + j] + ig * gg;
                        float hn = og * MathF.Tanh(cn);
                        cells[cb + j] = cn;
                        if (on)
                        {
                            ys[cb + j] = hn;
                            h[hb + j] = hn;
                            c[hb + j] = cn;
                        }
                    }
                }
                h.CopyTo(Data(hT));
            }
        }
        h.CopyTo(ys.Slice(steps * batch * hidden));
        c.CopyTo(ys.Slice((steps + 1) * batch * hidden));

        var packed = Node.Record("lstm_sequence", y, new[] { xProj, h0, c0, wHh }, gy =>
            Backward(gy, steps, batch, hidden, actT, cellsT, hPrevT, cPrevT, valid, wHh, reverse, xProj.RequiresGrad, h0.RequiresGrad, c0.RequiresGrad, wHh.RequiresGrad),
            actT, cellsT, hPrevT, cPrevT);
        return (packed.Narrow(0, 0, steps), packed.Select(0, steps), packed.Select(0, steps + 1));
    }

    private static Tensor?[] Backward(Tensor gy, int steps, int batch, int hidden, Tensor actT, Tensor cellsT, Tensor hPrevT, Tensor cPrevT, bool[]? valid,
        Tensor wHh, bool reverse, bool needX, bool needH0, bool needC0, bool needW)
    {
        var act = Data(actT);
        var cells = Data(cellsT);
        var cPrev = Data(cPrevT);
        int g4 = 4 * hidden, bh = batch * hidden;
        var gyc = gy.Contiguous();
        var gys = Data(gyc).Slice(gyc.Offset, (steps + 2) * bh);
        var dGates = Tensor.Empty(new[] { steps, batch, g4 });
        var dg = Data(dGates);
        var dh = gys.Slice(steps * bh, bh).ToArray();
        var dc = gys.Slice((steps + 1) * bh, bh).ToArray();
        var w = wHh.Contiguous(); // (4H, H): dgates @ W_hh gives dh_prev
        using (GradMode.NoGrad())
        {
            for (int s = steps - 1; s >= 0; s--)
            {
                int t = reverse ? steps - 1 - s : s;
                for (int b = 0; b < batch; b++)
                {
                    bool on = valid is null || valid[t * batch + b];
                    int ab = (t * batch + b) * g4, cb = (t * batch + b) * hidden, hb = b * hidden;
                    for (int j = 0; j < hidden; j++)
                    {
                        if (!on)
                        {
                            // A padded step passed the state through unchanged and output zero.
                            dg[ab + j] = dg[ab + hidden + j] = dg[ab + 2 * hidden + j] = dg[ab + 3 * hidden + j] = 0;
                            continue;
                        }
                        float ig = act[ab + j], fg = act[ab + hidden + j], gg = act[ab + 2 * hidden + j], og = act[ab + 3 * hidden + j];
                        float tc = MathF.Tanh(cells[cb + j]);
                        float dhn = dh[hb + j] + gys[cb + j];
                        float dcn = dc[hb + j] + dhn * og * (1 - tc * tc);
                        dg[ab + j] = dcn * gg * ig * (1 - ig);
                        dg[ab + hidden + j] = dcn * cPrev[cb + j] * fg * (1 - fg);
                        dg[ab + 2 * hidden + j] = dcn * ig * (1 - gg * gg);
                        dg[ab + 3 * hidden + j] = dhn * tc * og * (1 - og);
                        dc[hb + j] = dcn * fg;
                        dh[hb + j] = 0; // replaced by dgates @ W_hh below
                    }
                }
                using var scope = TensorScope.Begin();
                var dhPrev = dGates.Select(0, t).MatMul(w); // (B, H)
                var dp = Data(dhPrev);
                int o = dhPrev.Offset;
                for (int b = 0; b < batch; b++)
                {
                    bool on = valid is null || valid[t * batch + b];
                    if (!on)
                    {
                        continue;
                    }
                    for (int j = 0; j < hidden; j++)
                    {
                        dh[b * hidden + j] = dp[o + b * hidden + j];
                    }
                }
            }
        }
        Tensor? dW = null;
        if (needW)
        {
            using (GradMode.NoGrad())
            {
                dW = dGates.Reshape(steps * batch, g4).T.MatMul(hPrevT.Reshape(steps * batch, hidden)); // (4H, H)
            }
        }
        return new[]
        {
            needX ? dGates : null,
            needH0 ? Tensor.FromArray(dh, new[] { batch, hidden }) : null,
            needC0 ? Tensor.FromArray(dc, new[] { batch, hidden }) : null,
            dW,
        };
    }

    private static float Sigmoid(float v) => 1f / (1f + MathF.Exp(-v));

    private static Span<float> Data(Tensor t) => ((CpuStorage<float>)t.Storage).Span;
}
