using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine.Kernels;

/// <summary>
/// Implicit-GEMM convolution (one group): y (OC x positions) = A (OC x K) @ B (K x positions),
/// where A is the weight packed once per call into GEMM's MR x K panels and B, the unrolled input,
/// is never materialised: each kc x NR panel of B is packed straight from the input image and
/// then used at once by every row panel of A while it sits in L1/L2. Each thread first copies the
/// current sample into a zero-padded buffer, so packing a panel row is one or two plain vector
/// copies with no bounds to test (with bounds tests and scalar edges, packing took a quarter of
/// the time). The im2col matrix of these shapes (2.4 MB per sample for 64 channels at 32x32) does
/// not fit L2, so building it and packing it again read it back from L3.
/// The backward input pass of a stride-1 convolution is the same product on dy with the weight
/// transposed and flipped (see <see cref="PackFlipped{T}"/>).
/// </summary>
internal static unsafe class ImplicitConv
{
    /// <summary>
    /// Depth of one packed B panel. Measured on 64->64 at 32x32 and 128->128 at 16x16 (1 thread):
    /// 384, 640 and 1280 within 1% of each other, 192 and 96 2-4% slower (C is reloaded per block).
    /// </summary>
    internal static int KC = 640;

    /// <summary>
    /// Columns of output (positions) per group of panels that share each depth block of A. One panel
    /// (32) by default: 256 was 1-3% faster on 128->128 at 16x16 and up to 10% slower on 64->64 at
    /// 32x32 in CPU-time runs at a load average of 30-60, within their noise; not settled yet.
    /// </summary>
    internal static int GroupColumns = 32;

    /// <summary>Columns of C per tile of the micro-kernel in use.</summary>
    public static int NR<T>() where T : unmanaged, IFloatingPointIeee754<T> => Kind() switch
    {
        GemmKernelKind.Vector512 => GemmKernel512<T>.NR,
        GemmKernelKind.Vector256 => GemmKernel256<T>.NR,
        _ => GemmKernelScalar<T>.NR,
    };

    /// <summary>Rows of C per tile of the micro-kernel in use.</summary>
    public static int MR<T>() where T : unmanaged, IFloatingPointIeee754<T> => Kind() switch
    {
        GemmKernelKind.Vector512 => GemmKernel512<T>.MR,
        GemmKernelKind.Vector256 => GemmKernel256<T>.MR,
        _ => GemmKernelScalar<T>.MR,
    };

    /// <summary>Elements of a packed A for <paramref name="m"/> rows and depth <paramref name="k"/>.</summary>
    public static long PackedALength<T>(int m, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int mr = MR<T>();
        return (long)(m + mr - 1) / mr * mr * k;
    }

    /// <summary>
    /// Packs A = [W | bias] (OC x rows, plus a bias column when <paramref name="bias"/> is non-null)
    /// into MR x k panels: element (o, kk) at a[(o / MR) * k * MR + kk * MR + o % MR], rows past OC zero.
    /// </summary>
    public static void PackWeights<T>(T* w, T* bias, int oc, int rows, T* a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int mr = MR<T>(), k = rows + (bias is null ? 0 : 1);
        for (int o0 = 0; o0 < oc; o0 += mr)
        {
            T* d = a + (long)(o0 / mr) * k * mr;
            for (int i = 0; i < mr; i++)
            {
                int o = o0 + i;
                T* wo = w + (long)o * rows;
                for (int kk = 0; kk < rows; kk++)
                {
                    d[(long)kk * mr + i] = o < oc ? wo[kk] : T.Zero;
                }
                if (bias is not null)
                {
                    d[(long)rows * mr + i] = o < oc ? bias[o] : T.Zero;
                }
            }
        }
    }

    /// <summary>
    /// Packs A for the backward input pass (C x OC*KH*KW): element (c, (o, i, j)) is
    /// w[o, c, KH-1-i, KW-1-j], so that dx = conv(dy, A) with stride 1 and the complementary padding.
    /// </summary>
    public static void PackFlipped<T>(T* w, int oc, int c, int kh, int kw, T* a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int mr = MR<T>(), khw = kh * kw, k = oc * khw;
        for (int c0 = 0; c0 < c; c0 += mr)
        {
            T* d = a + (long)(c0 / mr) * k * mr;
            for (int i = 0; i < mr; i++)
            {
                int ci = c0 + i;
                for (int o = 0; o < oc; o++)
                {
                    T* src = w + ((long)o * c + ci) * khw;
                    for (int t = 0; t < khw; t++)
                    {
                        d[((long)o * khw + t) * mr + i] = ci < c ? src[khw - 1 - t] : T.Zero;
                    }
                }
            }
        }
    }

