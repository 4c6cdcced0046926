using System.Numerics;

namespace Engine.Kernels;

/// <summary>
/// The single-threaded GotoBLAS/BLIS loop nest around a micro-kernel:
/// columns in blocks of NC, depth in blocks of KC (B block packed once and reused by every row
/// block), rows in blocks of MC (A block packed, or read in place when packing would cost more than
/// it saves), then NR x MR register tiles.
/// </summary>
internal static unsafe class GemmDriver
{
    /// <summary>Depth of one packed block, in elements (B's micro-panel, kc x NR, should sit in L1/L2).</summary>
    internal static int KC = 512;

    /// <summary>Rows of one packed A block (mc x kc should sit in L2).</summary>
    internal static int MC = 192;

    /// <summary>Columns of one packed B block (kc x nc should sit in L2/L3).</summary>
    internal static int NC = 2048;

    /// <summary>Tuning switches: 0 = heuristic, 1 = always pack, 2 = never pack (when possible).</summary>
    internal static int PackAMode = 0, PackBMode = 0;

    /// <summary>
    /// C = alpha * A * B + beta * C for one problem on the calling thread (k &gt; 0, alpha != 0).
    /// <paramref name="allowTurn"/>: whether a skinny x * W^T may run turned around (<see cref="GemmSkinnyT"/>).
    /// </summary>
    public static void Run<T, TK>(in GemmArgs<T> g, bool allowTurn = true)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        if (allowTurn && PackBMode == 0 && GemmSkinnyT.Applies(g, TK.NR))
        {
            GemmSkinnyT.Run<T, TK>(g);
            return;
        }
        int mrMax = TK.MR, nrMax = TK.NR;
        int m = g.M, n = g.N, k = g.K;
        int kcMax = Math.Min(KC, k);
        int mcMax = Math.Min(MC, RoundUp(m, mrMax));
        int ncMax = Math.Min(NC, RoundUp(n, nrMax));

        T* ws = (T*)GemmWorkspace.Current.Get(((nint)mcMax * kcMax + (nint)kcMax * ncMax + (nint)mrMax * nrMax + 64) * sizeof(T));
        T* packA = ws;
        T* packB = packA + (nint)mcMax * kcMax;
        T* tile = packB + (nint)kcMax * ncMax;

        bool packB_ = ShouldPackB(g, mrMax);
        bool packA_ = ShouldPackA(g);

        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            int fullPanels = nc / nrMax;
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                T beta = pc == 0 ? g.Beta : T.One;
                T* bBlock = g.B + pc * g.RsB + jc * g.CsB;
                if (packB_)
                {
                    GemmPack.PackB(bBlock, g.RsB, g.CsB, kc, nc, nrMax, packB);
                }
                else if (fullPanels * nrMax < nc)
                {
                    // B is read in place; only its ragged last strip is copied (zero-padded).
                    GemmPack.PackEdgeB(bBlock + fullPanels * nrMax, g.RsB, 1, kc, nc - fullPanels * nrMax, nrMax,
                        packB + (nint)fullPanels * kc * nrMax);
                }

                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    T* aBlock = g.A + ic * g.RsA + pc * g.CsA;
                    nint rsA = g.RsA, csA = g.CsA, panelA = mrMax * g.RsA;
                    if (packA_)
                    {
                        GemmPack.PackA(aBlock, g.RsA, g.CsA, mc, kc, mrMax, packA);
                        aBlock = packA;
                        rsA = 1;
                        csA = mrMax;
                        panelA = (nint)kc * mrMax;
                    }

                    for (int jr = 0; jr < nc; jr += nrMax)
                    {
                        int nr = Math.Min(nrMax, nc - jr);
                        int panel = jr / nrMax;
                        T* bp;
                        nint ldb;
                        if (packB_ || panel >= fullPanels)
                        {
                            bp = packB + (nint)panel * kc * nrMax;
                            ldb = nrMax;
                        }
                        else
                        {
                            bp = bBlock + jr;
                            ldb = g.RsB;
                        }

                        T* cCol = g.C + ic * g.RsC + (jc + jr) * g.CsC;
                        T* ap = aBlock;
                        for (int ir = 0; ir < mc; ir += mrMax)
                        {
                            int mr = Math.Min(mrMax, mc - ir);
                            T* cp = cCol + ir * g.RsC;
                            if (nr == nrMax && g.CsC == 1)
                            {
                                TK.Tile(mr, kc, ap, rsA, csA, bp, ldb, cp, g.RsC, g.Alpha, beta);
                            }
                            else
                            {
                                // A strip at most half a panel wide needs only half the multiply-adds.
                                if (2 * nr <= nrMax)
                                {
                                    TK.TileHalf(mr, kc, ap, rsA, csA, bp, ldb, tile, nrMax, T.One, T.Zero);
                                }
                                else
                                {
                                    TK.Tile(mr, kc, ap, rsA, csA, bp, ldb, tile, nrMax, T.One, T.Zero);
                                }
                                StoreEdge(mr, nr, tile, nrMax, cp, g.RsC, g.CsC, g.Alpha, beta);
                            }
                            ap += panelA;
                        }
                    }
                }
            }
        }
    }

    /// <summary>C = beta * C on its own, for k == 0 or alpha == 0 (beta == 0 writes zeros).</summary>
    public static void ScaleC<T>(in GemmArgs<T> g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < g.M; i++)
        {
            T* row = g.C + i * g.RsC;
            for (int j = 0; j < g.N; j++)
            {
                ref T cij = ref row[j * g.CsC];
                cij = g.Beta == T.Zero ? T.Zero : g.Beta * cij;
            }
        }
    }

    private static void StoreEdge<T>(int mr, int nr, T* tile, nint ldt, T* c, nint rsC, nint csC, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < mr; i++)
        {
            T* t = tile + i * ldt;
            T* ci = c + i * rsC;
            for (int j = 0; j < nr; j++)
            {
                ref T cij = ref ci[j * csC];
                cij = beta == T.Zero ? alpha * t[j] : alpha * t[j] + beta * cij;
            }
        }
    }

    private static bool ShouldPackB<T>(in GemmArgs<T> g, int mr)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.CsB != 1 || PackBMode == 1)
        {
            return true;
        }
        if (PackBMode == 2)
        {
            return false;
        }
        // In place, every step of k reads a new row of B, RsB apart. Up to 1 KiB apart those rows
        // spread over the cache sets and pages well, and skipping the copy wins (measured: 128
        // batched 64^3 products, B cold in L3, 20-40% faster in place); further apart (N = 512
        // and up) they collide in a few sets and packing wins (10-25%), unless there are so few
        // rows of A that the panel is hardly reused.
        return g.M > 4 * mr && g.RsB * sizeof(T) > 1024;
    }

    private static bool ShouldPackA<T>(in GemmArgs<T> g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (PackAMode == 1)
        {
            return true;
        }
        if (PackAMode == 2)
        {
            return false;
        }
        // Row-major A is read in place: each row of a tile is its own stream, and packing it (a
        // transpose) cost 5-15% at N = 512..2048. Any other layout is packed: read in place, a
        // column-major A steps one cache line per k, and at power-of-two leading dimensions those
        // lines fall in one cache set and evict each other (measured: 40% of peak).
        return g.CsA != 1;
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;
}
