using System.Numerics;

namespace Engine.Kernels;

/// <summary>
/// One GEMM problem on raw pointers: C (M x N) = Alpha * A (M x K) * B (K x N) + Beta * C, each
/// operand with element (i, j) at <c>ptr[i * Rs + j * Cs]</c>. Pointers are already offset.
/// </summary>
internal unsafe struct GemmArgs<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public int M, N, K;
    public T Alpha, Beta;
    public T* A;
    public nint RsA, CsA;
    public T* B;
    public nint RsB, CsB;
    public T* C;
    public nint RsC, CsC;

    /// <summary>The sub-problem of rows [i0, i0 + m) and columns [j0, j0 + n) of C.</summary>
    public readonly GemmArgs<T> Slice(int i0, int m, int j0, int n)
    {
        var s = this;
        s.M = m;
        s.N = n;
        s.A = A + i0 * RsA;
        s.B = B + j0 * CsB;
        s.C = C + i0 * RsC + j0 * CsC;
        return s;
    }
}
