using System.Numerics;
using ILGPU;

namespace Engine.Gpu.Kernels;

/// <summary>
/// Sizes, scale and mask layout of one fused attention launch as a kernel parameter (mirrors
/// Engine.Backends.ScaledDotProductAttentionParams; HasMask says whether the mask view is real).
/// </summary>
public struct AttnGeom
{
    public int Batch, L, S, E, Ev, Causal, HasMask, MaskOff, MaskB, MaskL, MaskS;
    public double Scale;
}

/// <summary>exp and log for the attention kernels: float32 goes through double (CUDA's float32 exp and log are approximate).</summary>
internal interface IAttnMath<T>
{
    static abstract T Exp(T x);

    static abstract T Log(T x);

    static abstract T Of(double x);
}

internal struct AttnF32 : IAttnMath<float>
{
    public static float Exp(float x) => (float)Math.Exp(x);

    public static float Log(float x) => (float)Math.Log(x);

    public static float Of(double x) => (float)x;
}

internal struct AttnF64 : IAttnMath<double>
{
    public static double Exp(double x) => Math.Exp(x);

    public static double Log(double x) => Math.Log(x);

    public static double Of(double x) => x;
}

/// <summary>
/// Fused scaled-dot-product attention, one group per (batch, query row) or (batch, key row) in a
/// grid-stride loop over rows, blocks of up to <see cref="MaxGroup"/> keys (or queries) per step, one
/// thread per key of a block and one per output column; head dims are unbounded (accumulators live in
/// the output rows, each column owned by one thread).
/// These run for head dims above <see cref="AttentionTiledKernels.MaxHead"/>; narrower heads run the
/// row-block kernels of <see cref="AttentionTiledKernels"/>, which share K/V (or Q/dO) tiles across rows.
/// Forward: online softmax (running max and sum) over key blocks, o = sum_j p_j v_j / l, and the
/// row's log-sum-exp for backward. Backward in two passes without atomics: per query row, D_i =
/// dO_i . O_i and dQ_i = scale sum_j P_ij (dP_ij - D_i) k_j; then per key row, dV_j = sum_i P_ij dO_i and
/// dK_j = scale sum_i dS_ij q_i, with P recomputed from the saved log-sum-exp. Group size: a power of
/// two up to <see cref="MaxGroup"/>.
/// </summary>
[CatalogedKernels]
public static class AttentionKernels
{
    /// <summary>Most threads per group (shared arrays are this long).</summary>
    public const int MaxGroup = 256;

    /// <summary>Forward (float32; exp and log in double).</summary>
    public static void ForwardF32(ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, ArrayView<float> mask, ArrayView<float> o,
        ArrayView<float> lse, AttnGeom g) => Forward<float, AttnF32>(q, k, v, mask, o, lse, g);

    /// <summary>Forward (float64).</summary>
    public static void ForwardF64(ArrayView<double> q, ArrayView<double> k, ArrayView<double> v, ArrayView<double> mask, ArrayView<double> o,
        ArrayView<double> lse, AttnGeom g) => Forward<double, AttnF64>(q, k, v, mask, o, lse, g);

    /// <summary>Backward pass over query rows (float32): D and dQ.</summary>
    public static void BackwardQueryF32(ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, ArrayView<float> mask, ArrayView<float> o,
        ArrayView<float> lse, ArrayView<float> dO, ArrayView<float> dq, ArrayView<float> delta, AttnGeom g)
        => BackwardQuery<float, AttnF32>(q, k, v, mask, o, lse, dO, dq, delta, g);

    /// <summary>Backward pass over query rows (float64): D and dQ.</summary>
    public static void BackwardQueryF64(ArrayView<double> q, ArrayView<double> k, ArrayView<double> v, ArrayView<double> mask, ArrayView<double> o,
        ArrayView<double> lse, ArrayView<double> dO, ArrayView<double> dq, ArrayView<double> delta, AttnGeom g)
        => BackwardQuery<double, AttnF64>(q, k, v, mask, o, lse, dO, dq, delta, g);

    /// <summary>Backward pass over key rows (float32): dK and dV.</summary>
    public static void BackwardKeyF32(ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, ArrayView<float> mask, ArrayView<float> lse,
        ArrayView<float> dO, ArrayView<float> delta, ArrayView<float> dk, ArrayView<float> dv, AttnGeom g)
        => BackwardKey<float, AttnF32>(q, k, v, mask, lse, dO, delta, dk, dv, g);

