using System.Numerics;
using ILGPU;

namespace Engine.Gpu.Kernels;

/// <summary>
/// The attention forward and backward over blocks of rows. Forward: <see cref="RowBlock"/> query rows per group: each tile of
/// <see cref="KeyBlock"/> keys and values is loaded once into shared memory and serves every row of
/// the block (the per-row kernel of <see cref="AttentionKernels"/> reads K and V once per query row).
/// Per tile: scores of the block (one thread per (row, key)), an online-softmax update per row (running
/// max, sum and the rescale factor of the rows' partial outputs), then the weighted sum of the tile's
/// values into the output rows (each (row, column) owned by one thread across tiles). Backward in two
/// passes without atomics: blocks of query rows over key tiles (D and dQ), then blocks of keys over
/// tiles of query rows (dK and dV), P recomputed from the saved log-sum-exp. Head dims up to
/// <see cref="MaxHead"/>; shared memory (KeyBlock x (MaxHead + 1) + KeyBlock x MaxHead + RowBlock x
/// KeyBlock + 3 RowBlock elements) stays under 48 KB in float64. Any power-of-two group size up to 256.
/// </summary>
[CatalogedKernels]
public static class AttentionTiledKernels
{
    /// <summary>Query rows per group.</summary>
    public const int RowBlock = 16;

    /// <summary>Keys per shared-memory tile.</summary>
    public const int KeyBlock = 16;

    /// <summary>Largest head dim (E and Ev) the tiles hold.</summary>
    public const int MaxHead = 128;

    private const int KStride = MaxHead + 1; // padded: threads of a warp read different keys' rows without bank conflicts

    /// <summary>Forward (float32; exp and log in double).</summary>
    public static void ForwardF32(ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, ArrayView<float> mask, ArrayView<float> o,
        ArrayView<float> lse, AttnGeom g) => Forward<float, AttnF32>(q, k, v, mask, o, lse, g);

    /// <summary>Forward (float64).</summary>
    public static void ForwardF64(ArrayView<double> q, ArrayView<double> k, ArrayView<double> v, ArrayView<double> mask, ArrayView<double> o,
        ArrayView<double> lse, AttnGeom g) => Forward<double, AttnF64>(q, k, v, mask, o, lse, g);

