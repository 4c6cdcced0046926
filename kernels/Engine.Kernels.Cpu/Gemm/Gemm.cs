using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engine.Kernels;

/// <summary>
/// General matrix multiply over spans: <c>C = alpha * A * B + beta * C</c> with A (m x k), B (k x n),
/// C (m x n), each described by a <see cref="MatrixView"/> (any non-negative strides, so transposed
/// operands cost no copy). float and double. As in BLAS, beta == 0 overwrites C without reading it.
/// </summary>
/// <remarks>
/// The GotoBLAS/BLIS scheme: B is packed into kc x NR panels, A into MR x kc panels (or read in
/// place when the product is too small for packing to pay), and a register-blocked micro-kernel
/// (Vector512, Vector256 or scalar) updates MR x NR tiles of C. Large products are split across
/// cores; batches of small ones are split by product. Workspaces are per thread and reused, so
/// steady-state calls allocate nothing.
/// </remarks>
public static class Gemm
{
    private static int maxThreads = Environment.ProcessorCount;
    private static GemmKernelKind kernel = GemmKernelKind.Auto;

    /// <summary>Products with fewer multiply-adds than this run on one thread.</summary>
    internal static long ParallelMinFma = 1 << 18;

    /// <summary>Batched products with fewer multiply-adds than this are spread across threads whole.</summary>
    internal static long BatchSplitMaxFma = 1 << 22;

