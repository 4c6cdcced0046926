namespace Engine.Kernels;

/// <summary>
/// Sizes of a 2-D convolution over NCHW data: input (Batch, InChannels, Height, Width), weight
/// (OutChannels, InChannels / Groups, KernelH, KernelW), output (Batch, OutChannels, OutH, OutW).
/// Padding may differ per side (PyTorch's 'same' pads one more at the bottom/right for even kernels).
/// A 1-D convolution is the case Height = KernelH = 1.
/// </summary>
public readonly struct Conv2dParams
{
    /// <summary>Creates the parameters (call <see cref="Validate"/> before use).</summary>
    public Conv2dParams(int batch, int inChannels, int height, int width, int outChannels, int kernelH, int kernelW,
        int strideH, int strideW, int padTop, int padLeft, int padBottom, int padRight, int dilationH, int dilationW, int groups)
    {
        Batch = batch;
        InChannels = inChannels;
        Height = height;
        Width = width;
        OutChannels = outChannels;
        KernelH = kernelH;
        KernelW = kernelW;
        StrideH = strideH;
        StrideW = strideW;
        PadTop = padTop;
        PadLeft = padLeft;
        PadBottom = padBottom;
        PadRight = padRight;
        DilationH = dilationH;
        DilationW = dilationW;
        Groups = groups;
    }

    /// <summary>Batch size N.</summary>
    public int Batch { get; }

    /// <summary>Input channels C.</summary>
    public int InChannels { get; }

    /// <summary>Input height H.</summary>
    public int Height { get; }

    /// <summary>Input width W.</summary>
    public int Width { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel height.</summary>
    public int KernelH { get; }

    /// <summary>Kernel width.</summary>
    public int KernelW { get; }

    /// <summary>Vertical stride.</summary>
    public int StrideH { get; }

    /// <summary>Horizontal stride.</summary>
    public int StrideW { get; }

    /// <summary>Zero rows added above the input.</summary>
    public int PadTop { get; }

    /// <summary>Zero columns added left of the input.</summary>
    public int PadLeft { get; }

    /// <summary>Zero rows added below the input.</summary>
    public int PadBottom { get; }

    /// <summary>Zero columns added right of the input.</summary>
    public int PadRight { get; }

    /// <summary>Vertical dilation.</summary>
    public int DilationH { get; }

    /// <summary>Horizontal dilation.</summary>
    public int DilationW { get; }

    /// <summary>Number of groups (InChannels for depthwise).</summary>
    public int Groups { get; }

    /// <summary>Output height.</summary>
    public int OutH => (Height + PadTop + PadBottom - DilationH * (KernelH - 1) - 1) / StrideH + 1;

    /// <summary>Output width.</summary>
    public int OutW => (Width + PadLeft + PadRight - DilationW * (KernelW - 1) - 1) / StrideW + 1;

    /// <summary>Input channels per group.</summary>
    public int InPerGroup => InChannels / Groups;

    /// <summary>Output channels per group.</summary>
    public int OutPerGroup => OutChannels / Groups;

    /// <summary>Rows of one group's im2col matrix: InPerGroup * KernelH * KernelW.</summary>
    public int ColRows => InPerGroup * KernelH * KernelW;

    /// <summary>Whether the convolution is depthwise (one input channel per group).</summary>
    public bool IsDepthwise => Groups == InChannels && Groups > 1;

    /// <summary>Whether the input is already its own im2col matrix (1x1 kernel, stride 1, no padding).</summary>
    public bool IsPointwise => KernelH == 1 && KernelW == 1 && StrideH == 1 && StrideW == 1
        && PadTop == 0 && PadLeft == 0 && PadBottom == 0 && PadRight == 0;

    /// <summary>Elements of the input.</summary>
    public long InputLength => (long)Batch * InChannels * Height * Width;

    /// <summary>Elements of the weight.</summary>
    public long WeightLength => (long)OutChannels * InPerGroup * KernelH * KernelW;

    /// <summary>Elements of the output.</summary>
    public long OutputLength => (long)Batch * OutChannels * OutH * OutW;

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="op"/> and the values when the sizes are inconsistent.</summary>
    public void Validate(string op)
    {
        if (Batch < 0 || InChannels <= 0 || Height <= 0 || Width <= 0 || OutChannels <= 0 || KernelH <= 0 || KernelW <= 0)
        {
            throw new ArgumentException($"{op}: sizes must be positive (batch {Batch}, in_channels {InChannels}, input {Height}x{Width}, out_channels {OutChannels}, kernel {KernelH}x{KernelW})");
        }
        if (StrideH <= 0 || StrideW <= 0)
        {
            throw new ArgumentException($"{op}: stride must be positive, got ({StrideH}, {StrideW})");
        }
        if (DilationH <= 0 || DilationW <= 0)
        {
            throw new ArgumentException($"{op}: dilation must be positive, got ({DilationH}, {DilationW})");
        }
        if (PadTop < 0 || PadLeft < 0 || PadBottom < 0 || PadRight < 0)
        {
            throw new ArgumentException($"{op}: padding must be non-negative, got (top {PadTop}, left {PadLeft}, bottom {PadBottom}, right {PadRight})");
        }
        if (Groups <= 0)
        {
            throw new ArgumentException($"{op}: groups must be positive, got {Groups}");
        }
        if (InChannels % Groups != 0)
        {
            throw new ArgumentException($"{op}: in_channels ({InChannels}) must be divisible by groups ({Groups})");
        }
        if (OutChannels % Groups != 0)
        {
            throw new ArgumentException($"{op}: out_channels ({OutChannels}) must be divisible by groups ({Groups})");
        }
        int effH = DilationH * (KernelH - 1) + 1, effW = DilationW * (KernelW - 1) + 1;
        int paddedH = Height + PadTop + PadBottom, paddedW = Width + PadLeft + PadRight;
        if (effH > paddedH || effW > paddedW)
        {
            throw new ArgumentException($"{op}: kernel size {effH}x{effW} (after dilation) is larger than the padded input {paddedH}x{paddedW}");
        }
    }
}
