namespace Engine.Nn;

/// <summary>2-D convolution over (N, C, H, W) (torch.nn.Conv2d); weight (out, in / groups, kH, kW).</summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    /// <summary>
    /// Creates the layer with PyTorch's default init: kaiming_uniform(a = sqrt(5)) on the weight,
    /// i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the same bound for the bias.
    /// </summary>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W)? stride = null, (int H, int W)? padding = null,
        (int H, int W)? dilation = null, int groups = 1, bool bias = true, Generator? generator = null, DType? dtype = null)
    {
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException($"Conv2d: in_channels ({inChannels}) and out_channels ({outChannels}) must be positive and divisible by groups ({groups})");
        }
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        StrideHW = stride ?? (1, 1);
        PaddingHW = padding ?? (0, 0);
        DilationHW = dilation ?? (1, 1);
        Groups = groups;
        Weight = RegisterParameter("weight", Persistent(() => Tensor.Empty(new[] { outChannels, inChannels / groups, kernelSize.H, kernelSize.W }, dtype)))!;
        Bias = RegisterParameter("bias", bias ? Persistent(() => Tensor.Empty(new[] { outChannels }, dtype)) : null);
        Init.KaimingUniform_(Weight, Math.Sqrt(5), generator: generator);
        if (Bias is not null)
        {
            Init.Uniform_(Bias, -1 / Math.Sqrt(Init.CalculateFanInAndFanOut(Weight).FanIn), 1 / Math.Sqrt(Init.CalculateFanInAndFanOut(Weight).FanIn), generator);
        }
    }

    /// <summary>Creates a layer with a square kernel and equal stride/padding/dilation in both dims.</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1, bool bias = true,
        Generator? generator = null, DType? dtype = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (dilation, dilation), groups, bias, generator, dtype)
    {
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel (height, width).</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Stride (height, width).</summary>
    public (int H, int W) StrideHW { get; }

    /// <summary>Zero padding (height, width).</summary>
    public (int H, int W) PaddingHW { get; }

    /// <summary>Dilation (height, width).</summary>
    public (int H, int W) DilationHW { get; }

    /// <summary>Channel groups.</summary>
    public int Groups { get; }

    /// <summary>Weight (out, in / groups, kH, kW).</summary>
    public Tensor Weight { get; }

    /// <summary>Bias (out) or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.Conv2d(input, Weight, Bias, StrideHW, PaddingHW, DilationHW, Groups);

    /// <inheritdoc />
    public override string ExtraRepr()
    {
        var s = $"{InChannels}, {OutChannels}, kernel_size=({KernelSize.H}, {KernelSize.W}), stride=({StrideHW.H}, {StrideHW.W})";
        if (PaddingHW != (0, 0))
        {
            s += $", padding=({PaddingHW.H}, {PaddingHW.W})";
        }
        if (DilationHW != (1, 1))
        {
            s += $", dilation=({DilationHW.H}, {DilationHW.W})";
        }
        if (Groups != 1)
        {
            s += $", groups={Groups}";
        }
        return Bias is null ? s + ", bias=False" : s;
    }
}

/// <summary>1-D convolution over (N, C, L) (torch.nn.Conv1d); weight (out, in / groups, k).</summary>
public sealed class Conv1d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer with PyTorch's default init (as <see cref="Conv2d"/>).</summary>
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1, bool bias = true,
        Generator? generator = null, DType? dtype = null)
    {
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException($"Conv1d: in_channels ({inChannels}) and out_channels ({outChannels}) must be positive and divisible by groups ({groups})");
        }
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        Weight = RegisterParameter("weight", Persistent(() => Tensor.Empty(new[] { outChannels, inChannels / groups, kernelSize }, dtype)))!;
        Bias = RegisterParameter("bias", bias ? Persistent(() => Tensor.Empty(new[] { outChannels }, dtype)) : null);
        Init.KaimingUniform_(Weight, Math.Sqrt(5), generator: generator);
        if (Bias is not null)
        {
            double bound = 1 / Math.Sqrt(Init.CalculateFanInAndFanOut(Weight).FanIn);
            Init.Uniform_(Bias, -bound, bound, generator);
        }
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel width.</summary>
    public int KernelSize { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on both sides.</summary>
    public int Padding { get; }

    /// <summary>Dilation.</summary>
    public int Dilation { get; }

    /// <summary>Channel groups.</summary>
    public int Groups { get; }

    /// <summary>Weight (out, in / groups, k).</summary>
    public Tensor Weight { get; }

    /// <summary>Bias (out) or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.Conv1d(input, Weight, Bias, Stride, Padding, Dilation, Groups);

    /// <inheritdoc />
    public override string ExtraRepr()
    {
        var s = $"{InChannels}, {OutChannels}, kernel_size=({KernelSize},), stride=({Stride},)";
        if (Padding != 0)
        {
            s += $", padding=({Padding},)";
        }
        if (Dilation != 1)
        {
            s += $", dilation=({Dilation},)";
        }
        if (Groups != 1)
        {
            s += $", groups={Groups}";
        }
        return Bias is null ? s + ", bias=False" : s;
    }
}