    /// <summary>Backward pass over key rows (float64): dK and dV.</summary>
    public static void BackwardKeyF64(ArrayView<double> q, ArrayView<double> k, ArrayView<double> v, ArrayView<double> mask, ArrayView<double> lse,
        ArrayView<double> dO, ArrayView<double> delta, ArrayView<double> dk, ArrayView<double> dv, AttnGeom g)
        => BackwardKey<double, AttnF64>(q, k, v, mask, lse, dO, delta, dk, dv, g);

    private static void Forward<T, TM>(ArrayView<T> q, ArrayView<T> k, ArrayView<T> v, ArrayView<T> mask, ArrayView<T> o,
        ArrayView<T> lse, AttnGeom g) where T : unmanaged, IFloatingPointIeee754<T> where TM : struct, IAttnMath<T>
    {
        var red = SharedMemory.Allocate<T>(MaxGroup);
        var pb = SharedMemory.Allocate<T>(MaxGroup);
        int tid = Group.IdxX, gsize = Group.DimX, gstep = Grid.DimX;
        int l = g.L, s = g.S, e = g.E, ev = g.Ev, rows = g.Batch * g.L;
        T scale = TM.Of(g.Scale);
        for (int row = Grid.IdxX; row < rows; row += gstep)
        {
            int b = row / l, i = row - b * l;
            int qb = row * e, kb = b * s * e, vb = b * s * ev, ob = row * ev;
            int end = g.Causal != 0 ? Math.Min(s, i + 1) : s;
            for (int d = tid; d < ev; d += gsize)
            {
                o[ob + d] = T.Zero;
            }
            T m = T.NegativeInfinity, sum = T.Zero;
            for (int j0 = 0; j0 < end; j0 += gsize)
            {
                int j = j0 + tid, n = Math.Min(gsize, end - j0);
                T sj = j < end ? Score(q, k, mask, g, scale, qb, kb + j * e, b, i, j, e) : T.NegativeInfinity;
                T mNew = T.Max(m, GroupReduce.Max(red, sj, tid, gsize));
                // While every score so far is -inf the block adds nothing (and exp(-inf - -inf) would be NaN).
                bool live = !(T.IsInfinity(mNew) && mNew < T.Zero);
                T pj = live ? TM.Exp(sj - mNew) : T.Zero;
                T alpha = live ? TM.Exp(m - mNew) : T.One;
                sum = sum * alpha + GroupReduce.Sum(red, pj, tid, gsize);
                m = mNew;
                pb[tid] = pj;
                Group.Barrier();
                for (int d = tid; d < ev; d += gsize)
                {
                    T acc = T.Zero;
                    for (int t = 0; t < n; t++)
                    {
                        acc += pb[t] * v[vb + (j0 + t) * ev + d];
                    }
                    o[ob + d] = o[ob + d] * alpha + acc;
                }
                Group.Barrier();
            }
            bool dead = T.IsNaN(m) || (T.IsInfinity(m) && m < T.Zero);
            T inv = T.One / sum;
            for (int d = tid; d < ev; d += gsize)
            {
                o[ob + d] = dead ? T.NaN : o[ob + d] * inv;
            }
            if (tid == 0)
            {
                lse[row] = dead ? T.NaN : m + TM.Log(sum);
            }
        }
    }

