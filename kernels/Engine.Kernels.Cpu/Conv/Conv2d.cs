using System.Numerics;

namespace Engine.Kernels;

/// <summary>How a convolution is computed.</summary>
public enum ConvAlgorithm
{
    /// <summary>Pick per shape (the choice was made by measurement; see benchmarks/RESULTS.md and <see cref="Conv2d.UsesImplicit"/>).</summary>
    Auto,

    /// <summary>Unroll the input with im2col (skipped for 1x1 stride-1 kernels) and multiply with GEMM.</summary>
    Im2ColGemm,

    /// <summary>Direct loops per channel; only for depthwise convolutions.</summary>
    Direct,

    /// <summary>
    /// Implicit GEMM: panels of the unrolled input packed straight from the image, no im2col
    /// matrix (one group only, not 1x1 stride-1; the backward input pass needs stride 1).
    /// </summary>
    ImplicitGemm,
}

/// <summary>
/// 2-D convolution (cross-correlation, as in PyTorch) over NCHW spans: forward, and backward for
/// input, weight and bias. Float or double. Workspaces are per thread and reused, and the threads
/// are long-lived, so steady-state calls allocate nothing.
/// </summary>
public static unsafe class Conv2d
{
    /// <summary>Forces an algorithm (for benchmarks and tests); <see cref="ConvAlgorithm.Auto"/> by default.</summary>
    public static ConvAlgorithm Algorithm { get; set; } = ConvAlgorithm.Auto;

    /// <summary>
    /// Most bytes of im2col columns built before they are multiplied. Samples are unrolled in
    /// chunks of this size, so the columns are still in cache when GEMM reads them and a batch of
    /// small per-sample products becomes one batched GEMM.
    /// </summary>
    public static long ColumnBudgetBytes { get; set; } = 4L << 20;

    /// <summary>Whether the direct kernel is used for <paramref name="p"/> under the current <see cref="Algorithm"/>.</summary>
    public static bool UsesDirect(in Conv2dParams p) => p.IsDepthwise && Algorithm != ConvAlgorithm.Im2ColGemm;

    /// <summary>
    /// Whether the forward pass uses implicit GEMM for <paramref name="p"/> under the current
    /// <see cref="Algorithm"/>: with one group and a kernel that needs unrolling, always under
    /// <see cref="ConvAlgorithm.Auto"/> (measured, 1 thread: 64->64 at 32x32 and 128->128 at 16x16
    /// 15-20% faster than im2col + GEMM, 3->64 at 32x32 10-30% faster).
    /// </summary>
    public static bool UsesImplicit(in Conv2dParams p) => p.Groups == 1 && !p.IsPointwise && !p.IsDepthwise
        && (Algorithm == ConvAlgorithm.ImplicitGemm || Algorithm == ConvAlgorithm.Auto);

    /// <summary>
    /// Whether the backward input pass of <paramref name="p"/> runs as an implicit-GEMM convolution
    /// of dy (stride 1 only; <paramref name="q"/> describes that convolution). Its rows are the input
    /// channels, so under <see cref="ConvAlgorithm.Auto"/> it needs at least 16 of them: with 3
    /// (3->64 at 32x32) most of each 8-row tile is idle and col2im was 15% faster; with 64 and 128
    /// the implicit pass was 10-15% faster.
    /// </summary>
    private static bool ImplicitBackwardInput(in Conv2dParams p, out Conv2dParams q)
    {
        int eh = p.DilationH * (p.KernelH - 1), ew = p.DilationW * (p.KernelW - 1);
        q = new Conv2dParams(p.Batch, p.OutChannels, p.OutH, p.OutW, p.InChannels, p.KernelH, p.KernelW, 1, 1,
            eh - p.PadTop, ew - p.PadLeft, eh - p.PadBottom, ew - p.PadRight, p.DilationH, p.DilationW, 1);
        return UsesImplicit(p) && (Algorithm == ConvAlgorithm.ImplicitGemm || p.InChannels >= 16)
            && p.StrideH == 1 && p.StrideW == 1 && q.PadTop >= 0 && q.PadLeft >= 0
            && q.PadBottom >= 0 && q.PadRight >= 0 && q.OutH == p.Height && q.OutW == p.Width;
    }

