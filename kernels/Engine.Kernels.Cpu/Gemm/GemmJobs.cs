using System.Numerics;

namespace Engine.Kernels;

/// <summary>
/// One GEMM split into independent column (or row) ranges of C, one per thread. Each range is a
/// whole smaller GEMM with its own packing, so threads never wait on each other mid-product.
/// </summary>
internal sealed class GemmSplitJob<T, TK> : GemmJob
    where T : unmanaged, IFloatingPointIeee754<T>
    where TK : struct, IGemmKernel<T>
{
    /// <summary>The one instance, used only while the pool is held.</summary>
    public static readonly GemmSplitJob<T, TK> Instance = new();

    public GemmArgs<T> Args;
    public bool SplitColumns;
    public int Parts;

    public override void Execute(int part)
    {
        ref readonly GemmArgs<T> g = ref Args;
        int total = SplitColumns ? g.N : g.M;
        int unit = SplitColumns ? TK.NR : TK.MR;
        int units = (total + unit - 1) / unit;
        int u0 = (int)((long)units * part / Parts), u1 = (int)((long)units * (part + 1) / Parts);
        int start = u0 * unit, end = Math.Min(total, u1 * unit);
        if (end <= start)
        {
            return;
        }
        GemmArgs<T> s = SplitColumns ? g.Slice(0, g.M, start, end - start) : g.Slice(start, end - start, 0, g.N);
        GemmDriver.Run<T, TK>(s);
    }
}

/// <summary>A strided batch of small GEMMs split into ranges of products, one range per thread.</summary>
internal sealed unsafe class GemmBatchJob<T, TK> : GemmJob
    where T : unmanaged, IFloatingPointIeee754<T>
    where TK : struct, IGemmKernel<T>
{
    /// <summary>The one instance, used only while the pool is held.</summary>
    public static readonly GemmBatchJob<T, TK> Instance = new();

    public GemmArgs<T> Args;
    public nint StrideA, StrideB, StrideC;
    public int Batch, Parts;

    public override void Execute(int part)
    {
        int p0 = (int)((long)Batch * part / Parts), p1 = (int)((long)Batch * (part + 1) / Parts);
        RunRange(Args, StrideA, StrideB, StrideC, p0, p1);
    }

    /// <summary>Products [p0, p1) of a strided batch, one after another on this thread.</summary>
    public static void RunRange(in GemmArgs<T> g, nint strideA, nint strideB, nint strideC, int p0, int p1)
    {
        GemmArgs<T> s = g;
        for (int p = p0; p < p1; p++)
        {
            s.A = g.A + p * strideA;
            s.B = g.B + p * strideB;
            s.C = g.C + p * strideC;
            GemmDriver.Run<T, TK>(s);
        }
    }
}
