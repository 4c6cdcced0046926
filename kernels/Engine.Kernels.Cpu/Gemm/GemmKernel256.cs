using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// AVX2-width micro-kernel: an MR x NR tile of C held in registers (NR = two Vector256 of T, so 16
/// floats or 8 doubles; MR = 6 rows, so 12 of the 16 vector registers hold accumulators), updated
/// by one broadcast of A and two loads of B per step of k.
/// </summary>
internal readonly struct GemmKernel256<T> : IGemmKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 6;

    public static int NR => 2 * Vector256<T>.Count;

    public static bool IsSupported => Vector256.IsHardwareAccelerated;

    /// <summary>C[0..mr, 0..NR] = alpha * A(mr x kc) * B(kc x NR) + beta * C; C rows contiguous.</summary>
    /// <summary>No narrower form here: the full tile (the caller stores only the columns it needs).</summary>
    public static unsafe void TileHalf(int mr, int kc, T* a, nint rsA, nint csA, T* b, nint ldb,
        T* c, nint rsC, T alpha, T beta) => Tile(mr, kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta);

    public static unsafe void Tile(int mr, int kc, T* a, nint rsA, nint csA, T* b, nint ldb,
        T* c, nint rsC, T alpha, T beta)
    {
        switch (mr)
        {
            case 6: Tile<Rows6>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            case 5: Tile<Rows5>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            case 4: Tile<Rows4>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            case 3: Tile<Rows3>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            case 2: Tile<Rows2>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            default: Tile<Rows1>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
        }
    }

    private static unsafe void Tile<TR>(int kc, T* a, nint rsA, nint csA, T* b, nint ldb,
        T* c, nint rsC, T alpha, T beta)
        where TR : struct, IGemmRows
    {
        int w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<T> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<T> c40 = default, c41 = default, c50 = default, c51 = default;
        T* a1 = a + rsA, a2 = a + 2 * rsA, a3 = a + 3 * rsA;
        T* a4 = a + 4 * rsA, a5 = a + 5 * rsA;
        for (nint p = 0, end = kc * csA; p != end; p += csA)
        {
            Vector256<T> b0 = Vector256.Load(b);
            Vector256<T> b1 = Vector256.Load(b + w);
            b += ldb;
            Vector256<T> x = Vector256.Create(a[p]);
            c00 = Simd.Fma(x, b0, c00);
            c01 = Simd.Fma(x, b1, c01);
            if (TR.Count > 1)
            {
                x = Vector256.Create(a1[p]);
                c10 = Simd.Fma(x, b0, c10);
                c11 = Simd.Fma(x, b1, c11);
            }
            if (TR.Count > 2)
            {
                x = Vector256.Create(a2[p]);
                c20 = Simd.Fma(x, b0, c20);
                c21 = Simd.Fma(x, b1, c21);
            }
            if (TR.Count > 3)
            {
                x = Vector256.Create(a3[p]);
                c30 = Simd.Fma(x, b0, c30);
                c31 = Simd.Fma(x, b1, c31);
            }
            if (TR.Count > 4)
            {
                x = Vector256.Create(a4[p]);
                c40 = Simd.Fma(x, b0, c40);
                c41 = Simd.Fma(x, b1, c41);
            }
            if (TR.Count > 5)
            {
                x = Vector256.Create(a5[p]);
                c50 = Simd.Fma(x, b0, c50);
                c51 = Simd.Fma(x, b1, c51);
            }
        }
        var va = Vector256.Create(alpha);
        if (beta == T.Zero)
        {
            // beta == 0 overwrites C without reading it, so NaNs already in C do not leak (BLAS).
            Vector256.Store(c00 * va, c); Vector256.Store(c01 * va, c + w);
            if (TR.Count > 1) { c += rsC; Vector256.Store(c10 * va, c); Vector256.Store(c11 * va, c + w); }
            if (TR.Count > 2) { c += rsC; Vector256.Store(c20 * va, c); Vector256.Store(c21 * va, c + w); }
            if (TR.Count > 3) { c += rsC; Vector256.Store(c30 * va, c); Vector256.Store(c31 * va, c + w); }
            if (TR.Count > 4) { c += rsC; Vector256.Store(c40 * va, c); Vector256.Store(c41 * va, c + w); }
            if (TR.Count > 5) { c += rsC; Vector256.Store(c50 * va, c); Vector256.Store(c51 * va, c + w); }
        }
        else
        {
            var vb = Vector256.Create(beta);
            Update(c, c00, c01, va, vb);
            if (TR.Count > 1) { c += rsC; Update(c, c10, c11, va, vb); }
            if (TR.Count > 2) { c += rsC; Update(c, c20, c21, va, vb); }
            if (TR.Count > 3) { c += rsC; Update(c, c30, c31, va, vb); }
            if (TR.Count > 4) { c += rsC; Update(c, c40, c41, va, vb); }
            if (TR.Count > 5) { c += rsC; Update(c, c50, c51, va, vb); }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Update(T* c, Vector256<T> s0, Vector256<T> s1, Vector256<T> va, Vector256<T> vb)
    {
        int w = Vector256<T>.Count;
        Vector256.Store(Simd.Fma(vb, Vector256.Load(c), s0 * va), c);
        Vector256.Store(Simd.Fma(vb, Vector256.Load(c + w), s1 * va), c + w);
    }
}