    private static void Forward<T, TM>(ArrayView<T> q, ArrayView<T> k, ArrayView<T> v, ArrayView<T> mask, ArrayView<T> o,
        ArrayView<T> lse, AttnGeom g) where T : unmanaged, IFloatingPointIeee754<T> where TM : struct, IAttnMath<T>
    {
        var ks = SharedMemory.Allocate<T>(KeyBlock * KStride);
        var vs = SharedMemory.Allocate<T>(KeyBlock * MaxHead);
        var ps = SharedMemory.Allocate<T>(RowBlock * KeyBlock);
        var rowMax = SharedMemory.Allocate<T>(RowBlock);
        var rowSum = SharedMemory.Allocate<T>(RowBlock);
        var rowAlpha = SharedMemory.Allocate<T>(RowBlock);
        int tid = Group.IdxX, gsize = Group.DimX, gstep = Grid.DimX;
        int l = g.L, s = g.S, e = g.E, ev = g.Ev;
        int blocksPerItem = (l + RowBlock - 1) / RowBlock, blocks = g.Batch * blocksPerItem;
        int rowOut = RowBlock * ev, rowKeys = RowBlock * KeyBlock;
        T scale = TM.Of(g.Scale);
        for (int blk = Grid.IdxX; blk < blocks; blk += gstep)
        {
            int b = blk / blocksPerItem, i0 = (blk - b * blocksPerItem) * RowBlock;
            int kb = b * s * e, vb = b * s * ev;
            int end = g.Causal != 0 ? Math.Min(s, i0 + RowBlock) : s;
            for (int x = tid; x < rowOut; x += gsize)
            {
                int i = i0 + x / ev;
                if (i < l)
                {
                    o[(b * l + i) * ev + x % ev] = T.Zero;
                }
            }
            for (int r = tid; r < RowBlock; r += gsize)
            {
                rowMax[r] = T.NegativeInfinity;
                rowSum[r] = T.Zero;
            }
            Group.Barrier();
            for (int j0 = 0; j0 < end; j0 += KeyBlock)
            {
                int nk = Math.Min(KeyBlock, end - j0);
                // The tile of keys and values, coalesced.
                for (int x = tid; x < nk * e; x += gsize)
                {
                    int j = x / e;
                    ks[j * KStride + x - j * e] = k[kb + (j0 + j) * e + x - j * e];
                }
                for (int x = tid; x < nk * ev; x += gsize)
                {
                    vs[x] = v[vb + j0 * ev + x];
                }
                Group.Barrier();
                // Scores of the block: one (row, key) per thread.
                for (int x = tid; x < rowKeys; x += gsize)
                {
                    int r = x / KeyBlock, j = x - r * KeyBlock, i = i0 + r, jj = j0 + j;
                    T sc = T.NegativeInfinity;
                    if (i < l && j < nk && (g.Causal == 0 || jj <= i))
                    {
                        T acc = T.Zero;
                        int qr = (b * l + i) * e, kr = j * KStride;
                        for (int d = 0; d < e; d++)
                        {
                            acc += q[qr + d] * ks[kr + d];
                        }
                        sc = scale * acc;
                        if (g.HasMask != 0)
                        {
                            sc += mask[g.MaskOff + b * g.MaskB + i * g.MaskL + jj * g.MaskS];
                        }
                    }
                    ps[x] = sc;
                }
                Group.Barrier();
                // Online softmax, one thread per row: probabilities in place, the rescale of earlier tiles.
                for (int r = tid; r < RowBlock; r += gsize)
                {
                    T m = rowMax[r], mNew = m;
                    for (int j = 0; j < nk; j++)
                    {
                        mNew = T.Max(mNew, ps[r * KeyBlock + j]);
                    }
                    bool live = !(T.IsInfinity(mNew) && mNew < T.Zero);
                    T sum = T.Zero;
                    for (int j = 0; j < nk; j++)
                    {
                        T p = live ? TM.Exp(ps[r * KeyBlock + j] - mNew) : T.Zero;
                        ps[r * KeyBlock + j] = p;
                        sum += p;
                    }
                    T alpha = live ? TM.Exp(m - mNew) : T.One;
                    rowAlpha[r] = alpha;
                    rowSum[r] = rowSum[r] * alpha + sum;
                    rowMax[r] = mNew;
                }
                Group.Barrier();
                // Weighted sum of the tile's values into the rows' partial outputs.
                for (int x = tid; x < rowOut; x += gsize)
                {
                    int r = x / ev, d = x - r * ev, i = i0 + r;
                    if (i < l)
                    {
                        T acc = T.Zero;
                        for (int j = 0; j < nk; j++)
                        {
                            acc += ps[r * KeyBlock + j] * vs[j * ev + d];
                        }
                        int at = (b * l + i) * ev + d;
                        o[at] = o[at] * rowAlpha[r] + acc;
                    }
                }
                Group.Barrier();
            }
            for (int x = tid; x < rowOut; x += gsize)
            {
                int r = x / ev, i = i0 + r;
                if (i < l)
                {
                    T m = rowMax[r];
                    bool dead = T.IsNaN(m) || (T.IsInfinity(m) && m < T.Zero);
                    int at = (b * l + i) * ev + x - r * ev;
                    o[at] = dead ? T.NaN : o[at] / rowSum[r];
                }
            }
            for (int r = tid; r < RowBlock; r += gsize)
            {
                if (i0 + r < l)
                {
                    T m = rowMax[r];
                    bool dead = T.IsNaN(m) || (T.IsInfinity(m) && m < T.Zero);
                    lse[b * l + i0 + r] = dead ? T.NaN : m + TM.Log(rowSum[r]);
                }
            }
            Group.Barrier();
        }
    }

