using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// AVX-512 micro-kernel: an MR x NR tile of C held in registers (NR = two Vector512 of T, so 32
/// floats or 16 doubles; MR = 8 rows, so 16 accumulators), updated by one broadcast of A and two
/// loads of B per step of k.
/// </summary>
internal readonly struct GemmKernel512<T> : IGemmKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 8;

    public static int NR => 2 * Vector512<T>.Count;

    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    /// <summary>C[0..mr, 0..NR] = alpha * A(mr x kc) * B(kc x NR) + beta * C; C rows contiguous.</summary>
    public static unsafe void Tile(int mr, int kc, T* a, nint rsA, nint csA, T* b, nint ldb,
        T* c, nint rsC, T alpha, T beta)
    {
        switch (mr)
        {
            case 8: Tile<Rows8>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            case 7: Tile<Rows7>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            case 6: Tile<Rows6>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            case 5: Tile<Rows5>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            case 4: Tile<Rows4>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            case 3: Tile<Rows3>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            case 2: Tile<Rows2>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            default: Tile<Rows1>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
        }
    }

    /// <summary>C[0..mr, 0..NR/2] = alpha * A(mr x kc) * B(kc x NR/2) + beta * C: one vector per row, for a narrow last strip.</summary>
    public static unsafe void TileHalf(int mr, int kc, T* a, nint rsA, nint csA, T* b, nint ldb,
        T* c, nint rsC, T alpha, T beta)
    {
        switch (mr)
        {
            case 8: Half<Rows8>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            case 7: Half<Rows7>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            case 6: Half<Rows6>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            case 5: Half<Rows5>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            case 4: Half<Rows4>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            case 3: Half<Rows3>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            case 2: Half<Rows2>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
            default: Half<Rows1>(kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta); break;
        }
    }

    private static unsafe void Half<TR>(int kc, T* a, nint rsA, nint csA, T* b, nint ldb,
        T* c, nint rsC, T alpha, T beta)
        where TR : struct, IGemmRows
    {
        Vector512<T> c0 = default, c1 = default, c2 = default, c3 = default;
        Vector512<T> c4 = default, c5 = default, c6 = default, c7 = default;
        T* a1 = a + rsA, a2 = a + 2 * rsA, a3 = a + 3 * rsA;
        T* a4 = a + 4 * rsA, a5 = a + 5 * rsA, a6 = a + 6 * rsA, a7 = a + 7 * rsA;
        for (nint p = 0, end = kc * csA; p != end; p += csA)
        {
            Vector512<T> b0 = Vector512.Load(b);
            b += ldb;
            c0 = Simd.Fma(Vector512.Create(a[p]), b0, c0);
            if (TR.Count > 1) { c1 = Simd.Fma(Vector512.Create(a1[p]), b0, c1); }
            if (TR.Count > 2) { c2 = Simd.Fma(Vector512.Create(a2[p]), b0, c2); }
            if (TR.Count > 3) { c3 = Simd.Fma(Vector512.Create(a3[p]), b0, c3); }
            if (TR.Count > 4) { c4 = Simd.Fma(Vector512.Create(a4[p]), b0, c4); }
            if (TR.Count > 5) { c5 = Simd.Fma(Vector512.Create(a5[p]), b0, c5); }
            if (TR.Count > 6) { c6 = Simd.Fma(Vector512.Create(a6[p]), b0, c6); }
            if (TR.Count > 7) { c7 = Simd.Fma(Vector512.Create(a7[p]), b0, c7); }
        }
        var va = Vector512.Create(alpha);
        var vb = Vector512.Create(beta);
        bool zero = beta == T.Zero;
        StoreHalf(c, c0, va, vb, zero);
        if (TR.Count > 1) { StoreHalf(c + rsC, c1, va, vb, zero); }
        if (TR.Count > 2) { StoreHalf(c + 2 * rsC, c2, va, vb, zero); }
        if (TR.Count > 3) { StoreHalf(c + 3 * rsC, c3, va, vb, zero); }
        if (TR.Count > 4) { StoreHalf(c + 4 * rsC, c4, va, vb, zero); }
        if (TR.Count > 5) { StoreHalf(c + 5 * rsC, c5, va, vb, zero); }
        if (TR.Count > 6) { StoreHalf(c + 6 * rsC, c6, va, vb, zero); }
        if (TR.Count > 7) { StoreHalf(c + 7 * rsC, c7, va, vb, zero); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreHalf(T* c, Vector512<T> s, Vector512<T> va, Vector512<T> vb, bool zero)
    {
        // beta == 0 overwrites C without reading it (BLAS).
        Vector512.Store(zero ? s * va : Simd.Fma(vb, Vector512.Load(c), s * va), c);
    }

    private static unsafe void Tile<TR>(int kc, T* a, nint rsA, nint csA, T* b, nint ldb,
        T* c, nint rsC, T alpha, T beta)
        where TR : struct, IGemmRows
    {
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default, c70 = default, c71 = default;
        T* a1 = a + rsA, a2 = a + 2 * rsA, a3 = a + 3 * rsA;
        T* a4 = a + 4 * rsA, a5 = a + 5 * rsA, a6 = a + 6 * rsA, a7 = a + 7 * rsA;
        for (nint p = 0, end = kc * csA; p != end; p += csA)
        {
            Vector512<T> b0 = Vector512.Load(b);
            Vector512<T> b1 = Vector512.Load(b + w);
            b += ldb;
            Vector512<T> x = Vector512.Create(a[p]);
            c00 = Simd.Fma(x, b0, c00);
            c01 = Simd.Fma(x, b1, c01);
            if (TR.Count > 1)
            {
                x = Vector512.Create(a1[p]);
                c10 = Simd.Fma(x, b0, c10);
                c11 = Simd.Fma(x, b1, c11);
            }
            if (TR.Count > 2)
            {
                x = Vector512.Create(a2[p]);
                c20 = Simd.Fma(x, b0, c20);
                c21 = Simd.Fma(x, b1, c21);
            }
            if (TR.Count > 3)
            {
                x = Vector512.Create(a3[p]);
                c30 = Simd.Fma(x, b0, c30);
                c31 = Simd.Fma(x, b1, c31);
            }
            if (TR.Count > 4)
            {
                x = Vector512.Create(a4[p]);
                c40 = Simd.Fma(x, b0, c40);
                c41 = Simd.Fma(x, b1, c41);
            }
            if (TR.Count > 5)
            {
                x = Vector512.Create(a5[p]);
                c50 = Simd.Fma(x, b0, c50);
                c51 = Simd.Fma(x, b1, c51);
            }
            if (TR.Count > 6)
            {
                x = Vector512.Create(a6[p]);
                c60 = Simd.Fma(x, b0, c60);
                c61 = Simd.Fma(x, b1, c61);
            }
            if (TR.Count > 7)
            {
                x = Vector512.Create(a7[p]);
                c70 = Simd.Fma(x, b0, c70);
                c71 = Simd.Fma(x, b1, c71);
            }
        }
        var va = Vector512.Create(alpha);
        if (beta == T.Zero)
        {
            // beta == 0 overwrites C without reading it, so NaNs already in C do not leak (BLAS).
            Vector512.Store(c00 * va, c); Vector512.Store(c01 * va, c + w);
            if (TR.Count > 1) { c += rsC; Vector512.Store(c10 * va, c); Vector512.Store(c11 * va, c + w); }
            if (TR.Count > 2) { c += rsC; Vector512.Store(c20 * va, c); Vector512.Store(c21 * va, c + w); }
            if (TR.Count > 3) { c += rsC; Vector512.Store(c30 * va, c); Vector512.Store(c31 * va, c + w); }
            if (TR.Count > 4) { c += rsC; Vector512.Store(c40 * va, c); Vector512.Store(c41 * va, c + w); }
            if (TR.Count > 5) { c += rsC; Vector512.Store(c50 * va, c); Vector512.Store(c51 * va, c + w); }
            if (TR.Count > 6) { c += rsC; Vector512.Store(c60 * va, c); Vector512.Store(c61 * va, c + w); }
            if (TR.Count > 7) { c += rsC; Vector512.Store(c70 * va, c); Vector512.Store(c71 * va, c + w); }
        }
        else
        {
            var vb = Vector512.Create(beta);
            Update(c, c00, c01, va, vb);
            if (TR.Count > 1) { c += rsC; Update(c, c10, c11, va, vb); }
            if (TR.Count > 2) { c += rsC; Update(c, c20, c21, va, vb); }
            if (TR.Count > 3) { c += rsC; Update(c, c30, c31, va, vb); }
            if (TR.Count > 4) { c += rsC; Update(c, c40, c41, va, vb); }
            if (TR.Count > 5) { c += rsC; Update(c, c50, c51, va, vb); }
            if (TR.Count > 6) { c += rsC; Update(c, c60, c61, va, vb); }
            if (TR.Count > 7) { c += rsC; Update(c, c70, c71, va, vb); }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Update(T* c, Vector512<T> s0, Vector512<T> s1, Vector512<T> va, Vector512<T> vb)
    {
        int w = Vector512<T>.Count;
        Vector512.Store(Simd.Fma(vb, Vector512.Load(c), s0 * va), c);
        Vector512.Store(Simd.Fma(vb, Vector512.Load(c + w), s1 * va), c + w);
    }
}
