using System.Numerics;
using ILGPU;

namespace Engine.Gpu.Kernels;

/// <summary>
/// Operand layouts of a batched matrix product C[p] = A[p] B[p] (+ C[p]): A (M, K) and B (K, N)
/// with any row, column and batch strides; C with a row stride and a batch stride (unit column stride).
/// </summary>
public struct GemmParams
{
    public int M, N, K;
    public int AOff, ARow, ACol, ABatch;
    public int BOff, BRow, BCol, BBatch;
    public int COff, CRow, CBatch;
    public int Accumulate, BatchBase;
}

/// <summary>
/// Tiled matrix product with shared memory and register blocking: a 16x16 group computes a 64x64
/// tile of C, each thread a 4x4 block (rows ty + 16 i, columns tx + 16 j, so shared-memory reads
/// are broadcasts or consecutive), stepping through K in slices of 16 staged in shared memory.
/// Grid: (tiles along N, tiles along M, batch).
/// </summary>
public static partial class GemmKernels
{
    /// <summary>Edge of the C tile a group computes.</summary>
    public const int Tile = 64;

    /// <summary>Depth of the K slice staged in shared memory.</summary>
    public const int Depth = 16;

    /// <summary>Threads per group along each axis.</summary>
    public const int Threads = 16;

    /// <summary>The tiled kernel (explicitly grouped, group 16x16).</summary>
    public static void Tiled<T>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, GemmParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sa = SharedMemory.Allocate<T>(Depth * Tile);
        var sb = SharedMemory.Allocate<T>(Depth * Tile);
        int tx = Group.IdxX, ty = Group.IdxY, tid = ty * Threads + tx;
        int col0 = Grid.IdxX * Tile, row0 = Grid.IdxY * Tile, batch = Grid.IdxZ + p.BatchBase;
        int m = p.M, n = p.N, k = p.K;
        int ab = p.AOff + batch * p.ABatch, bb = p.BOff + batch * p.BBatch, cb = p.COff + batch * p.CBatch;
            T c00 = T.Zero;
            T c01 = T.Zero;
            T c02 = T.Zero;
            T c03 = T.Zero;
            T c10 = T.Zero;
            T c11 = T.Zero;
            T c12 = T.Zero;
            T c13 = T.Zero;
            T c20 = T.Zero;
            T c21 = T.Zero;
            T c22 = T.Zero;
            T c23 = T.Zero;
            T c30 = T.Zero;
            T c31 = T.Zero;
            T c32 = T.Zero;
            T c33 = T.Zero;
        for (int k0 = 0; k0 < k; k0 += Depth)
        {
            for (int l = 0; l < 4; l++)
            {
                int e = tid + l * 256;
                // A slice (Tile rows x Depth): consecutive threads read consecutive k.
                int am = e / Depth, ak = e - am * Depth;
                int gr = row0 + am, gk = k0 + ak;
                sa[ak * Tile + am] = gr < m && gk < k ? a[ab + gr * p.ARow + gk * p.ACol] : T.Zero;
                // B slice (Depth x Tile): consecutive threads read consecutive columns.
                int bk = e / Tile, bn = e - bk * Tile;
                int gk2 = k0 + bk, gc = col0 + bn;
                sb[bk * Tile + bn] = gk2 < k && gc < n ? b[bb + gk2 * p.BRow + gc * p.BCol] : T.Zero;
            }
            Group.Barrier();
            for (int kk = 0; kk < Depth; kk++)
            {
                    T a0 = sa[kk * Tile + ty + 0];
                    T a1 = sa[kk * Tile + ty + 16];
                    T a2 = sa[kk * Tile + ty + 32];
                    T a3 = sa[kk * Tile + ty + 48];
                    T b0 = sb[kk * Tile + tx + 0];
                    T b1 = sb[kk * Tile + tx + 16];
                    T b2 = sb[kk * Tile + tx + 32];
                    T b3 = sb[kk * Tile + tx + 48];
                    c00 += a0 * b0;
                    c01 += a0 * b1;
                    c02 += a0 * b2;
                    c03 += a0 * b3;
                    c10 += a1 * b0;
                    c11 += a1 * b1;
                    c12 += a1 * b2;
                    c13 += a1 * b3;
                    c20 += a2 * b0;
                    c21 += a2 * b1;
                    c22 += a2 * b2;
                    c23 += a2 * b3;
                    c30 += a3 * b0;
                    c31 += a3 * b1;
                    c32 += a3 * b2;
                    c33 += a3 * b3;
            }
            Group.Barrier();
        }
            Store(c, p, cb, row0 + ty + 0, col0 + tx + 0, c00);
            Store(c, p, cb, row0 + ty + 0, col0 + tx + 16, c01);
            Store(c, p, cb, row0 + ty + 0, col0 + tx + 32, c02);
            Store(c, p, cb, row0 + ty + 0, col0 + tx + 48, c03);
            Store(c, p, cb, row0 + ty + 16, col0 + tx + 0, c10);
            Store(c, p, cb, row0 + ty + 16, col0 + tx + 16, c11);
            Store(c, p, cb, row0 + ty + 16, col0 + tx + 32, c12);
            Store(c, p, cb, row0 + ty + 16, col0 + tx + 48, c13);
            Store(c, p, cb, row0 + ty + 32, col0 + tx + 0, c20);
            Store(c, p, cb, row0 + ty + 32, col0 + tx + 16, c21);
            Store(c, p, cb, row0 + ty + 32, col0 + tx + 32, c22);
            Store(c, p, cb, row0 + ty + 32, col0 + tx + 48, c23);
            Store(c, p, cb, row0 + ty + 48, col0 + tx + 0, c30);
            Store(c, p, cb, row0 + ty + 48, col0 + tx + 16, c31);
            Store(c, p, cb, row0 + ty + 48, col0 + tx + 32, c32);
            Store(c, p, cb, row0 + ty + 48, col0 + tx + 48, c33);
    }

    private static void Store<T>(ArrayView<T> c, in GemmParams p, int cb, int row, int col, T v)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (row < p.M && col < p.N)
        {
            int at = cb + row * p.CRow + col;
            c[at] = p.Accumulate != 0 ? c[at] + v : v;
        }
    }
}