    /// <summary>Backward pass over blocks of query rows (float32): D and dQ.</summary>
    public static void BackwardQueryF32(ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, ArrayView<float> mask, ArrayView<float> o,
        ArrayView<float> lse, ArrayView<float> dO, ArrayView<float> dq, ArrayView<float> delta, AttnGeom g)
        => BackwardQuery<float, AttnF32>(q, k, v, mask, o, lse, dO, dq, delta, g);

    /// <summary>Backward pass over blocks of query rows (float64): D and dQ.</summary>
    public static void BackwardQueryF64(ArrayView<double> q, ArrayView<double> k, ArrayView<double> v, ArrayView<double> mask, ArrayView<double> o,
        ArrayView<double> lse, ArrayView<double> dO, ArrayView<double> dq, ArrayView<double> delta, AttnGeom g)
        => BackwardQuery<double, AttnF64>(q, k, v, mask, o, lse, dO, dq, delta, g);

    /// <summary>Backward pass over blocks of key rows (float32): dK and dV.</summary>
    public static void BackwardKeyF32(ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, ArrayView<float> mask, ArrayView<float> lse,
        ArrayView<float> dO, ArrayView<float> delta, ArrayView<float> dk, ArrayView<float> dv, AttnGeom g)
        => BackwardKey<float, AttnF32>(q, k, v, mask, lse, dO, delta, dk, dv, g);

    /// <summary>Backward pass over blocks of key rows (float64): dK and dV.</summary>
    public static void BackwardKeyF64(ArrayView<double> q, ArrayView<double> k, ArrayView<double> v, ArrayView<double> mask, ArrayView<double> lse,
        ArrayView<double> dO, ArrayView<double> delta, ArrayView<double> dk, ArrayView<double> dv, AttnGeom g)
        => BackwardKey<double, AttnF64>(q, k, v, mask, lse, dO, delta, dk, dv, g);

