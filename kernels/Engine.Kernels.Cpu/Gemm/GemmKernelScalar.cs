using System.Numerics;

namespace Engine.Kernels;

/// <summary>
/// Portable micro-kernel for CPUs without 256-bit SIMD: a 4 x 4 tile of C in scalar registers.
/// </summary>
internal readonly struct GemmKernelScalar<T> : IGemmKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 4;

    public static int NR => 4;

    public static bool IsSupported => true;

    /// <summary>No narrower form here: the full tile (the caller stores only the columns it needs).</summary>
    public static unsafe void TileHalf(int mr, int kc, T* a, nint rsA, nint csA, T* b, nint ldb,
        T* c, nint rsC, T alpha, T beta) => Tile(mr, kc, a, rsA, csA, b, ldb, c, rsC, alpha, beta);

    public static unsafe void Tile(int mr, int kc, T* a, nint rsA, nint csA, T* b, nint ldb,
        T* c, nint rsC, T alpha, T beta)
    {
        for (int i = 0; i < mr; i++)
        {
            T s0 = T.Zero, s1 = T.Zero, s2 = T.Zero, s3 = T.Zero;
            T* ai = a + i * rsA;
            T* bp = b;
            for (int p = 0; p < kc; p++)
            {
                T x = ai[p * csA];
                s0 += x * bp[0];
                s1 += x * bp[1];
                s2 += x * bp[2];
                s3 += x * bp[3];
                bp += ldb;
            }
            T* ci = c + i * rsC;
            if (beta == T.Zero)
            {
                ci[0] = alpha * s0; ci[1] = alpha * s1; ci[2] = alpha * s2; ci[3] = alpha * s3;
            }
            else
            {
                ci[0] = alpha * s0 + beta * ci[0]; ci[1] = alpha * s1 + beta * ci[1];
                ci[2] = alpha * s2 + beta * ci[2]; ci[3] = alpha * s3 + beta * ci[3];
            }
        }
    }
}