    private static void BackwardQuery<T, TM>(ArrayView<T> q, ArrayView<T> k, ArrayView<T> v, ArrayView<T> mask, ArrayView<T> o,
        ArrayView<T> lse, ArrayView<T> dO, ArrayView<T> dq, ArrayView<T> delta, AttnGeom g)
        where T : unmanaged, IFloatingPointIeee754<T> where TM : struct, IAttnMath<T>
    {
        var red = SharedMemory.Allocate<T>(MaxGroup);
        var db = SharedMemory.Allocate<T>(MaxGroup);
        int tid = Group.IdxX, gsize = Group.DimX, gstep = Grid.DimX;
        int l = g.L, s = g.S, e = g.E, ev = g.Ev, rows = g.Batch * g.L;
        T scale = TM.Of(g.Scale);
        for (int row = Grid.IdxX; row < rows; row += gstep)
        {
            int b = row / l, i = row - b * l;
            int qb = row * e, kb = b * s * e, vb = b * s * ev, ob = row * ev;
            int end = g.Causal != 0 ? Math.Min(s, i + 1) : s;
            T part = T.Zero;
            for (int d = tid; d < ev; d += gsize)
            {
                part += dO[ob + d] * o[ob + d];
            }
            T di = GroupReduce.Sum(red, part, tid, gsize);
            T li = lse[row];
            if (tid == 0)
            {
                delta[row] = di;
            }
            for (int d = tid; d < e; d += gsize)
            {
                dq[qb + d] = T.Zero;
            }
            for (int j0 = 0; j0 < end; j0 += gsize)
            {
                int j = j0 + tid, n = Math.Min(gsize, end - j0);
                T ds = T.Zero;
                if (j < end)
                {
                    T p = TM.Exp(Score(q, k, mask, g, scale, qb, kb + j * e, b, i, j, e) - li);
                    ds = p * (Dot(dO, v, ob, vb + j * ev, ev) - di);
                }
                db[tid] = ds;
                Group.Barrier();
                for (int d = tid; d < e; d += gsize)
                {
                    T acc = T.Zero;
                    for (int t = 0; t < n; t++)
                    {
                        acc += db[t] * k[kb + (j0 + t) * e + d];
                    }
                    dq[qb + d] += scale * acc;
                }
                Group.Barrier();
            }
        }
    }

    private static void BackwardKey<T, TM>(ArrayView<T> q, ArrayView<T> k, ArrayView<T> v, ArrayView<T> mask, ArrayView<T> lse,
        ArrayView<T> dO, ArrayView<T> delta, ArrayView<T> dk, ArrayView<T> dv, AttnGeom g)
        where T : unmanaged, IFloatingPointIeee754<T> where TM : struct, IAttnMath<T>
    {
        var pb = SharedMemory.Allocate<T>(MaxGroup);
        var db = SharedMemory.Allocate<T>(MaxGroup);
        int tid = Group.IdxX, gsize = Group.DimX, gstep = Grid.DimX;
        int l = g.L, s = g.S, e = g.E, ev = g.Ev, rows = g.Batch * g.S;
        T scale = TM.Of(g.Scale);
        for (int row = Grid.IdxX; row < rows; row += gstep)
        {
            int b = row / s, j = row - b * s;
            int kr = row * e, vr = row * ev, qb = b * l * e, ob = b * l * ev;
            int start = g.Causal != 0 ? j : 0;
            for (int d = tid; d < e; d += gsize)
            {
                dk[kr + d] = T.Zero;
            }
            for (int d = tid; d < ev; d += gsize)
            {
                dv[vr + d] = T.Zero;
            }
            for (int i0 = start; i0 < l; i0 += gsize)
            {
                int i = i0 + tid, n = Math.Min(gsize, l - i0);
                T p = T.Zero, ds = T.Zero;
                if (i < l)
                {
                    p = TM.Exp(Score(q, k, mask, g, scale, qb + i * e, kr, b, i, j, e) - lse[b * l + i]);
                    ds = p * (Dot(dO, v, ob + i * ev, vr, ev) - delta[b * l + i]);
                }
                pb[tid] = p;
                db[tid] = ds;
                Group.Barrier();
                for (int d = tid; d < ev; d += gsize)
                {
                    T acc = T.Zero;
                    for (int t = 0; t < n; t++)
                    {
                        acc += pb[t] * dO[ob + (i0 + t) * ev + d];
                    }
                    dv[vr + d] += acc;
                }
                for (int d = tid; d < e; d += gsize)
                {
                    T acc = T.Zero;
                    for (int t = 0; t < n; t++)
                    {
                        acc += db[t] * q[qb + (i0 + t) * e + d];
                    }
                    dk[kr + d] += scale * acc;
                }
                Group.Barrier();
            }
        }
    }

    /// <summary>scale q_i . k_j plus the mask entry (when there is a mask).</summary>
    private static T Score<T>(ArrayView<T> q, ArrayView<T> k, ArrayView<T> mask, AttnGeom g, T scale, int qr, int kr, int b, int i, int j, int e)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T sc = scale * Dot(q, k, qr, kr, e);
        if (g.HasMask != 0)
        {
            sc += mask[g.MaskOff + b * g.MaskB + i * g.MaskL + j * g.MaskS];
        }
        return sc;
    }

    private static T Dot<T>(ArrayView<T> a, ArrayView<T> b, int ar, int br, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T acc = T.Zero;
        for (int d = 0; d < n; d++)
        {
            acc += a[ar + d] * b[br + d];
        }
        return acc;
    }
}
