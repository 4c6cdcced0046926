using System.Numerics;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// The weight gradient of a stride-1 convolution with at most 16 output channels (one group),
/// with no unrolled input at all: dw^T (rows x OC) = sum over samples and positions of
/// x_padded[row's offset + position] * dy^T[position]. Positions run over the padded width
/// (position r * Wp + q), so each row of A is one contiguous run of the padded sample and the
/// rows of A for consecutive channels at one kernel tap are a fixed stride apart: the
/// micro-kernel reads A in place. dy^T is laid out on the same padded grid, with zeros in the
/// columns q >= OW, so those positions add nothing. The AVX2-width micro-kernel's 16 columns fit
/// 16 channels exactly (the AVX-512 one would leave half of each tile idle; on this Zen 4 machine
/// a 256-bit FMA has half the width and twice the rate of a 512-bit one).
/// Measured in a scratch per-layer harness (1 thread, thread CPU time, but at a load average of
/// 100-200): ResNet's 16->16 at 28x28, batch 64, from 6.3-7.9 ms (unrolled blocks, dw^T = col @ dy^T)
/// to 5.1 ms.
/// </summary>
internal static unsafe class NarrowWeightGrad
{
    /// <summary>Positions per micro-kernel call (its depth); dy^T's block of KC x 16 stays in L1.</summary>
    internal static int KC = 384;

    /// <summary>Whether <see cref="Run{T}"/> applies to <paramref name="p"/>.</summary>
    public static bool Applies<T>(in Conv2dParams p) where T : unmanaged, IFloatingPointIeee754<T>
        => GemmKernel256<T>.IsSupported && p.Groups == 1 && p.StrideH == 1 && p.StrideW == 1
            && p.OutChannels <= GemmKernel256<T>.NR && !p.IsPointwise;

    /// <summary>dw = gradient of the weight (overwrites dw); see the class summary.</summary>
    public static void Run<T>(T* x, T* dy, T* dw, in Conv2dParams p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oc = p.OutChannels, rows = p.ColRows, nr = GemmKernel256<T>.NR;
        long accLen = (long)rows * nr;
        long fma = (long)p.Batch * p.OutH * p.OutW * rows * oc;
        int maxParts = (int)Math.Min(Math.Min(KernelWorkers.Threads, p.Batch), KernelWorkers.PartsFor(fma, 1 << 20));
        var acc = ConvWorkspace<T>.Get(1, maxParts * accLen);
        int used = 1;
        fixed (T* pacc = acc)
        {
            var job = new Job<T> { X = x, Dy = dy, Acc = pacc, P = p, Used = &used };
            KernelWorkers.Run(ref job, maxParts);
            for (int o = 0; o < oc; o++)
            {
                for (int r = 0; r < rows; r++)
                {
                    T sum = pacc[(long)r * nr + o];
                    for (int i = 1; i < used; i++)
                    {
                        sum += pacc[i * accLen + (long)r * nr + o];
                    }
                    dw[(long)o * rows + r] = sum;
                }
            }
        }
    }

    private struct Job<T> : IPartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* X;
        public T* Dy;
        public T* Acc;
        public Conv2dParams P;
        public int* Used;

        public readonly void RunPart(int part, int parts)
        {
            *Used = parts;
            var (n0, n1) = KernelWorkers.Range(P.Batch, part, parts);
            int c = P.InChannels, oc = P.OutChannels, kh = P.KernelH, kw = P.KernelW, khw = kh * kw, rows = c * khw;
            int oh = P.OutH, ow = P.OutW, ohw = oh * ow, h = P.Height, w = P.Width;
            int hp = h + P.PadTop + P.PadBottom, wp = w + P.PadLeft + P.PadRight;
            int nr = GemmKernel256<T>.NR, mr = GemmKernel256<T>.MR;
            long planeP = (long)hp * wp, plane = (long)h * w;
            // Positions on the padded grid up to the last real one.
            int len = (oh - 1) * wp + ow;
            long padLen = c * planeP, dytLen = (long)len * nr;
            var ws = ConvWorkspace<T>.Get(0, padLen + dytLen);
            T* acc = Acc + part * (long)rows * nr;
            fixed (T* pws = ws)
            {
                T* xp = pws, dyt = pws + padLen;
                // Columns past OC and positions past OW stay zero for every sample.
                new Span<T>(dyt, checked((int)dytLen)).Clear();
                for (int n = n0; n < n1; n++)
                {
                    ImplicitConv.Pad(X + n * c * plane, xp, c, h, w, P.PadTop, P.PadLeft, hp, wp);
                    T* dyn = Dy + (long)n * oc * ohw;
                    for (int o = 0; o < oc; o++)
                    {
                        T* src = dyn + (long)o * ohw;
                        for (int r = 0; r < oh; r++)
                        {
                            T* d = dyt + ((long)r * wp) * nr + o;
                            T* s = src + r * ow;
                            for (int q = 0; q < ow; q++)
                            {
                                d[(long)q * nr] = s[q];
                            }
                        }
                    }
                    for (int t = 0; t < khw; t++)
                    {
                        long tap = (long)(t / kw) * P.DilationH * wp + (t % kw) * P.DilationW;
                        for (int c0 = 0; c0 < c; c0 += mr)
                        {
                            int m = Math.Min(mr, c - c0);
                            T* a = xp + c0 * planeP + tap;
                            // dw^T rows c0*khw + t, c0*khw + khw + t, ...: a fixed stride of khw rows.
                            T* cp = acc + ((long)c0 * khw + t) * nr;
                            for (int pc = 0; pc < len; pc += KC)
                            {
                                int kc = Math.Min(KC, len - pc);
                                T beta = n == n0 && pc == 0 ? T.Zero : T.One;
                                GemmKernel256<T>.Tile(m, kc, a + pc, (nint)planeP, 1, dyt + (long)pc * nr, nr, cp, (nint)khw * nr, T.One, beta);
                            }
                        }
                    }
                }
            }
        }
    }
}
