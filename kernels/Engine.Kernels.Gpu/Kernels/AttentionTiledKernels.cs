using System.Numerics;
using ILGPU;

namespace Engine.Gpu.Kernels;

/// <summary>
/// The attention forward over blocks of <see cref="RowBlock"/> query rows per group: each tile of
/// <see cref="KeyBlock"/> keys and values is loaded once into shared memory and serves every row of
/// the block (the per-row kernel of <see cref="AttentionKernels"/> reads K and V once per query row).
/// Per tile: scores of the block (one thread per (row, key)), an online-softmax update per row (running
/// max, sum and the rescale factor of the rows' partial outputs), then the weighted sum of the tile's
/// values into the output rows (each (row, column) owned by one thread across tiles). Head dims up to
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
}