    /// <summary>
    /// y = A @ unroll(x) for every sample, groups == 1. <paramref name="a"/> is packed (see
    /// <see cref="PackWeights{T}"/>) with depth <paramref name="k"/>: C*KH*KW, plus one when the last
    /// column is a bias (multiplied by ones).
    /// </summary>
    public static void Run<T>(T* x, T* a, int k, T* y, in Conv2dParams p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (Kind())
        {
            case GemmKernelKind.Vector512: RunWith<T, GemmKernel512<T>>(x, a, k, y, p); break;
            case GemmKernelKind.Vector256: RunWith<T, GemmKernel256<T>>(x, a, k, y, p); break;
            default: RunWith<T, GemmKernelScalar<T>>(x, a, k, y, p); break;
        }
    }

    private static GemmKernelKind Kind()
    {
        if (Gemm.Kernel != GemmKernelKind.Auto)
        {
            return Gemm.Kernel;
        }
        if (GemmKernel512<float>.IsSupported)
        {
            return GemmKernelKind.Vector512;
        }
        return GemmKernel256<float>.IsSupported ? GemmKernelKind.Vector256 : GemmKernelKind.Scalar;
    }

    private static void RunWith<T, TK>(T* x, T* a, int k, T* y, in Conv2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        // Panels run over the positions of all samples in a row, so a panel may straddle two
        // samples: with 7x7 outputs, panels within one sample would be 32 + 17 columns wide and
        // a quarter of the micro-kernel's work would be padding.
        long positions = (long)p.Batch * p.OutH * p.OutW;
        long units = (positions + TK.NR - 1) / TK.NR;
        var job = new Job<T, TK> { X = x, A = a, K = k, Y = y, P = p, Units = checked((int)units) };
        long fma = positions * k * p.OutChannels;
        KernelWorkers.Run(ref job, (int)Math.Min(units, KernelWorkers.PartsFor(fma, 1 << 20)), fine: true);
    }

    private struct Job<T, TK> : IPartJob
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        public T* X;
        public T* A;
        public int K;
        public T* Y;
        public Conv2dParams P;
        public int Units;

