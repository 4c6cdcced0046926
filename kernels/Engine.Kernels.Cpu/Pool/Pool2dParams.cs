namespace Engine.Kernels;

/// <summary>
/// Sizes of a 2-D max or average pooling over Planes independent (Height, Width) planes (N * C
/// for NCHW data). A 1-D pooling is the case Height = KernelH = 1. Output sizes follow PyTorch,
/// including ceil mode (a window may start in the right/bottom padding only if it also overlaps
/// the input).
/// </summary>
public readonly struct Pool2dParams
{
    /// <summary>Creates the parameters (call <see cref="Validate"/> before use).</summary>
    public Pool2dParams(int planes, int height, int width, int kernelH, int kernelW, int strideH, int strideW,
        int padH, int padW, int dilationH = 1, int dilationW = 1, bool ceilMode = false, bool countIncludePad = true, int divisorOverride = 0)
    {
        Planes = planes;
        Height = height;
        Width = width;
        KernelH = kernelH;
        KernelW = kernelW;
        StrideH = strideH;
        StrideW = strideW;
        PadH = padH;
        PadW = padW;
        DilationH = dilationH;
        DilationW = dilationW;
        CeilMode = ceilMode;
        CountIncludePad = countIncludePad;
        DivisorOverride = divisorOverride;
    }

    /// <summary>Number of planes (N * C).</summary>
    public int Planes { get; }

    /// <summary>Input height.</summary>
    public int Height { get; }

    /// <summary>Input width.</summary>
    public int Width { get; }

    /// <summary>Window height.</summary>
    public int KernelH { get; }

    /// <summary>Window width.</summary>
    public int KernelW { get; }

    /// <summary>Vertical stride.</summary>
    public int StrideH { get; }

    /// <summary>Horizontal stride.</summary>
    public int StrideW { get; }

    /// <summary>Implicit padding on top and bottom.</summary>
    public int PadH { get; }

    /// <summary>Implicit padding left and right.</summary>
    public int PadW { get; }

    /// <summary>Vertical dilation (max pooling only).</summary>
    public int DilationH { get; }

    /// <summary>Horizontal dilation (max pooling only).</summary>
    public int DilationW { get; }

    /// <summary>Round the output size up instead of down.</summary>
    public bool CeilMode { get; }

    /// <summary>Average pooling: count padded zeros in the divisor.</summary>
    public bool CountIncludePad { get; }

    /// <summary>Average pooling: divide by this instead of the window size when positive.</summary>
    public int DivisorOverride { get; }

    /// <summary>Output height.</summary>
    public int OutH => OutSize(Height, KernelH, StrideH, PadH, DilationH, CeilMode);

    /// <summary>Output width.</summary>
    public int OutW => OutSize(Width, KernelW, StrideW, PadW, DilationW, CeilMode);

    /// <summary>Elements of the input.</summary>
    public long InputLength => (long)Planes * Height * Width;

    /// <summary>Elements of the output.</summary>
    public long OutputLength => (long)Planes * OutH * OutW;

    private static int OutSize(int size, int k, int s, int pad, int d, bool ceil)
    {
        long span = size + 2L * pad - (long)d * (k - 1) - 1;
        long o = (ceil ? (span + s - 1) / s : span / s) + 1;
        if (ceil && (o - 1) * s >= size + pad)
        {
            o--;
        }
        return (int)o;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="op"/> and the values when the sizes are inconsistent.</summary>
    public void Validate(string op)
    {
        if (Planes < 0 || Height <= 0 || Width <= 0)
        {
            throw new ArgumentException($"{op}: input must be non-empty, got {Planes} planes of {Height}x{Width}");
        }
        if (KernelH <= 0 || KernelW <= 0)
        {
            throw new ArgumentException($"{op}: kernel size must be positive, got ({KernelH}, {KernelW})");
        }
        if (StrideH <= 0 || StrideW <= 0)
        {
            throw new ArgumentException($"{op}: stride must be positive, got ({StrideH}, {StrideW})");
        }
        if (DilationH <= 0 || DilationW <= 0)
        {
            throw new ArgumentException($"{op}: dilation must be positive, got ({DilationH}, {DilationW})");
        }
        if (PadH < 0 || PadW < 0 || PadH > KernelH / 2 || PadW > KernelW / 2)
        {
            throw new ArgumentException($"{op}: padding ({PadH}, {PadW}) must be non-negative and at most half the kernel size ({KernelH}, {KernelW})");
        }
        if (OutH <= 0 || OutW <= 0)
        {
            throw new ArgumentException($"{op}: kernel {KernelH}x{KernelW} (dilation {DilationH}x{DilationW}) is larger than the padded input {Height + 2 * PadH}x{Width + 2 * PadW}; output would be {OutH}x{OutW}");
        }
    }
}

/// <summary>Sizes of an adaptive pooling: Planes planes of (Height, Width) pooled to (OutH, OutW).</summary>
public readonly record struct AdaptivePool2dParams(int Planes, int Height, int Width, int OutH, int OutW)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="op"/> when a size is not positive.</summary>
    public void Validate(string op)
    {
        if (Planes < 0 || Height <= 0 || Width <= 0 || OutH <= 0 || OutW <= 0)
        {
            throw new ArgumentException($"{op}: sizes must be positive, got {Planes} planes of {Height}x{Width} to output {OutH}x{OutW}");
        }
    }
}