    /// <summary>
    /// Per block of query rows: D_i = dO_i . O_i (saved for the key pass), then per tile of keys (K and V in
    /// shared memory) dS_ij = P_ij (dO_i . v_j - D_i) with P_ij = exp(s_ij - lse_i), and dQ_i += scale dS_ij k_j.
    /// </summary>
    private static void BackwardQuery<T, TM>(ArrayView<T> q, ArrayView<T> k, ArrayView<T> v, ArrayView<T> mask, ArrayView<T> o,
        ArrayView<T> lse, ArrayView<T> dO, ArrayView<T> dq, ArrayView<T> delta, AttnGeom g)
        where T : unmanaged, IFloatingPointIeee754<T> where TM : struct, IAttnMath<T>
    {
        var ks = SharedMemory.Allocate<T>(KeyBlock * KStride);
        var vs = SharedMemory.Allocate<T>(KeyBlock * KStride);
        var dss = SharedMemory.Allocate<T>(RowBlock * KeyBlock);
        var rowD = SharedMemory.Allocate<T>(RowBlock);
        var rowLse = SharedMemory.Allocate<T>(RowBlock);
        int tid = Group.IdxX, gsize = Group.DimX, gstep = Grid.DimX;
        int l = g.L, s = g.S, e = g.E, ev = g.Ev;
        int blocksPerItem = (l + RowBlock - 1) / RowBlock, blocks = g.Batch * blocksPerItem;
        int rowKeys = RowBlock * KeyBlock, rowCols = RowBlock * e;
        T scale = TM.Of(g.Scale);
        for (int blk = Grid.IdxX; blk < blocks; blk += gstep)
        {
            int b = blk / blocksPerItem, i0 = (blk - b * blocksPerItem) * RowBlock;
            int kb = b * s * e, vb = b * s * ev;
            int end = g.Causal != 0 ? Math.Min(s, i0 + RowBlock) : s;
            for (int r = tid; r < RowBlock; r += gsize)
            {
                int i = i0 + r;
                T d = T.Zero, li = T.Zero;
                if (i < l)
                {
                    int ob = (b * l + i) * ev;
                    for (int c = 0; c < ev; c++)
                    {
                        d += dO[ob + c] * o[ob + c];
                    }
                    delta[b * l + i] = d;
                    li = lse[b * l + i];
                }
                rowD[r] = d;
                rowLse[r] = li;
            }
            for (int x = tid; x < rowCols; x += gsize)
            {
                int i = i0 + x / e;
                if (i < l)
                {
                    dq[(b * l + i) * e + x % e] = T.Zero;
                }
            }
            Group.Barrier();
            for (int j0 = 0; j0 < end; j0 += KeyBlock)
            {
                int nk = Math.Min(KeyBlock, end - j0);
                for (int x = tid; x < nk * e; x += gsize)
                {
                    int j = x / e;
                    ks[j * KStride + x - j * e] = k[kb + j0 * e + x];
                }
                for (int x = tid; x < nk * ev; x += gsize)
                {
                    int j = x / ev;
                    vs[j * KStride + x - j * ev] = v[vb + j0 * ev + x];
                }
                Group.Barrier();
                for (int x = tid; x < rowKeys; x += gsize)
                {
                    int r = x / KeyBlock, j = x - r * KeyBlock, i = i0 + r, jj = j0 + j;
                    T ds = T.Zero;
                    if (i < l && j < nk && (g.Causal == 0 || jj <= i))
                    {
                        int qr = (b * l + i) * e, orow = (b * l + i) * ev, kr = j * KStride;
                        T acc = T.Zero, dp = T.Zero;
                        for (int d = 0; d < e; d++)
                        {
                            acc += q[qr + d] * ks[kr + d];
                        }
                        for (int d = 0; d < ev; d++)
                        {
                            dp += dO[orow + d] * vs[kr + d];
                        }
                        T sc = scale * acc;
                        if (g.HasMask != 0)
                        {
                            sc += mask[g.MaskOff + b * g.MaskB + i * g.MaskL + jj * g.MaskS];
                        }
                        T p = TM.Exp(sc - rowLse[r]);
                        ds = p * (dp - rowD[r]);
                    }
                    dss[x] = ds;
                }
                Group.Barrier();
                for (int x = tid; x < rowCols; x += gsize)
                {
                    int r = x / e, d = x - r * e, i = i0 + r;
                    if (i < l)
                    {
                        T acc = T.Zero;
                        for (int j = 0; j < nk; j++)
                        {
                            acc += dss[r * KeyBlock + j] * ks[j * KStride + d];
                        }
                        dq[(b * l + i) * e + d] += scale * acc;
                    }
                }
                Group.Barrier();
            }
        }
    }

