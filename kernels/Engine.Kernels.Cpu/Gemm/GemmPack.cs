using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// Packing of GEMM operands into the contiguous slivers the micro-kernels stream: B into kc x NR
/// panels (row p of a panel is NR consecutive elements; columns past the matrix edge are zero),
/// A into MR x kc panels (step p holds the MR elements of one column).
/// </summary>
internal static unsafe class GemmPack
{
    /// <summary>Packs B (kc x nc, element (p, j) at src[p * rs + j * cs]) into ceil(nc / nr) panels.</summary>
    public static void PackB<T>(T* src, nint rs, nint cs, int kc, int nc, int nr, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int full = nc / nr;
        nint panel = (nint)kc * nr;
        if (cs == 1)
        {
            for (int p = 0; p < kc; p++)
            {
                T* s = src + p * rs;
                T* d = dst + p * nr;
                for (int j = 0; j < full; j++)
                {
                    CopyRow(s + j * nr, d + j * panel, nr);
                }
            }
        }
        else
        {
            // Strided columns (B transposed, as in x * W^T): walk each column of B down k, so the
            // reads are contiguous when B's columns are (rs == 1) and each cache line is read once;
            // with AVX-512, W x W blocks are transposed in registers.
            int w = Vector512<T>.Count;
            int kBlocks = rs == 1 && GemmTranspose.IsSupported && nr % w == 0 ? kc / w * w : 0;
            for (int j = 0; j < full; j++)
            {
                T* d = dst + j * panel;
                T* s0 = src + j * nr * cs;
                for (int q0 = 0; q0 < nr && kBlocks > 0; q0 += w)
                {
                    for (int p0 = 0; p0 < kBlocks; p0 += w)
                    {
                        GemmTranspose.Block(s0 + q0 * cs + p0, cs, d + p0 * nr + q0, nr);
                    }
                }
                for (int q = 0; q < nr; q++)
                {
                    T* s = s0 + q * cs;
                    T* dq = d + q;
                    for (int p = kBlocks; p < kc; p++)
                    {
                        dq[p * nr] = s[p * rs];
                    }
                }
            }
        }
        int rest = nc - full * nr;
        if (rest > 0)
        {
            PackEdgeB(src + full * nr * cs, rs, cs, kc, rest, nr, dst + full * panel);
        }
    }

    /// <summary>Packs the last, narrower-than-nr strip of B (kc x rest), zero-filling to nr columns.</summary>
    public static void PackEdgeB<T>(T* src, nint rs, nint cs, int kc, int rest, int nr, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int p = 0; p < kc; p++)
        {
            T* s = src + p * rs;
            int q = 0;
            for (; q < rest; q++)
            {
                dst[q] = s[q * cs];
            }
            for (; q < nr; q++)
            {
                dst[q] = T.Zero;
            }
            dst += nr;
        }
    }

    /// <summary>Packs A (mc x kc, element (i, p) at src[i * rs + p * cs]) into ceil(mc / mr) panels.</summary>
    public static void PackA<T>(T* src, nint rs, nint cs, int mc, int kc, int mr, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rs == 1)
        {
            PackTransposedA(src, cs, mc, kc, mr, dst);
            return;
        }
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int rows = Math.Min(mr, mc - i0);
            T* s = src + i0 * rs;
            T* d = dst + (nint)(i0 / mr) * kc * mr;
            for (int i = 0; i < rows; i++)
            {
                T* si = s + i * rs;
                T* di = d + i;
                for (int p = 0; p < kc; p++)
                {
                    di[p * mr] = si[p * cs];
                }
            }
        }
    }

    /// <summary>
    /// Transposed A (rs == 1): the mc rows of one step of k are adjacent, so each step is read as one
    /// contiguous run and dealt out mr elements to each panel. (Panel by panel instead, every step
    /// read a fresh cache line cs apart and used only mr elements of it: 40% of a dW = g^T x product.)
    /// </summary>
    private static void PackTransposedA<T>(T* src, nint cs, int mc, int kc, int mr, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int full = mc / mr, rest = mc - full * mr;
        nint panel = (nint)kc * mr;
        bool v256 = mr * sizeof(T) == 32 && Vector256.IsHardwareAccelerated;
        bool v512 = mr * sizeof(T) == 64 && Vector512.IsHardwareAccelerated;
        for (int p = 0; p < kc; p++)
        {
            T* sp = src + p * cs;
            T* dp = dst + p * mr;
            if (v256)
            {
                for (int q = 0; q < full; q++)
                {
                    Vector256.Store(Vector256.Load((byte*)(sp + q * mr)), (byte*)(dp + q * panel));
                }
            }
            else if (v512)
            {
                for (int q = 0; q < full; q++)
                {
                    Vector512.Store(Vector512.Load((byte*)(sp + q * mr)), (byte*)(dp + q * panel));
                }
            }
            else
            {
                for (int q = 0; q < full; q++)
                {
                    for (int i = 0; i < mr; i++)
                    {
                        dp[q * panel + i] = sp[q * mr + i];
                    }
                }
            }
            // The ragged last panel holds only its rows (the kernel reads no more of it).
            T* dr = dp + full * panel;
            T* sr = sp + full * mr;
            for (int i = 0; i < rest; i++)
            {
                dr[i] = sr[i];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRow<T>(T* s, T* d, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Vector512.IsHardwareAccelerated && n == 2 * Vector512<T>.Count)
        {
            Vector512.Store(Vector512.Load(s), d);
            Vector512.Store(Vector512.Load(s + Vector512<T>.Count), d + Vector512<T>.Count);
        }
        else if (Vector256.IsHardwareAccelerated && n == 2 * Vector256<T>.Count)
        {
            Vector256.Store(Vector256.Load(s), d);
            Vector256.Store(Vector256.Load(s + Vector256<T>.Count), d + Vector256<T>.Count);
        }
        else
        {
            for (int q = 0; q < n; q++)
            {
                d[q] = s[q];
            }
        }
    }
}
