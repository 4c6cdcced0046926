namespace Engine.Kernels;

/// <summary>
/// A compile-time row count for a GEMM micro-kernel. The JIT specialises generic code per struct
/// type argument, so <c>if (TRows.Count &gt; 3)</c> folds away and each row count gets its own
/// straight-line kernel from one source.
/// </summary>
internal interface IGemmRows
{
    /// <summary>Rows of C this micro-kernel computes.</summary>
    static abstract int Count { get; }
}

internal struct Rows1 : IGemmRows { public static int Count => 1; }
internal struct Rows2 : IGemmRows { public static int Count => 2; }
internal struct Rows3 : IGemmRows { public static int Count => 3; }
internal struct Rows4 : IGemmRows { public static int Count => 4; }
internal struct Rows5 : IGemmRows { public static int Count => 5; }
internal struct Rows6 : IGemmRows { public static int Count => 6; }
internal struct Rows7 : IGemmRows { public static int Count => 7; }
internal struct Rows8 : IGemmRows { public static int Count => 8; }
