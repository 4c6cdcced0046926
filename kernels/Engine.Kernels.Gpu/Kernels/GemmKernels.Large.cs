using ILGPU;

namespace Engine.Gpu.Kernels;

/// <summary>
/// The large-tile float32 GEMM for matrices of at least 128 x 128: a 16x16 group computes a
/// 128x128 tile of C, each thread an 8x8 block (rows ty + 16 i, columns tx + 16 j), so every
/// value read from shared memory feeds eight multiply-adds (the 64x64 kernel's 4x4 blocks feed
/// four, which left it limited by shared-memory reads at about 30% of cuBLAS on an H200). The K
/// loop stages slices of 8 in two shared buffers: while the group computes on one slice, each
/// thread has already loaded its part of the next slice into registers and stores it into the
/// other buffer, so there is one barrier per slice. Each operand is read along whichever of its
/// axes is contiguous (A's k or m, B's n or k), so transposed operands load coalesced too. The
/// shared rows are padded to 132 floats so the column-order stores do not collide in one bank.
/// The 64 accumulators are written out as separate locals (generated code) because a local array
/// would live in slow local memory.
/// </summary>
public static partial class GemmKernels
{
    /// <summary>Edge of the C tile of the large kernel.</summary>
    public const int LargeTile = 128;

    /// <summary>Depth of the K slice of the large kernel.</summary>
    public const int LargeDepth = 8;

    private const int LargeLd = LargeTile + 4;
    private const int LargeBuffer = LargeDepth * LargeLd;

