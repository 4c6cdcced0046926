namespace Engine.Kernels;

/// <summary>Which GEMM micro-kernel runs: the widest the CPU supports, or a narrower one on request.</summary>
public enum GemmKernelKind
{
    /// <summary>The widest kernel this CPU runs in hardware.</summary>
    Auto,

    /// <summary>Vector512 (AVX-512) 8 x 2-vector tiles.</summary>
    Vector512,

    /// <summary>Vector256 (AVX2/NEON-width) 6 x 2-vector tiles.</summary>
    Vector256,

    /// <summary>Portable scalar 4 x 4 tiles.</summary>
    Scalar,
}
