namespace Engine.Nn;

/// <summary>
/// The ResNet basic block (as torchvision's BasicBlock): conv3x3(stride) - bn - relu - conv3x3 -
/// bn, plus the input (through a 1x1 conv and bn "downsample" when the shape changes), then relu.
/// </summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    /// <summary>Creates the block.</summary>
    public BasicBlock(int inPlanes, int planes, int stride = 1, Generator? generator = null)
    {
        Conv1 = RegisterModule("conv1", new Conv2d(inPlanes, planes, 3, stride, 1, bias: false, generator: generator));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(planes));
        Conv2 = RegisterModule("conv2", new Conv2d(planes, planes, 3, 1, 1, bias: false, generator: generator));
        Bn2 = RegisterModule("bn2", new BatchNorm2d(planes));
        if (stride != 1 || inPlanes != planes)
        {
            Downsample = RegisterModule("downsample", new Sequential(
                new Conv2d(inPlanes, planes, 1, stride, 0, bias: false, generator: generator),
                new BatchNorm2d(planes)));
        }
    }

    /// <summary>First 3x3 convolution (carries the stride).</summary>
    public Conv2d Conv1 { get; }

    /// <summary>Norm after conv1.</summary>
    public BatchNorm2d Bn1 { get; }

    /// <summary>Second 3x3 convolution.</summary>
    public Conv2d Conv2 { get; }

    /// <summary>Norm after conv2.</summary>
    public BatchNorm2d Bn2 { get; }

    /// <summary>The shortcut projection, or null for the identity.</summary>
    public Sequential? Downsample { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var y = Bn1.Forward(Conv1.Forward(input)).Relu();
        y = Bn2.Forward(Conv2.Forward(y));
        var shortcut = Downsample?.Forward(input) ?? input;
        return (y + shortcut).Relu();
    }
}

/// <summary>
/// A ResNet encoder for small images (e.g. 28x28): a 3x3 stem (no max-pool), stages of
/// <see cref="BasicBlock"/>s whose widths double and which halve the resolution after the first,
/// then global average pooling to a (N, <see cref="OutFeatures"/>) embedding. Convolutions use
/// kaiming_normal(fan_out, relu) and norms start at weight 1, bias 0, as torchvision's ResNet.
/// </summary>
public sealed class ResNetEncoder : Module<Tensor, Tensor>
{
    /// <summary>Creates the encoder; <paramref name="blocksPerStage"/> defaults to one block in each of three stages.</summary>
    public ResNetEncoder(int inChannels = 1, int width = 16, int[]? blocksPerStage = null, Generator? generator = null)
    {
        var blocks = blocksPerStage ?? new[] { 1, 1, 1 };
        if (inChannels <= 0 || width <= 0 || blocks.Length == 0 || blocks.Any(b => b <= 0))
        {
            throw new ArgumentException($"ResNetEncoder: need positive in_channels ({inChannels}), width ({width}) and blocks per stage ({string.Join(", ", blocks)})");
        }
        Conv1 = RegisterModule("conv1", new Conv2d(inChannels, width, 3, 1, 1, bias: false, generator: generator));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(width));
        var stages = new List<Sequential>();
        int planes = width, inPlanes = width;
        for (int s = 0; s < blocks.Length; s++)
        {
            var stage = new Sequential(Array.Empty<Module<Tensor, Tensor>>());
            for (int b = 0; b < blocks[s]; b++)
            {
                stage.Append(new BasicBlock(inPlanes, planes, b == 0 && s > 0 ? 2 : 1, generator));
                inPlanes = planes;
            }
            stages.Add(RegisterModule("layer" + (s + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), stage));
            if (s < blocks.Length - 1)
            {
                planes *= 2;
            }
        }
        Stages = stages;
        Pool = RegisterModule("avgpool", new AdaptiveAvgPool2d(1));
        OutFeatures = planes;
        foreach (var m in Modules())
        {
            if (m is Conv2d c)
            {
                Init.KaimingNormal_(c.Weight, mode: FanMode.FanOut, nonlinearity: "relu", generator: generator);
            }
        }
    }

    /// <summary>Stem convolution.</summary>
    public Conv2d Conv1 { get; }

    /// <summary>Stem norm.</summary>
    public BatchNorm2d Bn1 { get; }

    /// <summary>The stages of blocks (registered as layer1, layer2, ... as in torchvision).</summary>
    public IReadOnlyList<Sequential> Stages { get; }

    /// <summary>Global average pooling.</summary>
    public AdaptiveAvgPool2d Pool { get; }

    /// <summary>Size of the embedding.</summary>
    public int OutFeatures { get; }

    /// <summary>(N, C, H, W) images to (N, OutFeatures) embeddings.</summary>
    public override Tensor Forward(Tensor input)
    {
        var x = Bn1.Forward(Conv1.Forward(input)).Relu();
        foreach (var stage in Stages)
        {
            x = stage.Forward(x);
        }
        return Pool.Forward(x).Flatten(1);
    }
}