    /// <summary>The large-tile kernel (explicitly grouped, group 16x16; grid: tiles along N, tiles along M, batch).</summary>
    public static void Large(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmParams p)
    {
        var sa = SharedMemory.Allocate<float>(2 * LargeBuffer);
        var sb = SharedMemory.Allocate<float>(2 * LargeBuffer);
        int tx = Group.IdxX, ty = Group.IdxY, tid = ty * Threads + tx;
        int col0 = Grid.IdxX * LargeTile, row0 = Grid.IdxY * LargeTile, batch = Grid.IdxZ + p.BatchBase;
        int m = p.M, n = p.N, k = p.K;
        int aRow = p.ARow, aCol = p.ACol, bRow = p.BRow, bCol = p.BCol;
        int ab = p.AOff + batch * p.ABatch, bb = p.BOff + batch * p.BBatch, cb = p.COff + batch * p.CBatch;
        bool aAlongK = aCol == 1, bAlongN = bCol == 1 || bRow != 1;

        int e0 = tid + 0;
        int am0 = aAlongK ? e0 >> 3 : e0 & 127, ak0 = aAlongK ? e0 & 7 : e0 >> 7;
        int bn0 = bAlongN ? e0 & 127 : e0 >> 3, bk0 = bAlongN ? e0 >> 7 : e0 & 7;
        int e1 = tid + 256;
        int am1 = aAlongK ? e1 >> 3 : e1 & 127, ak1 = aAlongK ? e1 & 7 : e1 >> 7;
        int bn1 = bAlongN ? e1 & 127 : e1 >> 3, bk1 = bAlongN ? e1 >> 7 : e1 & 7;
        int e2 = tid + 512;
        int am2 = aAlongK ? e2 >> 3 : e2 & 127, ak2 = aAlongK ? e2 & 7 : e2 >> 7;
        int bn2 = bAlongN ? e2 & 127 : e2 >> 3, bk2 = bAlongN ? e2 >> 7 : e2 & 7;
        int e3 = tid + 768;
        int am3 = aAlongK ? e3 >> 3 : e3 & 127, ak3 = aAlongK ? e3 & 7 : e3 >> 7;
        int bn3 = bAlongN ? e3 & 127 : e3 >> 3, bk3 = bAlongN ? e3 >> 7 : e3 & 7;
        float ra0 = row0 + am0 < m && ak0 < k ? a[ab + (row0 + am0) * aRow + ak0 * aCol] : 0f;
        float rb0 = bk0 < k && col0 + bn0 < n ? b[bb + bk0 * bRow + (col0 + bn0) * bCol] : 0f;
        float ra1 = row0 + am1 < m && ak1 < k ? a[ab + (row0 + am1) * aRow + ak1 * aCol] : 0f;
        float rb1 = bk1 < k && col0 + bn1 < n ? b[bb + bk1 * bRow + (col0 + bn1) * bCol] : 0f;
        float ra2 = row0 + am2 < m && ak2 < k ? a[ab + (row0 + am2) * aRow + ak2 * aCol] : 0f;
        float rb2 = bk2 < k && col0 + bn2 < n ? b[bb + bk2 * bRow + (col0 + bn2) * bCol] : 0f;
        float ra3 = row0 + am3 < m && ak3 < k ? a[ab + (row0 + am3) * aRow + ak3 * aCol] : 0f;
        float rb3 = bk3 < k && col0 + bn3 < n ? b[bb + bk3 * bRow + (col0 + bn3) * bCol] : 0f;
        sa[ak0 * LargeLd + am0] = ra0;
        sb[bk0 * LargeLd + bn0] = rb0;
        sa[ak1 * LargeLd + am1] = ra1;
        sb[bk1 * LargeLd + bn1] = rb1;
        sa[ak2 * LargeLd + am2] = ra2;
        sb[bk2 * LargeLd + bn2] = rb2;
        sa[ak3 * LargeLd + am3] = ra3;
        sb[bk3 * LargeLd + bn3] = rb3;
        Group.Barrier();
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f, c04 = 0f, c05 = 0f, c06 = 0f, c07 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f, c14 = 0f, c15 = 0f, c16 = 0f, c17 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f, c24 = 0f, c25 = 0f, c26 = 0f, c27 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f, c34 = 0f, c35 = 0f, c36 = 0f, c37 = 0f;
        float c40 = 0f, c41 = 0f, c42 = 0f, c43 = 0f, c44 = 0f, c45 = 0f, c46 = 0f, c47 = 0f;
        float c50 = 0f, c51 = 0f, c52 = 0f, c53 = 0f, c54 = 0f, c55 = 0f, c56 = 0f, c57 = 0f;
        float c60 = 0f, c61 = 0f, c62 = 0f, c63 = 0f, c64 = 0f, c65 = 0f, c66 = 0f, c67 = 0f;
        float c70 = 0f, c71 = 0f, c72 = 0f, c73 = 0f, c74 = 0f, c75 = 0f, c76 = 0f, c77 = 0f;
        int cur = 0;
        for (int k0 = 0; k0 < k; k0 += LargeDepth)
        {
            int next = k0 + LargeDepth;
            bool more = next < k;
            if (more)
            {
                ra0 = row0 + am0 < m && next + ak0 < k ? a[ab + (row0 + am0) * aRow + (next + ak0) * aCol] : 0f;
                rb0 = next + bk0 < k && col0 + bn0 < n ? b[bb + (next + bk0) * bRow + (col0 + bn0) * bCol] : 0f;
                ra1 = row0 + am1 < m && next + ak1 < k ? a[ab + (row0 + am1) * aRow + (next + ak1) * aCol] : 0f;
                rb1 = next + bk1 < k && col0 + bn1 < n ? b[bb + (next + bk1) * bRow + (col0 + bn1) * bCol] : 0f;
                ra2 = row0 + am2 < m && next + ak2 < k ? a[ab + (row0 + am2) * aRow + (next + ak2) * aCol] : 0f;
                rb2 = next + bk2 < k && col0 + bn2 < n ? b[bb + (next + bk2) * bRow + (col0 + bn2) * bCol] : 0f;
                ra3 = row0 + am3 < m && next + ak3 < k ? a[ab + (row0 + am3) * aRow + (next + ak3) * aCol] : 0f;
                rb3 = next + bk3 < k && col0 + bn3 < n ? b[bb + (next + bk3) * bRow + (col0 + bn3) * bCol] : 0f;
            }
            for (int kk = 0; kk < LargeDepth; kk++)
            {
                int at = cur + kk * LargeLd;
                float a0 = sa[at + ty + 0];
                float a1 = sa[at + ty + 16];
                float a2 = sa[at + ty + 32];
                float a3 = sa[at + ty + 48];
                float a4 = sa[at + ty + 64];
                float a5 = sa[at + ty + 80];
                float a6 = sa[at + ty + 96];
                float a7 = sa[at + ty + 112];
                float b0 = sb[at + tx + 0];
                float b1 = sb[at + tx + 16];
                float b2 = sb[at + tx + 32];
                float b3 = sb[at + tx + 48];
                float b4 = sb[at + tx + 64];
                float b5 = sb[at + tx + 80];
                float b6 = sb[at + tx + 96];
                float b7 = sb[at + tx + 112];
                c00 += a0 * b0;
                c01 += a0 * b1;
                c02 += a0 * b2;
                c03 += a0 * b3;
                c04 += a0 * b4;
                c05 += a0 * b5;
                c06 += a0 * b6;
                c07 += a0 * b7;
                c10 += a1 * b0;
                c11 += a1 * b1;
                c12 += a1 * b2;
                c13 += a1 * b3;
                c14 += a1 * b4;
                c15 += a1 * b5;
                c16 += a1 * b6;
                c17 += a1 * b7;
                c20 += a2 * b0;
                c21 += a2 * b1;
                c22 += a2 * b2;
                c23 += a2 * b3;
                c24 += a2 * b4;
                c25 += a2 * b5;
                c26 += a2 * b6;
                c27 += a2 * b7;
                c30 += a3 * b0;
                c31 += a3 * b1;
                c32 += a3 * b2;
                c33 += a3 * b3;
                c34 += a3 * b4;
                c35 += a3 * b5;
                c36 += a3 * b6;
                c37 += a3 * b7;
                c40 += a4 * b0;
                c41 += a4 * b1;
                c42 += a4 * b2;
                c43 += a4 * b3;
                c44 += a4 * b4;
                c45 += a4 * b5;
                c46 += a4 * b6;
                c47 += a4 * b7;
                c50 += a5 * b0;
                c51 += a5 * b1;
                c52 += a5 * b2;
                c53 += a5 * b3;
                c54 += a5 * b4;
                c55 += a5 * b5;
                c56 += a5 * b6;
                c57 += a5 * b7;
                c60 += a6 * b0;
                c61 += a6 * b1;
                c62 += a6 * b2;
                c63 += a6 * b3;
                c64 += a6 * b4;
                c65 += a6 * b5;
                c66 += a6 * b6;
                c67 += a6 * b7;
                c70 += a7 * b0;
                c71 += a7 * b1;
                c72 += a7 * b2;
                c73 += a7 * b3;
                c74 += a7 * b4;
                c75 += a7 * b5;
                c76 += a7 * b6;
                c77 += a7 * b7;
            }
            if (more)
            {
                int other = LargeBuffer - cur;
                sa[other + ak0 * LargeLd + am0] = ra0;
                sb[other + bk0 * LargeLd + bn0] = rb0;
                sa[other + ak1 * LargeLd + am1] = ra1;
                sb[other + bk1 * LargeLd + bn1] = rb1;
                sa[other + ak2 * LargeLd + am2] = ra2;
                sb[other + bk2 * LargeLd + bn2] = rb2;
                sa[other + ak3 * LargeLd + am3] = ra3;
                sb[other + bk3 * LargeLd + bn3] = rb3;
                cur = other;
            }
            Group.Barrier();
        }
        StoreF(c, p, cb, row0 + ty + 0, col0 + tx + 0, c00);
        StoreF(c, p, cb, row0 + ty + 0, col0 + tx + 16, c01);
        StoreF(c, p, cb, row0 + ty + 0, col0 + tx + 32, c02);
        StoreF(c, p, cb, row0 + ty + 0, col0 + tx + 48, c03);
        StoreF(c, p, cb, row0 + ty + 0, col0 + tx + 64, c04);
        StoreF(c, p, cb, row0 + ty + 0, col0 + tx + 80, c05);
        StoreF(c, p, cb, row0 + ty + 0, col0 + tx + 96, c06);
        StoreF(c, p, cb, row0 + ty + 0, col0 + tx + 112, c07);
        StoreF(c, p, cb, row0 + ty + 16, col0 + tx + 0, c10);
        StoreF(c, p, cb, row0 + ty + 16, col0 + tx + 16, c11);
        StoreF(c, p, cb, row0 + ty + 16, col0 + tx + 32, c12);
        StoreF(c, p, cb, row0 + ty + 16, col0 + tx + 48, c13);
        StoreF(c, p, cb, row0 + ty + 16, col0 + tx + 64, c14);
        StoreF(c, p, cb, row0 + ty + 16, col0 + tx + 80, c15);
        StoreF(c, p, cb, row0 + ty + 16, col0 + tx + 96, c16);
        StoreF(c, p, cb, row0 + ty + 16, col0 + tx + 112, c17);
        StoreF(c, p, cb, row0 + ty + 32, col0 + tx + 0, c20);
        StoreF(c, p, cb, row0 + ty + 32, col0 + tx + 16, c21);
        StoreF(c, p, cb, row0 + ty + 32, col0 + tx + 32, c22);
        StoreF(c, p, cb, row0 + ty + 32, col0 + tx + 48, c23);
        StoreF(c, p, cb, row0 + ty + 32, col0 + tx + 64, c24);
        StoreF(c, p, cb, row0 + ty + 32, col0 + tx + 80, c25);
        StoreF(c, p, cb, row0 + ty + 32, col0 + tx + 96, c26);
        StoreF(c, p, cb, row0 + ty + 32, col0 + tx + 112, c27);
        StoreF(c, p, cb, row0 + ty + 48, col0 + tx + 0, c30);
        StoreF(c, p, cb, row0 + ty + 48, col0 + tx + 16, c31);
        StoreF(c, p, cb, row0 + ty + 48, col0 + tx + 32, c32);
        StoreF(c, p, cb, row0 + ty + 48, col0 + tx + 48, c33);
        StoreF(c, p, cb, row0 + ty + 48, col0 + tx + 64, c34);
        StoreF(c, p, cb, row0 + ty + 48, col0 + tx + 80, c35);
        StoreF(c, p, cb, row0 + ty + 48, col0 + tx + 96, c36);
        StoreF(c, p, cb, row0 + ty + 48, col0 + tx + 112, c37);
        StoreF(c, p, cb, row0 + ty + 64, col0 + tx + 0, c40);
        StoreF(c, p, cb, row0 + ty + 64, col0 + tx + 16, c41);
        StoreF(c, p, cb, row0 + ty + 64, col0 + tx + 32, c42);
        StoreF(c, p, cb, row0 + ty + 64, col0 + tx + 48, c43);
        StoreF(c, p, cb, row0 + ty + 64, col0 + tx + 64, c44);
        StoreF(c, p, cb, row0 + ty + 64, col0 + tx + 80, c45);
        StoreF(c, p, cb, row0 + ty + 64, col0 + tx + 96, c46);
        StoreF(c, p, cb, row0 + ty + 64, col0 + tx + 112, c47);
        StoreF(c, p, cb, row0 + ty + 80, col0 + tx + 0, c50);
        StoreF(c, p, cb, row0 + ty + 80, col0 + tx + 16, c51);
        StoreF(c, p, cb, row0 + ty + 80, col0 + tx + 32, c52);
        StoreF(c, p, cb, row0 + ty + 80, col0 + tx + 48, c53);
        StoreF(c, p, cb, row0 + ty + 80, col0 + tx + 64, c54);
        StoreF(c, p, cb, row0 + ty + 80, col0 + tx + 80, c55);
        StoreF(c, p, cb, row0 + ty + 80, col0 + tx + 96, c56);
        StoreF(c, p, cb, row0 + ty + 80, col0 + tx + 112, c57);
        StoreF(c, p, cb, row0 + ty + 96, col0 + tx + 0, c60);
        StoreF(c, p, cb, row0 + ty + 96, col0 + tx + 16, c61);
        StoreF(c, p, cb, row0 + ty + 96, col0 + tx + 32, c62);
        StoreF(c, p, cb, row0 + ty + 96, col0 + tx + 48, c63);
        StoreF(c, p, cb, row0 + ty + 96, col0 + tx + 64, c64);
        StoreF(c, p, cb, row0 + ty + 96, col0 + tx + 80, c65);
        StoreF(c, p, cb, row0 + ty + 96, col0 + tx + 96, c66);
        StoreF(c, p, cb, row0 + ty + 96, col0 + tx + 112, c67);
        StoreF(c, p, cb, row0 + ty + 112, col0 + tx + 0, c70);
        StoreF(c, p, cb, row0 + ty + 112, col0 + tx + 16, c71);
        StoreF(c, p, cb, row0 + ty + 112, col0 + tx + 32, c72);
        StoreF(c, p, cb, row0 + ty + 112, col0 + tx + 48, c73);
        StoreF(c, p, cb, row0 + ty + 112, col0 + tx + 64, c74);
        StoreF(c, p, cb, row0 + ty + 112, col0 + tx + 80, c75);
        StoreF(c, p, cb, row0 + ty + 112, col0 + tx + 96, c76);
        StoreF(c, p, cb, row0 + ty + 112, col0 + tx + 112, c77);
    }

    private static void StoreF(ArrayView<float> c, in GemmParams p, int cb, int row, int col, float v)
    {
        if (row < p.M && col < p.N)
        {
            int at = cb + row * p.CRow + col;
            c[at] = p.Accumulate != 0 ? c[at] + v : v;
        }
    }
}
