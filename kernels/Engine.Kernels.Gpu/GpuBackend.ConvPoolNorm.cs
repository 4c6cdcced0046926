using Engine.Kernels;

namespace Engine.Gpu;

/// <summary>Pooling and normalisation are not yet on the GPU: they throw a clear NotSupportedException naming the op and device.</summary>
public sealed partial class GpuBackend
{
    private NotSupportedException NotYet(string op) => new($"{op} is not yet implemented on {Device} (GPU backend); move the tensors to the CPU for this op");





    /// <inheritdoc />
    public override void MaxPool2dForward(Storage x, Storage y, Storage indices, in Pool2dParams p) => throw NotYet("max_pool2d");

    /// <inheritdoc />
    public override void MaxPool2dBackward(Storage dy, Storage indices, Storage dx, in Pool2dParams p) => throw NotYet("max_pool2d backward");

    /// <inheritdoc />
    public override void AvgPool2dForward(Storage x, Storage y, in Pool2dParams p) => throw NotYet("avg_pool2d");

    /// <inheritdoc />
    public override void AvgPool2dBackward(Storage dy, Storage dx, in Pool2dParams p) => throw NotYet("avg_pool2d backward");

    /// <inheritdoc />
    public override void AdaptiveAvgPool2dForward(Storage x, Storage y, in AdaptivePool2dParams p) => throw NotYet("adaptive_avg_pool2d");

    /// <inheritdoc />
    public override void AdaptiveAvgPool2dBackward(Storage dy, Storage dx, in AdaptivePool2dParams p) => throw NotYet("adaptive_avg_pool2d backward");

    /// <inheritdoc />
    public override void BatchNormForward(Storage x, Storage? weight, Storage? bias, Storage y, Storage mean, Storage invStd,
        Storage? runningMean, Storage? runningVar, bool training, double momentum, in BatchNormParams p) => throw NotYet("batch_norm");

    /// <inheritdoc />
    public override void BatchNormBackward(Storage x, Storage dy, Storage? weight, Storage mean, Storage invStd,
        Storage? dx, Storage? dweight, Storage? dbias, bool batchStats, in BatchNormParams p) => throw NotYet("batch_norm backward");

    /// <inheritdoc />
    public override void RowNormForward(Storage x, Storage? weight, Storage? bias, Storage y, Storage mean, Storage rstd, in RowNormParams p)
        => throw NotYet("layer_norm/group_norm");

    /// <inheritdoc />
    public override void RowNormBackward(Storage x, Storage dy, Storage? weight, Storage mean, Storage rstd,
        Storage? dx, Storage? dweight, Storage? dbias, in RowNormParams p) => throw NotYet("layer_norm/group_norm backward");
}
