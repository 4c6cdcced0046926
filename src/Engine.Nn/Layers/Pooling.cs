namespace Engine.Nn;

/// <summary>2-D max pooling (torch.nn.MaxPool2d); stride defaults to the kernel size.</summary>
public sealed class MaxPool2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        Dilation = dilation;
        CeilMode = ceilMode;
    }

    /// <summary>Window size.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Implicit -inf padding.</summary>
    public int Padding { get; }

    /// <summary>Spacing of window elements.</summary>
    public int Dilation { get; }

    /// <summary>Whether output sizes round up.</summary>
    public bool CeilMode { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.MaxPool2d(input, KernelSize, Stride, Padding, Dilation, CeilMode);

    /// <inheritdoc />
    public override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation={Dilation}, ceil_mode={(CeilMode ? "True" : "False")}";
}

/// <summary>2-D average pooling (torch.nn.AvgPool2d); stride defaults to the kernel size.</summary>
public sealed class AvgPool2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
    {
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        CeilMode = ceilMode;
        CountIncludePad = countIncludePad;
    }

    /// <summary>Window size.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Implicit zero padding.</summary>
    public int Padding { get; }

    /// <summary>Whether output sizes round up.</summary>
    public bool CeilMode { get; }

    /// <summary>Whether padding counts in the divisor.</summary>
    public bool CountIncludePad { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.AvgPool2d(input, KernelSize, Stride, Padding, CeilMode, CountIncludePad);

    /// <inheritdoc />
    public override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}";
}

/// <summary>1-D max pooling over (N, C, L) (torch.nn.MaxPool1d).</summary>
public sealed class MaxPool1d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public MaxPool1d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        Dilation = dilation;
        CeilMode = ceilMode;
    }

    /// <summary>Window size.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Implicit -inf padding.</summary>
    public int Padding { get; }

    /// <summary>Spacing of window elements.</summary>
    public int Dilation { get; }

    /// <summary>Whether output sizes round up.</summary>
    public bool CeilMode { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.MaxPool1d(input, KernelSize, Stride, Padding, Dilation, CeilMode);

    /// <inheritdoc />
    public override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation={Dilation}, ceil_mode={(CeilMode ? "True" : "False")}";
}

/// <summary>1-D average pooling over (N, C, L) (torch.nn.AvgPool1d).</summary>
public sealed class AvgPool1d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public AvgPool1d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
    {
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        CeilMode = ceilMode;
        CountIncludePad = countIncludePad;
    }

    /// <summary>Window size.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Implicit zero padding.</summary>
    public int Padding { get; }

    /// <summary>Whether output sizes round up.</summary>
    public bool CeilMode { get; }

    /// <summary>Whether padding counts in the divisor.</summary>
    public bool CountIncludePad { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.AvgPool1d(input, KernelSize, Stride, Padding, CeilMode, CountIncludePad);

    /// <inheritdoc />
    public override string ExtraRepr() => $"kernel_size=({KernelSize},), stride=({Stride},), padding=({Padding},)";
}

/// <summary>Adaptive average pooling to a fixed (H, W) (torch.nn.AdaptiveAvgPool2d).</summary>
public sealed class AdaptiveAvgPool2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public AdaptiveAvgPool2d((int H, int W) outputSize)
    {
        OutputSize = outputSize;
    }

    /// <summary>Creates the layer with a square output.</summary>
    public AdaptiveAvgPool2d(int outputSize) : this((outputSize, outputSize))
    {
    }

    /// <summary>Output (height, width).</summary>
    public (int H, int W) OutputSize { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.AdaptiveAvgPool2d(input, OutputSize);

    /// <inheritdoc />
    public override string ExtraRepr() => $"output_size=({OutputSize.H}, {OutputSize.W})";
}

/// <summary>Adaptive average pooling over (N, C, L) to a fixed length (torch.nn.AdaptiveAvgPool1d).</summary>
public sealed class AdaptiveAvgPool1d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public AdaptiveAvgPool1d(int outputSize)
    {
        OutputSize = outputSize;
    }

    /// <summary>Output length.</summary>
    public int OutputSize { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.AdaptiveAvgPool1d(input, OutputSize);

    /// <inheritdoc />
    public override string ExtraRepr() => $"output_size={OutputSize}";
}

/// <summary>Channel dropout over (N, C, H, W) (torch.nn.Dropout2d).</summary>
public sealed class Dropout2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public Dropout2d(double p = 0.5, Generator? generator = null)
    {
        if (p < 0 || p > 1)
        {
            throw new ArgumentException($"Dropout2d: probability has to be between 0 and 1, but got {p}");
        }
        P = p;
        Generator = generator;
    }

    /// <summary>Channel drop probability.</summary>
    public double P { get; }

    /// <summary>Random source.</summary>
    public Generator? Generator { get; set; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.Dropout2d(input, P, Training, Generator);

    /// <inheritdoc />
    public override string ExtraRepr() => $"p={P}, inplace=False";
}
