using System.Numerics;

namespace Engine.Kernels;

/// <summary>
/// A register-blocked GEMM micro-kernel: computes an mr x NR tile of C (mr &lt;= MR) from an
/// mr x kc sliver of A with element (i, p) at <c>a[i * rsA + p * csA]</c> and a kc x NR sliver of B
/// whose rows are contiguous and <c>ldb</c> apart.
/// </summary>
internal interface IGemmKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows of C per tile.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of C per tile.</summary>
    static abstract int NR { get; }

    /// <summary>Whether this CPU runs the kernel in hardware.</summary>
    static abstract bool IsSupported { get; }

    /// <summary>C = alpha * A * B + beta * C on an mr x NR tile whose rows are contiguous and rsC apart.</summary>
    static abstract unsafe void Tile(int mr, int kc, T* a, nint rsA, nint csA, T* b, nint ldb,
        T* c, nint rsC, T alpha, T beta);

    /// <summary>
    /// Like <see cref="Tile"/> for a ragged last strip at most NR / 2 wide: only columns [0, NR / 2)
    /// of C are computed and written (kernels without a narrower form compute the full tile).
    /// </summary>
    static abstract unsafe void TileHalf(int mr, int kc, T* a, nint rsA, nint csA, T* b, nint ldb,
        T* c, nint rsC, T alpha, T beta);
}