        public readonly void RunPart(int part, int parts)
        {
            var (s, e) = KernelWorkers.Range(Units, part, parts);
            int nr = TK.NR, mr = TK.MR, m = P.OutChannels, k = K;
            int ohw = P.OutH * P.OutW, ow = P.OutW, c = P.InChannels, h = P.Height, w = P.Width;
            int hp = h + P.PadTop + P.PadBottom, wp = w + P.PadLeft + P.PadRight, rowStep = P.StrideH * wp, sw = P.StrideW;
            long plane = (long)h * w, sampleP = (long)c * hp * wp, positions = (long)P.Batch * ohw;
            int kcMax = Math.Min(KC, k);
            // Panels are taken in groups: for each depth block, every panel of the group is packed
            // and multiplied by all of A's rows in that block, so the block of A stays in L2 across
            // the group instead of all of A cycling through L2 for every panel.
            int group = Math.Max(1, GroupColumns / nr);
            // A group touches at most this many samples; each has a slot of its own in the padded
            // buffer (slot = sample % slots), so packing is plain copies with no bounds to test.
            int slots = Math.Min(P.Batch, (group * nr - 1) / ohw + 2);
            // Per thread: one B panel, an M x NR tile of C per panel of the group for panels that
            // are ragged or straddle samples, and the padded samples.
            long panelLen = (long)kcMax * nr, edgeLen = (long)(m + mr) * nr;
            var ws = ConvWorkspace<T>.Get(2, panelLen + group * edgeLen + slots * sampleP + SourceSlack);
            // Segment offsets into the padded buffer are ints.
            _ = checked((int)(slots * sampleP));
            // Offset of every row of B (channel, kernel row, kernel column) in the padded sample; -1 for the row of ones.
            var offs = ConvWorkspace<int>.Get(0, k);
            RowOffsets(P, k, offs);
            fixed (T* pws = ws)
            fixed (int* po = offs)
            {
                T* bp = pws;
                T* edges = bp + panelLen;
                T* xp = edges + group * edgeLen;
                int* seg = stackalloc int[group * 2 * nr];
                int* segCount = stackalloc int[group];
                int* colCount = stackalloc int[group];
                nint* cps = stackalloc nint[group];
                nint* rscs = stackalloc nint[group];
                int* held = stackalloc int[slots];
                for (int i = 0; i < slots; i++)
                {
                    held[i] = -1;
                }
                for (int u0 = s; u0 < e; u0 += group)
                {
                    int gn = Math.Min(group, e - u0);
                    long first = (long)u0 * nr, end = Math.Min(positions, (long)(u0 + gn) * nr);
                    for (int n = (int)(first / ohw), nLast = (int)((end - 1) / ohw); n <= nLast; n++)
                    {
                        int slot = n % slots;
                        if (held[slot] != n)
                        {
                            Pad(X + n * c * plane, xp + slot * sampleP, c, h, w, P.PadTop, P.PadLeft, hp, wp);
                            held[slot] = n;
                        }
                    }
                    for (int t = 0; t < gn; t++)
                    {
                        long g0 = (long)(u0 + t) * nr;
                        int cols = (int)Math.Min(nr, positions - g0);
                        int* sg = seg + t * 2 * nr;
                        int segs = 0;
                        for (long g = g0; g < g0 + cols;)
                        {
                            int n = (int)(g / ohw), j = (int)(g - (long)n * ohw), q = j % ow;
                            int len = (int)Math.Min(ow - q, g0 + cols - g);
                            sg[2 * segs] = (int)((n % slots) * sampleP) + j / ow * rowStep + q * sw;
                            sg[2 * segs + 1] = len;
                            segs++;
                            g += len;
                        }
                        segCount[t] = segs;
                        colCount[t] = cols;
                        int nFirst = (int)(g0 / ohw);
                        bool direct = cols == nr && (g0 + cols - 1) / ohw == nFirst;
                        cps[t] = direct ? (nint)(Y + (long)nFirst * m * ohw + (g0 - (long)nFirst * ohw)) : (nint)(edges + t * edgeLen);
                        rscs[t] = direct ? ohw : nr;
                    }
                    for (int pc = 0; pc < k; pc += KC)
                    {
                        int kc = Math.Min(KC, k - pc);
                        T beta = pc == 0 ? T.Zero : T.One;
                        for (int t = 0; t < gn; t++)
                        {
                            PackB(xp, po + pc, kc, bp, nr, colCount[t], segCount[t], seg + t * 2 * nr, sw);
                            T* ap = A + (long)pc * mr;
                            T* cp = (T*)cps[t];
                            nint rsC = rscs[t];
                            for (int i0 = 0; i0 < m; i0 += mr)
                            {
                                TK.Tile(Math.Min(mr, m - i0), kc, ap, 1, mr, bp, nr, cp + i0 * rsC, rsC, T.One, beta);
                                ap += (long)k * mr;
                            }
                        }
                    }
                    for (int t = 0; t < gn; t++)
                    {
                        if (rscs[t] == ohw && colCount[t] == nr)
                        {
                            continue;
                        }
                        // Scatter the tile's columns, one run per sample.
                        T* edge = (T*)cps[t];
                        long g0 = (long)(u0 + t) * nr;
                        for (int col = 0, cols = colCount[t]; col < cols;)
                        {
                            long g = g0 + col;
                            int n = (int)(g / ohw), j = (int)(g - (long)n * ohw);
                            int len = (int)Math.Min(ohw - j, cols - col);
                            T* dst = Y + (long)n * m * ohw + j;
                            for (int i = 0; i < m; i++)
                            {
                                new ReadOnlySpan<T>(edge + (long)i * nr + col, len).CopyTo(new Span<T>(dst + (long)i * ohw, len));
                            }
                            col += len;
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// dw = sum over samples of dy_n (OC x positions) @ unroll(x_n)^T, groups == 1, computed as
    /// dw^T (rows x OC) += unroll(x_n) (rows x kb) @ dy_n^T (kb x OC) over blocks of kb positions:
    /// each block of the unrolled sample is built from a zero-padded copy of the sample and is
    /// small enough to stay in L2 while GEMM reads it in place. The samples are split across
    /// threads, each summing into a dw^T of its own with single-threaded products (splitting each
    /// block's small product and its unrolling across threads instead forked twice per block, and
    /// a 2-thread ResNet step was no faster than a 1-thread one); then the partial sums are added
    /// and transposed into dw.
    /// </summary>
    public static void BackwardWeight<T>(T* x, T* dy, T* dw, in Conv2dParams p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oc = p.OutChannels, rows = p.ColRows;
        long dwtLen = (long)rows * oc;
        long fma = (long)p.Batch * p.OutH * p.OutW * rows * oc;
        int maxParts = (int)Math.Min(Math.Min(KernelWorkers.Threads, p.Batch), KernelWorkers.PartsFor(fma, 1 << 20));
        var acc = ConvWorkspace<T>.Get(1, maxParts * dwtLen);
        var offs = ConvWorkspace<int>.Get(0, rows);
        RowOffsets(p, rows, offs);
        int used = 1;
        // With fewer output channels than a tile is wide, dw^T's product would leave most of each
        // tile idle (16 channels: half), so those sum dw = dy @ unroll^T instead, in dw's own layout.
        bool direct = oc < NR<T>();
        fixed (T* pacc = acc)
        fixed (int* po = offs)
        {
            var job = new BackwardWeightJob<T> { X = x, Dy = dy, Acc = pacc, Offs = po, P = p, Used = &used, Direct = direct };
            KernelWorkers.Run(ref job, maxParts);
            if (direct)
            {
                var d = new Span<T>(dw, checked((int)dwtLen));
                new ReadOnlySpan<T>(pacc, (int)dwtLen).CopyTo(d);
                for (int i = 1; i < used; i++)
                {
                    System.Numerics.Tensors.TensorPrimitives.Add(d, new ReadOnlySpan<T>(pacc + i * dwtLen, (int)dwtLen), d);
                }
                return;
            }
            for (int r = 0; r < rows; r++)
            {
                for (int o = 0; o < oc; o++)
                {
                    T sum = pacc[(long)r * oc + o];
                    for (int i = 1; i < used; i++)
                    {
                        sum += pacc[i * dwtLen + (long)r * oc + o];
                    }
                    dw[(long)o * rows + r] = sum;
                }
            }
        }
    }

    /// <summary>One part of <see cref="BackwardWeight{T}"/>: a range of samples summed into dw^T number <c>part</c>.</summary>
    private struct BackwardWeightJob<T> : IPartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* X;
        public T* Dy;
        public T* Acc;
        public int* Offs;
        public Conv2dParams P;
        public int* Used;
        public bool Direct;

        public readonly void RunPart(int part, int parts)
        {
            *Used = parts;
            var (n0, n1) = KernelWorkers.Range(P.Batch, part, parts);
            int c = P.InChannels, oc = P.OutChannels, rows = P.ColRows, ohw = P.OutH * P.OutW, ow = P.OutW;
            int hp = P.Height + P.PadTop + P.PadBottom, wp = P.Width + P.PadLeft + P.PadRight;
            long planeP = (long)hp * wp, plane = (long)P.Height * P.Width, dwtLen = (long)rows * oc;
            // Rows in equal blocks of at most RowBlock (a multiple of 8), so dw^T's block and the unrolled block share L2.
            int blocks = (rows + RowBlock - 1) / RowBlock;
            int rb = Math.Min(rows, ((rows + blocks - 1) / blocks + 7) / 8 * 8);
            int kb = (int)Math.Clamp(BlockBytes / ((long)rb * sizeof(T)) / 16 * 16, Math.Min(128, ohw), ohw);
            long colLen = (long)rb * kb, padLen = c * planeP;
            var ws = ConvWorkspace<T>.Get(0, colLen + padLen + SourceSlack);
            var segBuf = ConvWorkspace<int>.Get(1, 2L * (kb / ow + 2));
            T* dwt = Acc + part * dwtLen;
            fixed (T* pws = ws)
            fixed (int* seg = segBuf)
            {
                T* col = pws, xp = pws + colLen;
                var colSpan = new ReadOnlySpan<T>(col, checked((int)colLen));
                for (int n = n0; n < n1; n++)
                {
                    Pad(X + n * c * plane, xp, c, P.Height, P.Width, P.PadTop, P.PadLeft, hp, wp);
                    var dySpan = new ReadOnlySpan<T>(Dy + (long)n * oc * ohw, oc * ohw);
                    for (int j0 = 0; j0 < ohw; j0 += kb)
                    {
                        int len = Math.Min(kb, ohw - j0);
                        int segs = Segments(j0, len, ow, P.StrideH * wp, P.StrideW, seg);
                        for (int r0 = 0; r0 < rows; r0 += rb)
                        {
                            int rn = Math.Min(rb, rows - r0);
                            PackB(xp, Offs + r0, rn, col, len, len, segs, seg, P.StrideW);
                            // Inside a part the workers are taken, so this product runs on this thread.
                            T beta = n == n0 && j0 == 0 ? T.Zero : T.One;
                            if (Direct)
                            {
                                // dw[:, r0..] (OC x rn) += dy block (OC x len) @ unrolled block^T (len x rn).
                                Gemm.Run(oc, rn, len, T.One, dySpan, new MatrixView(j0, ohw, 1), colSpan, new MatrixView(0, 1, len),
                                    beta, new Span<T>(dwt, checked((int)dwtLen)), new MatrixView(r0, rows, 1));
                            }
                            else
                            {
                                Gemm.Run(rn, oc, len, T.One, colSpan, new MatrixView(0, len, 1), dySpan, new MatrixView(j0, 1, ohw),
                                    beta, new Span<T>(dwt + (long)r0 * oc, checked((int)(dwtLen - (long)r0 * oc))), new MatrixView(0, oc, 1));
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Most bytes of one block of the unrolled sample in <see cref="BackwardWeight{T}"/> (at least 128
    /// positions). 128 KiB to 512 KiB all give 128-position blocks on the shapes; 1 MiB
    /// (448 or 224 positions) was no faster for 64->64 and 3% slower for 128->128.
    /// </summary>
    internal static long BlockBytes = 256 << 10;

    /// <summary>
    /// Most rows of dw^T one block product in <see cref="BackwardWeight{T}"/> updates. Measured on
    /// 128->128 at 16x16 (1153 rows): blocks of 384 or 576 rows 4-5% faster than all rows at once
    /// (dw^T alone is 590 KB there); 64->64 at 32x32 (577 rows) stays one block.
    /// </summary>
    internal static int RowBlock = 640;

    /// <summary>Elements after a padded sample that whole-vector copies in <see cref="PackB{T}"/> may read past its end.</summary>
    private const int SourceSlack = 64;

    /// <summary>Offset of every row of B (channel, kernel row, kernel column) in the padded sample; -1 for a row of ones past the last.</summary>
    private static void RowOffsets(in Conv2dParams p, int k, int[] offs)
    {
        int kh = p.KernelH, kw = p.KernelW, khw = kh * kw, rows = p.InChannels * khw;
        int wp = p.Width + p.PadLeft + p.PadRight;
        long planeP = (long)(p.Height + p.PadTop + p.PadBottom) * wp;
        for (int kk = 0; kk < k; kk++)
        {
            int ch = kk / khw, t = kk % khw;
            offs[kk] = kk >= rows ? -1 : checked((int)(ch * planeP + (long)(t / kw) * p.DilationH * wp + (t % kw) * p.DilationW));
        }
    }

    /// <summary>
    /// Splits positions [j0, j0 + cols) into runs within one output row: (offset of the run's first
    /// input in a padded plane, length) pairs in seg; returns the number of runs.
    /// </summary>
    private static int Segments(int j0, int cols, int ow, int rowStep, int sw, int* seg)
    {
        int segs = 0;
        for (int j = j0; j < j0 + cols;)
        {
            int r = j / ow, q = j % ow, len = Math.Min(ow - q, j0 + cols - j);
            seg[2 * segs] = r * rowStep + q * sw;
            seg[2 * segs + 1] = len;
            segs++;
            j += len;
        }
        return segs;
    }

    /// <summary>Copies one sample (c, h, w) into dst (c, hp, wp) with zero borders: top and left as given, the rest at the bottom and right.</summary>
    internal static void Pad<T>(T* x, T* dst, int c, int h, int w, int top, int left, int hp, int wp) where T : unmanaged
    {
        for (int ch = 0; ch < c; ch++)
        {
            T* d = dst + (long)ch * hp * wp;
            T* src = x + (long)ch * h * w;
            Fill(d, top * wp, default(T));
            d += top * wp;
            for (int r = 0; r < h; r++)
            {
                Fill(d, left, default(T));
                Copy(src + (long)r * w, d + left, w);
                Fill(d + left + w, wp - left - w, default(T));
                d += wp;
            }
            Fill(d, (hp - top - h) * wp, default(T));
        }
    }

    /// <summary>
    /// kc rows of the unrolled sample at the panel's positions into dst (kc x nr, row-major,
    /// columns past <paramref name="cols"/> zero). offs[kk] is the row's offset in the padded
    /// sample xp, or -1 for the row of ones that multiplies a folded bias.
    /// </summary>
    private static void PackB<T>(T* xp, int* offs, int kc, T* dst, int nr, int cols, int segs, int* seg, int sw)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Only the very last row of B can be the row of ones; the loops below then skip it.
        int plain = kc > 0 && offs[kc - 1] < 0 ? kc - 1 : kc;
        int at = 0;
        int vw = Vector512<T>.Count;
        if (sw == 1 && Vector512.IsHardwareAccelerated && segs == 2 && seg[1] == vw && seg[3] == vw && nr == 2 * vw)
        {
            // Two output rows of 16 floats per panel (16x16 outputs): both in one pass over the rows of B.
            T* s0 = xp + seg[0], s1 = xp + seg[2];
            T* d = dst;
            for (int kk = 0; kk < plain; kk++, d += nr)
            {
                int o = offs[kk];
                Vector512.Load(s0 + o).Store(d);
                Vector512.Load(s1 + o).Store(d + vw);
            }
            segs = 0;
        }
        for (int s = 0; s < segs; s++)
        {
            T* src = xp + seg[2 * s];
            int len = seg[2 * s + 1];
            T* d = dst + at;
            int room = nr - at;
            at += len;
            // Segment by segment, so the copy length is fixed through the loop over rows: one or two
            // whole vectors for runs of up to 16 or 32 floats. A shorter run still copies whole
            // vectors when its row of the panel has room: the extra columns belong to the next
            // segment, which is written after this one, or lie past the panel's last column, which
            // is zeroed below (the sources have slack after them, see SourceSlack).
            if (sw == 1 && Vector512.IsHardwareAccelerated && len > vw && len <= 2 * vw && room >= 2 * vw)
            {
                for (int kk = 0; kk < plain; kk++, d += nr)
                {
                    T* ss = src + offs[kk];
                    Vector512.Load(ss).Store(d);
                    Vector512.Load(ss + vw).Store(d + vw);
                }
            }
            else if (sw == 1 && Vector512.IsHardwareAccelerated && len <= vw && room >= vw)
            {
                for (int kk = 0; kk < plain; kk++, d += nr)
                {
                    Vector512.Load(src + offs[kk]).Store(d);
                }
            }
            else if (sw == 1)
            {
                for (int kk = 0; kk < plain; kk++, d += nr)
                {
                    Copy(src + offs[kk], d, len);
                }
            }
            else if (sw == 2 && typeof(T) == typeof(float) && Avx512F.IsSupported && len <= 16 && room >= 16)
            {
                // Stride 2: the even elements of two vectors, one permute (ResNet's downsampling convolutions).
                var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
                for (int kk = 0; kk < plain; kk++, d += nr)
                {
                    float* ss = (float*)(src + offs[kk]);
                    Avx512F.PermuteVar16x32x2(Vector512.Load(ss), even, Vector512.Load(ss + 16)).Store((float*)d);
                }
            }
            else
            {
                for (int kk = 0; kk < plain; kk++, d += nr)
                {
                    T* ss = src + offs[kk];
                    for (int q = 0; q < len; q++)
                    {
                        d[q] = ss[(long)q * sw];
                    }
                }
            }
        }
        if (cols < nr)
        {
            for (int kk = 0; kk < plain; kk++)
            {
                Fill(dst + (long)kk * nr + cols, nr - cols, T.Zero);
            }
        }
        if (plain < kc)
        {
            T* d = dst + (long)plain * nr;
            Fill(d, cols, T.One);
            Fill(d + cols, nr - cols, T.Zero);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fill<T>(T* d, int n, T v) where T : unmanaged
    {
        for (int q = 0; q < n; q++)
        {
            d[q] = v;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy<T>(T* s, T* d, int n) where T : unmanaged
    {
        int q = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; q + Vector512<T>.Count <= n; q += Vector512<T>.Count)
            {
                Vector512.Load(s + q).Store(d + q);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; q + Vector256<T>.Count <= n; q += Vector256<T>.Count)
            {
                Vector256.Load(s + q).Store(d + q);
            }
        }
        for (; q < n; q++)
        {
            d[q] = s[q];
        }
    }
}