    /// <summary>
    /// Most threads one GEMM call uses (default: all cores); the lower of this and
    /// <see cref="Parallelism.MaxThreads"/> applies. 1 keeps every call on the caller's thread.
    /// </summary>
    public static int MaxThreads
    {
        get => maxThreads;
        set
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Gemm.MaxThreads: must be at least 1");
            }
            maxThreads = value;
        }
    }

    /// <summary>The micro-kernel in use; setting one the CPU lacks throws.</summary>
    public static GemmKernelKind Kernel
    {
        get => kernel;
        set
        {
            bool ok = value switch
            {
                GemmKernelKind.Auto or GemmKernelKind.Scalar => true,
                GemmKernelKind.Vector512 => GemmKernel512<float>.IsSupported,
                GemmKernelKind.Vector256 => GemmKernel256<float>.IsSupported,
                _ => false,
            };
            if (!ok)
            {
                throw new NotSupportedException($"Gemm.Kernel: {value} is not supported on this CPU");
            }
            kernel = value;
        }
    }

    /// <summary>Single-precision GEMM.</summary>
    public static void Sgemm(int m, int n, int k, float alpha, ReadOnlySpan<float> a, MatrixView va,
        ReadOnlySpan<float> b, MatrixView vb, float beta, Span<float> c, MatrixView vc)
        => Run(m, n, k, alpha, a, va, b, vb, beta, c, vc);

    /// <summary>Double-precision GEMM.</summary>
    public static void Dgemm(int m, int n, int k, double alpha, ReadOnlySpan<double> a, MatrixView va,
        ReadOnlySpan<double> b, MatrixView vb, double beta, Span<double> c, MatrixView vc)
        => Run(m, n, k, alpha, a, va, b, vb, beta, c, vc);

    /// <summary>Generic GEMM for float or double.</summary>
    public static void Run<T>(int m, int n, int k, T alpha, ReadOnlySpan<T> a, MatrixView va,
        ReadOnlySpan<T> b, MatrixView vb, T beta, Span<T> c, MatrixView vc)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Batched(1, m, n, k, alpha, a, va, 0, b, vb, 0, beta, c, vc, 0);

    /// <summary>
    /// Strided-batched GEMM: product <c>p</c> uses A at <c>va.Offset + p * strideA</c>, and likewise
    /// for B and C. A stride of 0 reuses the same operand for every product (broadcasting).
    /// </summary>
    public static unsafe void Batched<T>(int batch, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, MatrixView va, int strideA,
        ReadOnlySpan<T> b, MatrixView vb, int strideB,
        T beta, Span<T> c, MatrixView vc, int strideC)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            throw new NotSupportedException($"Gemm: element type {typeof(T).Name} is not supported (float or double)");
        }
        if (batch < 0 || m < 0 || n < 0 || k < 0)
        {
            throw new ArgumentException($"Gemm: negative size batch={batch}, m={m}, n={n}, k={k}");
        }
        if (batch == 0 || m == 0 || n == 0)
        {
            return;
        }
        bool useAB = k > 0 && alpha != T.Zero;
        if (useAB)
        {
            CheckView("A", a.Length, va, m, k, batch, strideA);
            CheckView("B", b.Length, vb, k, n, batch, strideB);
        }
        CheckView("C", c.Length, vc, m, n, batch, strideC);

        fixed (T* pa = &MemoryMarshal.GetReference(a))
        fixed (T* pb = &MemoryMarshal.GetReference(b))
        fixed (T* pc = &MemoryMarshal.GetReference(c))
        {
            var g = new GemmArgs<T>
            {
                M = m, N = n, K = k, Alpha = alpha, Beta = beta,
                A = pa + va.Offset, RsA = va.RowStride, CsA = va.ColStride,
                B = pb + vb.Offset, RsB = vb.RowStride, CsB = vb.ColStride,
                C = pc + vc.Offset, RsC = vc.RowStride, CsC = vc.ColStride,
            };
            nint sa = strideA, sb = strideB, sc = strideC;
            if (g.CsC != 1 && g.RsC == 1)
            {
                // C is column-major: compute C^T = B^T * A^T, whose rows are contiguous.
                g = new GemmArgs<T>
                {
                    M = n, N = m, K = k, Alpha = alpha, Beta = beta,
                    A = g.B, RsA = g.CsB, CsA = g.RsB,
                    B = g.A, RsB = g.CsA, CsB = g.RsA,
                    C = g.C, RsC = g.CsC, CsC = 1,
                };
                (sa, sb) = (sb, sa);
            }
            if (!useAB)
            {
                for (int p = 0; p < batch; p++)
                {
                    GemmDriver.ScaleC(g with { C = g.C + p * sc });
                }
                return;
            }
            switch (ResolveKernel())
            {
                case GemmKernelKind.Vector512:
                    Execute<T, GemmKernel512<T>>(g, batch, sa, sb, sc);
                    break;
                case GemmKernelKind.Vector256:
                    Execute<T, GemmKernel256<T>>(g, batch, sa, sb, sc);
                    break;
                default:
                    Execute<T, GemmKernelScalar<T>>(g, batch, sa, sb, sc);
                    break;
            }
        }
    }

    private static GemmKernelKind ResolveKernel()
    {
        if (kernel != GemmKernelKind.Auto)
        {
            return kernel;
        }
        if (GemmKernel512<float>.IsSupported)
        {
            return GemmKernelKind.Vector512;
        }
        return GemmKernel256<float>.IsSupported ? GemmKernelKind.Vector256 : GemmKernelKind.Scalar;
    }

    private static unsafe void Execute<T, TK>(in GemmArgs<T> g, int batch, nint sa, nint sb, nint sc)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        long fma = (long)g.M * g.N * g.K;
        int threads = Math.Min(Math.Min(maxThreads, Parallelism.MaxThreads), GemmThreads.Capacity);
        // Products run side by side only when their C blocks are disjoint; with overlapping C
        // (batch stride 0 accumulating into one C) they must run in order.
        long extentC = (g.M - 1) * (long)g.RsC + (g.N - 1) * (long)g.CsC + 1;
        if (threads > 1 && batch > 1 && sc >= extentC && fma < BatchSplitMaxFma && fma * batch >= ParallelMinFma
            && GemmThreads.TryAcquire())
        {
            try
            {
                var job = GemmBatchJob<T, TK>.Instance;
                job.Args = g;
                (job.StrideA, job.StrideB, job.StrideC) = (sa, sb, sc);
                job.Batch = batch;
                job.Parts = Math.Min(threads, batch);
                GemmThreads.Run(job, job.Parts);
            }
            finally
            {
                GemmThreads.Release();
            }
            return;
        }
        GemmArgs<T> s = g;
        for (int p = 0; p < batch; p++)
        {
            s.A = g.A + p * sa;
            s.B = g.B + p * sb;
            s.C = g.C + p * sc;
            RunOne<T, TK>(s, threads, fma);
        }
    }

    private static void RunOne<T, TK>(in GemmArgs<T> g, int threads, long fma)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        int colUnits = (g.N + TK.NR - 1) / TK.NR, rowUnits = (g.M + TK.MR - 1) / TK.MR;
        if (threads > 1 && fma >= ParallelMinFma && Math.Max(colUnits, rowUnits) > 1 && GemmThreads.TryAcquire())
        {
            try
            {
                var job = GemmSplitJob<T, TK>.Instance;
                job.Args = g;
                // Split the dimension with more tiles, so both halves stay whole tiles and balanced.
                job.SplitColumns = colUnits * TK.NR >= rowUnits * TK.MR ? colUnits > 1 : rowUnits <= 1;
                job.Parts = threads;
                GemmThreads.Run(job, threads);
            }
            finally
            {
                GemmThreads.Release();
            }
            return;
        }
        GemmDriver.Run<T, TK>(g);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CheckView(string name, int length, MatrixView v, int rows, int cols, int batch, int stride)
    {
        if (v.Offset < 0 || v.RowStride < 0 || v.ColStride < 0 || stride < 0)
        {
            throw new ArgumentException(
                $"Gemm: {name} view has a negative offset or stride (offset={v.Offset}, rowStride={v.RowStride}, colStride={v.ColStride}, batchStride={stride})");
        }
        long last = v.Offset + (long)(rows - 1) * v.RowStride + (long)(cols - 1) * v.ColStride + (long)(batch - 1) * stride;
        if (rows > 0 && cols > 0 && last >= length)
        {
            throw new ArgumentException(
                $"Gemm: {name} ({rows} x {cols}, batch {batch}, offset={v.Offset}, rowStride={v.RowStride}, colStride={v.ColStride}, batchStride={stride}) reaches element {last} but its buffer has {length}");
        }
    }
}