    /// <summary>
    /// Per block of key rows, per tile of query rows (Q and dO in shared memory, with their lse and D):
    /// P_ij and dS_ij as in the query pass, then dV_j += P_ij dO_i and dK_j += scale dS_ij q_i.
    /// </summary>
    private static void BackwardKey<T, TM>(ArrayView<T> q, ArrayView<T> k, ArrayView<T> v, ArrayView<T> mask, ArrayView<T> lse,
        ArrayView<T> dO, ArrayView<T> delta, ArrayView<T> dk, ArrayView<T> dv, AttnGeom g)
        where T : unmanaged, IFloatingPointIeee754<T> where TM : struct, IAttnMath<T>
    {
        var qs = SharedMemory.Allocate<T>(RowBlock * KStride);
        var dos = SharedMemory.Allocate<T>(RowBlock * KStride);
        var pss = SharedMemory.Allocate<T>(KeyBlock * RowBlock);
        var dss = SharedMemory.Allocate<T>(KeyBlock * RowBlock);
        var tileLse = SharedMemory.Allocate<T>(RowBlock);
        var tileD = SharedMemory.Allocate<T>(RowBlock);
        int tid = Group.IdxX, gsize = Group.DimX, gstep = Grid.DimX;
        int l = g.L, s = g.S, e = g.E, ev = g.Ev;
        int blocksPerItem = (s + KeyBlock - 1) / KeyBlock, blocks = g.Batch * blocksPerItem;
        int keyRows = KeyBlock * RowBlock, keyE = KeyBlock * e, keyEv = KeyBlock * ev;
        T scale = TM.Of(g.Scale);
        for (int blk = Grid.IdxX; blk < blocks; blk += gstep)
        {
            int b = blk / blocksPerItem, jb = (blk - b * blocksPerItem) * KeyBlock;
            int qb = b * l * e, ob = b * l * ev;
            int start = g.Causal != 0 ? jb : 0;
            for (int x = tid; x < keyE; x += gsize)
            {
                int j = jb + x / e;
                if (j < s)
                {
                    dk[(b * s + j) * e + x % e] = T.Zero;
                }
            }
            for (int x = tid; x < keyEv; x += gsize)
            {
                int j = jb + x / ev;
                if (j < s)
                {
                    dv[(b * s + j) * ev + x % ev] = T.Zero;
                }
            }
            for (int i0 = start; i0 < l; i0 += RowBlock)
            {
                int nq = Math.Min(RowBlock, l - i0);
                for (int x = tid; x < nq * e; x += gsize)
                {
                    int r = x / e;
                    qs[r * KStride + x - r * e] = q[qb + i0 * e + x];
                }
                for (int x = tid; x < nq * ev; x += gsize)
                {
                    int r = x / ev;
                    dos[r * KStride + x - r * ev] = dO[ob + i0 * ev + x];
                }
                for (int r = tid; r < nq; r += gsize)
                {
                    tileLse[r] = lse[b * l + i0 + r];
                    tileD[r] = delta[b * l + i0 + r];
                }
                Group.Barrier();
                for (int x = tid; x < keyRows; x += gsize)
                {
                    int jl = x / RowBlock, r = x - jl * RowBlock, j = jb + jl, i = i0 + r;
                    T p = T.Zero, ds = T.Zero;
                    if (j < s && r < nq && (g.Causal == 0 || j <= i))
                    {
                        int kr = (b * s + j) * e, vr = (b * s + j) * ev, qr = r * KStride;
                        T acc = T.Zero, dp = T.Zero;
                        for (int d = 0; d < e; d++)
                        {
                            acc += qs[qr + d] * k[kr + d];
                        }
                        for (int d = 0; d < ev; d++)
                        {
                            dp += dos[qr + d] * v[vr + d];
                        }
                        T sc = scale * acc;
                        if (g.HasMask != 0)
                        {
                            sc += mask[g.MaskOff + b * g.MaskB + i * g.MaskL + j * g.MaskS];
                        }
                        p = TM.Exp(sc - tileLse[r]);
                        ds = p * (dp - tileD[r]);
                    }
                    pss[x] = p;
                    dss[x] = ds;
                }
                Group.Barrier();
                for (int x = tid; x < keyEv; x += gsize)
                {
                    int jl = x / ev, d = x - jl * ev, j = jb + jl;
                    if (j < s)
                    {
                        T acc = T.Zero;
                        for (int r = 0; r < nq; r++)
                        {
                            acc += pss[jl * RowBlock + r] * dos[r * KStride + d];
                        }
                        dv[(b * s + j) * ev + d] += acc;
                    }
                }
                for (int x = tid; x < keyE; x += gsize)
                {
                    int jl = x / e, d = x - jl * e, j = jb + jl;
                    if (j < s)
                    {
                        T acc = T.Zero;
                        for (int r = 0; r < nq; r++)
                        {
                            acc += dss[jl * RowBlock + r] * qs[r * KStride + d];
                        }
                        dk[(b * s + j) * e + d] += scale * acc;
                    }
                }
                Group.Barrier();
            }
        }
    }
}
