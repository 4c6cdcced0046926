using System.Numerics;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// x * W^T with few rows of x (at most one B panel, NR): the usual path packs all of W^T, a
/// transpose of N x K elements, which costs about a fifth of such a product. Here the product is
/// turned around, C^T = W * x^T: W (row-major, N x K) is read in place as the A operand, only x^T
/// (K x M, small) is packed, and C^T lands in a scratch block that is transposed into C in
/// W x W register blocks (N x M elements, K times fewer than W).
/// </summary>
internal static unsafe class GemmSkinnyT
{
    /// <summary>Turn around only when K is at least this many times M: W (N x K) is then at least that much larger than C^T (N x M).</summary>
    private const int MinKOverM = 2;

    /// <summary>Whether <paramref name="g"/> is a skinny product with a transposed, contiguous-rowed B.</summary>
    public static bool Applies<T>(in GemmArgs<T> g, int nr)
        where T : unmanaged, IFloatingPointIeee754<T>
        => GemmTranspose.IsSupported && g.M <= nr && g.N >= 2 * nr && g.K >= MinKOverM * g.M
           && g.RsB == 1 && g.CsB != 1 && g.CsA == 1 && g.CsC == 1;

    /// <summary>Runs <paramref name="g"/> as C^T = B^T A^T into scratch, then C = alpha * scratch^T + beta * C.</summary>
    public static void Run<T, TK>(in GemmArgs<T> g)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        int m = g.M, n = g.N;
        // The driver uses the thread's main workspace for its panels, so the scratch lives elsewhere.
        T* s = (T*)GemmWorkspace.Scratch.Get(((nint)n * m + 64) * sizeof(T));
        var t = new GemmArgs<T>
        {
            M = n, N = m, K = g.K, Alpha = T.One, Beta = T.Zero,
            A = g.B, RsA = g.CsB, CsA = 1,
            B = g.A, RsB = 1, CsB = g.RsA,
            C = s, RsC = m, CsC = 1,
        };
        GemmDriver.Run<T, TK>(t, allowTurn: false);
        TransposeInto(s, m, n, g.C, g.RsC, g.Alpha, g.Beta);
    }

    /// <summary>C[i, j] = alpha * s[j, i] + beta * C[i, j] for C (m x n, rows rsC apart) and s (n x m, dense).</summary>
    private static void TransposeInto<T>(T* s, int m, int n, T* c, nint rsC, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        int mb = m / w * w, nb = n / w * w;
        bool plain = alpha == T.One && beta == T.Zero;
        T* block = stackalloc T[w * w];
        for (int i0 = 0; i0 < mb; i0 += w)
        {
            for (int j0 = 0; j0 < nb; j0 += w)
            {
                if (plain)
                {
                    GemmTranspose.Block(s + (nint)j0 * m + i0, m, c + i0 * rsC + j0, rsC);
                    continue;
                }
                GemmTranspose.Block(s + (nint)j0 * m + i0, m, block, w);
                var va = Vector512.Create(alpha);
                for (int i = 0; i < w; i++)
                {
                    T* ci = c + (i0 + i) * rsC + j0;
                    var v = Vector512.Load(block + i * w) * va;
                    // beta == 0 overwrites C without reading it (BLAS), so NaNs already in C do not leak.
                    Vector512.Store(beta == T.Zero ? v : Simd.Fma(Vector512.Create(beta), Vector512.Load(ci), v), ci);
                }
            }
        }
        // Ragged edges: the rows past the last full block, then the columns past it in the full rows.
        for (int i = 0; i < m; i++)
        {
            T* ci = c + i * rsC;
            for (int j = i < mb ? nb : 0; j < n; j++)
            {
                T v = alpha * s[(nint)j * m + i];
                ci[j] = beta == T.Zero ? v : v + beta * ci[j];
            }
        }
    }
}