    /// <summary>y = conv(x, w) + bias; bias may be empty. x: (N, C, H, W), w: (OC, C/G, KH, KW), y: (N, OC, OH, OW).</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y, in Conv2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLengths("conv2d", p, x.Length, w.Length, y.Length);
        if (!bias.IsEmpty && bias.Length < p.OutChannels)
        {
            throw new ArgumentException($"conv2d: bias has {bias.Length} elements, expected {p.OutChannels}");
        }
        if (p.Batch == 0)
        {
            return;
        }
        if (UsesDirect(p))
        {
            DepthwiseConv2d.Forward(x, w, y, p);
        }
        else
        {
            // With one group the bias rides along in the GEMM as an extra column of the weight
            // times a row of ones in the unrolled input: no separate pass over y.
            bool fold = !bias.IsEmpty && p.Groups == 1 && !p.IsPointwise;
            ForwardGemm(x, w, fold ? bias : ReadOnlySpan<T>.Empty, y, p);
            if (fold)
            {
                return;
            }
        }
        if (!bias.IsEmpty)
        {
            fixed (T* py = y)
            fixed (T* pb = bias)
            {
                var job = new BiasJob<T> { Y = py, Bias = pb, Channels = p.OutChannels, Planes = p.Batch * p.OutChannels, Plane = p.OutH * p.OutW };
                KernelWorkers.Run(ref job, KernelWorkers.PartsFor(p.OutputLength, 1 << 15));
            }
        }
    }

    /// <summary>dx = gradient of the input given dy (overwrites dx).</summary>
    public static void BackwardInput<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> w, Span<T> dx, in Conv2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLengths("conv2d backward (input)", p, dx.Length, w.Length, dy.Length);
        if (p.Batch == 0)
        {
            return;
        }
        if (UsesDirect(p))
        {
            DepthwiseConv2d.BackwardInput(dy, w, dx, p);
            return;
        }
        int g = p.Groups, ocg = p.OutPerGroup, cg = p.InPerGroup, ohw = p.OutH * p.OutW, hw = p.Height * p.Width;
        int oc = p.OutChannels, c = p.InChannels;
        if (p.IsPointwise)
        {
            for (int gi = 0; gi < g; gi++)
            {
                // dx_g (Cg x HW) = W_g^T (Cg x OCg) @ dy_g (OCg x HW), for every sample.
                Gemm.Batched(p.Batch, cg, hw, ocg, T.One, w, new MatrixView(gi * ocg * cg, 1, cg), 0,
                    dy, new MatrixView(gi * ocg * hw, hw, 1), oc * hw, T.Zero, dx, new MatrixView(gi * cg * hw, hw, 1), c * hw);
            }
            return;
        }
        if (ImplicitBackwardInput(p, out var q))
        {
            // dx = conv(dy, W transposed and flipped), stride 1, the complementary padding.
            int kq = oc * p.KernelH * p.KernelW;
            var a = ConvWorkspace<T>.Get(1, ImplicitConv.PackedALength<T>(c, kq));
            fixed (T* pa = a)
            fixed (T* pw = w)
            fixed (T* pdy = dy)
            fixed (T* pdx = dx)
            {
                ImplicitConv.PackFlipped(pw, oc, c, p.KernelH, p.KernelW, pa);
                ImplicitConv.Run(pdy, pa, kq, pdx, q);
            }
            return;
        }
        int rows = p.ColRows;
        long sampleCol = (long)c * p.KernelH * p.KernelW * ohw;
        int chunk = ChunkSamples<T>(p, sampleCol);
        var col = ConvWorkspace<T>.Get(0, chunk * sampleCol);
        for (int n0 = 0; n0 < p.Batch; n0 += chunk)
        {
            int cnt = Math.Min(chunk, p.Batch - n0);
            for (int gi = 0; gi < g; gi++)
            {
                // dcol_g (rows x OHW) = W_g^T (rows x OCg) @ dy_g (OCg x OHW).
                Gemm.Batched(cnt, rows, ohw, ocg, T.One, w, new MatrixView(gi * ocg * rows, 1, rows), 0,
                    dy, new MatrixView((n0 * oc + gi * ocg) * ohw, ohw, 1), oc * ohw, T.Zero,
                    col, new MatrixView(gi * rows * ohw, ohw, 1), checked((int)sampleCol));
            }
            fixed (T* pc = col)
            fixed (T* pdx = dx)
            {
                var job = new Col2ImJob<T> { Col = pc, Dx = pdx + (long)n0 * c * hw, P = p, Units = cnt * c, SampleCol = sampleCol };
                KernelWorkers.Run(ref job, KernelWorkers.PartsFor(cnt * sampleCol, 1 << 14), fine: true);
            }
        }
    }

    /// <summary>dw = gradient of the weight given x and dy (overwrites dw).</summary>
    public static void BackwardWeight<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dw, in Conv2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLengths("conv2d backward (weight)", p, x.Length, dw.Length, dy.Length);
        if (p.Batch == 0)
        {
            dw[..(int)p.WeightLength].Clear();
            return;
        }
        if (UsesDirect(p))
        {
            DepthwiseConv2d.BackwardWeight(x, dy, dw, p);
            return;
        }
        int g = p.Groups, ocg = p.OutPerGroup, cg = p.InPerGroup, ohw = p.OutH * p.OutW, hw = p.Height * p.Width;
        int oc = p.OutChannels, c = p.InChannels;
        if (p.IsPointwise)
        {
            for (int n = 0; n < p.Batch; n++)
            {
                for (int gi = 0; gi < g; gi++)
                {
                    // dw_g (OCg x Cg) += dy_g (OCg x HW) @ x_g^T (HW x Cg).
                    Gemm.Run(ocg, cg, hw, T.One, dy, new MatrixView((n * oc + gi * ocg) * hw, hw, 1),
                        x, new MatrixView((n * c + gi * cg) * hw, 1, hw), n == 0 ? T.Zero : T.One, dw, new MatrixView(gi * ocg * cg, cg, 1));
                }
            }
            return;
        }
        int rows = p.ColRows;
        if (UsesImplicit(p) && NarrowWeightGrad.Applies<T>(p))
        {
            // At most 16 output channels, stride 1: no unrolled input at all (see NarrowWeightGrad).
            fixed (T* px = x)
            fixed (T* pdy = dy)
            fixed (T* pdw = dw)
            {
                NarrowWeightGrad.Run(px, pdy, pdw, p);
            }
            return;
        }
        if (UsesImplicit(p) && rows >= oc)
        {
            // col @ dy^T in blocks of 128 positions unrolled from a padded copy of each sample, so
            // the block GEMM reads in place stays in L2 (measured, 1 thread: 128->128 at 16x16 8%
            // faster than unrolling whole samples, 64->64 at 32x32 2%).
            fixed (T* px = x)
            fixed (T* pdy = dy)
            fixed (T* pdw = dw)
            {
                ImplicitConv.BackwardWeight(px, pdy, pdw, p);
            }
            return;
        }
        long sampleCol = (long)c * p.KernelH * p.KernelW * ohw;
        int chunk = ChunkSamples<T>(p, sampleCol);
        var col = ConvWorkspace<T>.Get(0, chunk * sampleCol);
        // With more unrolled rows than output channels, accumulate dw_g^T (rows x OCg) =
        // col_g (rows x OHW) @ dy_g^T (OHW x OCg) over the samples and transpose it into dw at the
        // end: the unrolled input is then GEMM's A, read in place, and only dy is packed (once per
        // depth block, reused by every row of col), where dw = dy @ col^T packs all of col again
        // for every sample. Measured (1 thread, CPU time): 64->64 at 32x32 and 128->128 at 16x16
        // went from about 70-80 to 87-92 GFLOP/s; 3->64 (27 rows) halved, so it keeps dy @ col^T.
        bool transposed = rows >= ocg;
        var dwt = transposed ? ConvWorkspace<T>.Get(1, (long)g * rows * ocg) : null;
        for (int n0 = 0; n0 < p.Batch; n0 += chunk)
        {
            int cnt = Math.Min(chunk, p.Batch - n0);
            Unroll(x, col, p, n0, cnt, sampleCol);
            for (int i = 0; i < cnt; i++)
            {
                int n = n0 + i;
                for (int gi = 0; gi < g; gi++)
                {
                    int colAt = checked((int)(i * sampleCol)) + gi * rows * ohw, dyAt = (n * oc + gi * ocg) * ohw;
                    T beta = n == 0 ? T.Zero : T.One;
                    if (dwt is not null)
                    {
                        Gemm.Run(rows, ocg, ohw, T.One, col, new MatrixView(colAt, ohw, 1), dy, new MatrixView(dyAt, 1, ohw),
                            beta, dwt, new MatrixView(gi * rows * ocg, ocg, 1));
                    }
                    else
                    {
                        // dw_g (OCg x rows) += dy_g (OCg x OHW) @ col_g^T (OHW x rows).
                        Gemm.Run(ocg, rows, ohw, T.One, dy, new MatrixView(dyAt, ohw, 1), col, new MatrixView(colAt, 1, ohw),
                            beta, dw, new MatrixView(gi * ocg * rows, rows, 1));
                    }
                }
            }
        }
        if (dwt is null)
        {
            return;
        }
        for (int gi = 0; gi < g; gi++)
        {
            var src = dwt.AsSpan(gi * rows * ocg, rows * ocg);
            var dst = dw.Slice(gi * ocg * rows, ocg * rows);
            for (int r = 0; r < rows; r++)
            {
                for (int o = 0; o < ocg; o++)
                {
                    dst[o * rows + r] = src[r * ocg + o];
                }
            }
        }
    }

    /// <summary>db[oc] = sum of dy over batch and positions (overwrites db).</summary>
    public static void BackwardBias<T>(ReadOnlySpan<T> dy, Span<T> db, in Conv2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dy.Length < p.OutputLength || db.Length < p.OutChannels)
        {
            throw new ArgumentException($"conv2d backward (bias): buffers too small (dy {dy.Length} < {p.OutputLength} or db {db.Length} < {p.OutChannels})");
        }
        fixed (T* pdy = dy)
        fixed (T* pdb = db)
        {
            var job = new BiasGradJob<T> { Dy = pdy, Db = pdb, Channels = p.OutChannels, Batch = p.Batch, Plane = p.OutH * p.OutW };
            KernelWorkers.Run(ref job, KernelWorkers.PartsFor(p.OutputLength, 1 << 15));
        }
    }

    private static void ForwardGemm<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> foldedBias, Span<T> y, in Conv2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int g = p.Groups, ocg = p.OutPerGroup, cg = p.InPerGroup, ohw = p.OutH * p.OutW, hw = p.Height * p.Width;
        int oc = p.OutChannels, c = p.InChannels;
        if (p.IsPointwise)
        {
            for (int gi = 0; gi < g; gi++)
            {
                // y_g (OCg x HW) = W_g (OCg x Cg) @ x_g (Cg x HW), for every sample.
                Gemm.Batched(p.Batch, ocg, hw, cg, T.One, w, new MatrixView(gi * ocg * cg, cg, 1), 0,
                    x, new MatrixView(gi * cg * hw, hw, 1), c * hw, T.Zero, y, new MatrixView(gi * ocg * hw, hw, 1), oc * hw);
            }
            return;
        }
        int rows = p.ColRows;
        bool fold = !foldedBias.IsEmpty;
        if (UsesImplicit(p))
        {
            int ka = rows + (fold ? 1 : 0);
            var packed = ConvWorkspace<T>.Get(1, ImplicitConv.PackedALength<T>(oc, ka));
            fixed (T* pa = packed)
            fixed (T* pw = w)
            fixed (T* pb = foldedBias)
            fixed (T* px = x)
            fixed (T* py = y)
            {
                ImplicitConv.PackWeights(pw, fold ? pb : null, oc, rows, pa);
                ImplicitConv.Run(px, pa, ka, py, p);
            }
            return;
        }
        long sampleCol = ((long)c * p.KernelH * p.KernelW + (fold ? 1 : 0)) * ohw;
        int chunk = ChunkSamples<T>(p, sampleCol);
        var col = ConvWorkspace<T>.Get(0, chunk * sampleCol);
        ReadOnlySpan<T> a = w;
        int k = rows;
        if (fold)
        {
            // [W | bias] (OC x rows + 1) against [col; ones] (rows + 1 x OHW).
            k = rows + 1;
            var wb = ConvWorkspace<T>.Get(1, (long)oc * k);
            for (int o = 0; o < oc; o++)
            {
                w.Slice(o * rows, rows).CopyTo(wb.AsSpan(o * k, rows));
                wb[o * k + rows] = foldedBias[o];
            }
            a = wb;
            for (int i = 0; i < chunk; i++)
            {
                col.AsSpan(checked((int)(i * sampleCol + (long)rows * ohw)), ohw).Fill(T.One);
            }
        }
        for (int n0 = 0; n0 < p.Batch; n0 += chunk)
        {
            int cnt = Math.Min(chunk, p.Batch - n0);
            Unroll(x, col, p, n0, cnt, sampleCol);
            for (int gi = 0; gi < g; gi++)
            {
                // y_g (OCg x OHW) = W_g (OCg x rows) @ col_g (rows x OHW), batched over the chunk's samples.
                Gemm.Batched(cnt, ocg, ohw, k, T.One, a, new MatrixView(gi * ocg * k, k, 1), 0,
                    col, new MatrixView(gi * rows * ohw, ohw, 1), checked((int)sampleCol), T.Zero,
                    y, new MatrixView((n0 * oc + gi * ocg) * ohw, ohw, 1), oc * ohw);
            }
        }
    }

    private static void Unroll<T>(ReadOnlySpan<T> x, T[] col, in Conv2dParams p, int n0, int cnt, long sampleCol)
        where T : unmanaged
    {
        fixed (T* px = x)
        fixed (T* pc = col)
        {
            var job = new Im2ColJob<T> { X = px + (long)n0 * p.InChannels * p.Height * p.Width, Col = pc, P = p, Units = cnt * p.InChannels, SampleCol = sampleCol };
            KernelWorkers.Run(ref job, KernelWorkers.PartsFor(cnt * sampleCol, 1 << 14), fine: true);
        }
    }

    private static int ChunkSamples<T>(in Conv2dParams p, long sampleCol) where T : unmanaged
    {
        long bytes = sampleCol * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        long chunk = Math.Max(1, ColumnBudgetBytes / Math.Max(1, bytes));
        // Keep chunk * sampleCol within int range for GEMM's views.
        chunk = Math.Min(chunk, Math.Max(1, int.MaxValue / Math.Max(1, sampleCol)));
        return (int)Math.Min(chunk, p.Batch);
    }

    internal static void CheckLengths(string op, in Conv2dParams p, long xLen, long wLen, long yLen)
    {
        p.Validate(op);
        if (xLen < p.InputLength || wLen < p.WeightLength || yLen < p.OutputLength)
        {
            throw new ArgumentException($"{op}: buffers too small: input {xLen} (need {p.InputLength}), weight {wLen} (need {p.WeightLength}), output {yLen} (need {p.OutputLength})");
        }
    }

    private struct Im2ColJob<T> : IPartJob where T : unmanaged
    {
        public T* X;
        public T* Col;
        public Conv2dParams P;
        public int Units;
        public long SampleCol;

        public readonly void RunPart(int part, int parts)
        {
            var (s, e) = KernelWorkers.Range(Units, part, parts);
            int c = P.InChannels;
            long plane = (long)P.Height * P.Width;
            for (int u = s; u < e; u++)
            {
                int n = u / c, ch = u % c;
                Im2Col.PackChannel(X + n * c * plane, Col + n * SampleCol, P, ch);
            }
        }
    }

    private struct Col2ImJob<T> : IPartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* Col;
        public T* Dx;
        public Conv2dParams P;
        public int Units;
        public long SampleCol;

        public readonly void RunPart(int part, int parts)
        {
            var (s, e) = KernelWorkers.Range(Units, part, parts);
            int c = P.InChannels;
            int plane = P.Height * P.Width;
            for (int u = s; u < e; u++)
            {
                int n = u / c, ch = u % c;
                T* dxs = Dx + (long)n * c * plane;
                new Span<T>(dxs + (long)ch * plane, plane).Clear();
                Im2Col.UnpackChannel(Col + n * SampleCol, dxs, P, ch);
            }
        }
    }

    private struct BiasJob<T> : IPartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* Y;
        public T* Bias;
        public int Channels;
        public int Planes;
        public int Plane;

        public readonly void RunPart(int part, int parts)
        {
            var (s, e) = KernelWorkers.Range(Planes, part, parts);
            for (int i = s; i < e; i++)
            {
                var d = new Span<T>(Y + (long)i * Plane, Plane);
                System.Numerics.Tensors.TensorPrimitives.Add(d, Bias[i % Channels], d);
            }
        }
    }

    private struct BiasGradJob<T> : IPartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* Dy;
        public T* Db;
        public int Channels;
        public int Batch;
        public int Plane;

        public readonly void RunPart(int part, int parts)
        {
            var (s, e) = KernelWorkers.Range(Channels, part, parts);
            for (int oc = s; oc < e; oc++)
            {
                T sum = T.Zero;
                for (int n = 0; n < Batch; n++)
                {
                    sum += System.Numerics.Tensors.TensorPrimitives.Sum(new ReadOnlySpan<T>(Dy + ((long)n * Channels + oc) * Plane, Plane));
                }
                Db[oc] = sum;
            }
        }
    }
}
