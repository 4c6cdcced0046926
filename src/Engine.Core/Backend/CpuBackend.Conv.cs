using Engine.Kernels;

namespace Engine.Backends;

/// <summary>Convolution, pooling and normalisation primitives of the CPU backend (kernels in Engine.Kernels.Cpu).</summary>
public sealed partial class CpuBackend
{
    private static Span<T> Opt<T>(Storage? s) where T : unmanaged => s is null ? Span<T>.Empty : S<T>(s);

    private static bool IsDouble(Storage s, string op) => s.DType switch
    {
        DType.Float32 => false,
        DType.Float64 => true,
        _ => throw new NotSupportedException($"{op}: dtype {s.DType} is not supported (floating types only)"),
    };

    /// <inheritdoc />
    public override void Conv2dForward(Storage x, Storage w, Storage? bias, Storage y, in Conv2dParams p)
    {
        if (IsDouble(x, "conv2d"))
        {
            Kernels.Conv2d.Forward<double>(S<double>(x), S<double>(w), Opt<double>(bias), S<double>(y), p);
        }
        else
        {
            Kernels.Conv2d.Forward<float>(S<float>(x), S<float>(w), Opt<float>(bias), S<float>(y), p);
        }
    }

    /// <inheritdoc />
    public override void Conv2dBackwardInput(Storage dy, Storage w, Storage dx, in Conv2dParams p)
    {
        if (IsDouble(dy, "conv2d backward"))
        {
            Kernels.Conv2d.BackwardInput<double>(S<double>(dy), S<double>(w), S<double>(dx), p);
        }
        else
        {
            Kernels.Conv2d.BackwardInput<float>(S<float>(dy), S<float>(w), S<float>(dx), p);
        }
    }

    /// <inheritdoc />
    public override void Conv2dBackwardWeight(Storage x, Storage dy, Storage dw, in Conv2dParams p)
    {
        if (IsDouble(dy, "conv2d backward"))
        {
            Kernels.Conv2d.BackwardWeight<double>(S<double>(x), S<double>(dy), S<double>(dw), p);
        }
        else
        {
            Kernels.Conv2d.BackwardWeight<float>(S<float>(x), S<float>(dy), S<float>(dw), p);
        }
    }

    /// <inheritdoc />
    public override void Conv2dBackwardBias(Storage dy, Storage db, in Conv2dParams p)
    {
        if (IsDouble(dy, "conv2d backward"))
        {
            Kernels.Conv2d.BackwardBias<double>(S<double>(dy), S<double>(db), p);
        }
        else
        {
            Kernels.Conv2d.BackwardBias<float>(S<float>(dy), S<float>(db), p);
        }
    }

    /// <inheritdoc />
    public override void MaxPool2dForward(Storage x, Storage y, Storage indices, in Pool2dParams p)
    {
        if (IsDouble(x, "max_pool2d"))
        {
            Pool2d.MaxForward<double>(S<double>(x), S<double>(y), S<long>(indices), p);
        }
        else
        {
            Pool2d.MaxForward<float>(S<float>(x), S<float>(y), S<long>(indices), p);
        }
    }

    /// <inheritdoc />
    public override void MaxPool2dBackward(Storage dy, Storage indices, Storage dx, in Pool2dParams p)
    {
        if (IsDouble(dy, "max_pool2d backward"))
        {
            Pool2d.MaxBackward<double>(S<double>(dy), S<long>(indices), S<double>(dx), p);
        }
        else
        {
            Pool2d.MaxBackward<float>(S<float>(dy), S<long>(indices), S<float>(dx), p);
        }
    }

    /// <inheritdoc />
    public override void AvgPool2dForward(Storage x, Storage y, in Pool2dParams p)
    {
        if (IsDouble(x, "avg_pool2d"))
        {
            Pool2d.AvgForward<double>(S<double>(x), S<double>(y), p);
        }
        else
        {
            Pool2d.AvgForward<float>(S<float>(x), S<float>(y), p);
        }
    }

    /// <inheritdoc />
    public override void AvgPool2dBackward(Storage dy, Storage dx, in Pool2dParams p)
    {
        if (IsDouble(dy, "avg_pool2d backward"))
        {
            Pool2d.AvgBackward<double>(S<double>(dy), S<double>(dx), p);
        }
        else
        {
            Pool2d.AvgBackward<float>(S<float>(dy), S<float>(dx), p);
        }
    }

    /// <inheritdoc />
    public override void AdaptiveAvgPool2dForward(Storage x, Storage y, in AdaptivePool2dParams p)
    {
        if (IsDouble(x, "adaptive_avg_pool2d"))
        {
            Pool2d.AdaptiveAvgForward<double>(S<double>(x), S<double>(y), p);
        }
        else
        {
            Pool2d.AdaptiveAvgForward<float>(S<float>(x), S<float>(y), p);
        }
    }

    /// <inheritdoc />
    public override void AdaptiveAvgPool2dBackward(Storage dy, Storage dx, in AdaptivePool2dParams p)
    {
        if (IsDouble(dy, "adaptive_avg_pool2d backward"))
        {
            Pool2d.AdaptiveAvgBackward<double>(S<double>(dy), S<double>(dx), p);
        }
        else
        {
            Pool2d.AdaptiveAvgBackward<float>(S<float>(dy), S<float>(dx), p);
        }
    }

    /// <inheritdoc />
    public override void BatchNormForward(Storage x, Storage? weight, Storage? bias, Storage y, Storage mean, Storage invStd,
        Storage? runningMean, Storage? runningVar, bool training, double momentum, in BatchNormParams p)
    {
        if (IsDouble(x, "batch_norm"))
        {
            BatchNormT<double>(x, weight, bias, y, mean, invStd, runningMean, runningVar, training, momentum, p);
        }
        else
        {
            BatchNormT<float>(x, weight, bias, y, mean, invStd, runningMean, runningVar, training, momentum, p);
        }
    }

    private static void BatchNormT<T>(Storage x, Storage? weight, Storage? bias, Storage y, Storage mean, Storage invStd,
        Storage? runningMean, Storage? runningVar, bool training, double momentum, in BatchNormParams p)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (training)
        {
            BatchNorm.TrainForward<T>(S<T>(x), Opt<T>(weight), Opt<T>(bias), S<T>(y), S<T>(mean), S<T>(invStd),
                Opt<T>(runningMean), Opt<T>(runningVar), momentum, p);
            return;
        }
        if (runningMean is null || runningVar is null)
        {
            throw new ArgumentException("batch_norm: running_mean and running_var are required when not training");
        }
        S<T>(runningMean)[..p.Channels].CopyTo(S<T>(mean));
        BatchNorm.EvalForward<T>(S<T>(x), Opt<T>(weight), Opt<T>(bias), S<T>(y), S<T>(mean), S<T>(runningVar), S<T>(invStd), p);
    }

    /// <inheritdoc />
    public override void BatchNormBackward(Storage x, Storage dy, Storage? weight, Storage mean, Storage invStd,
        Storage? dx, Storage? dweight, Storage? dbias, bool batchStats, in BatchNormParams p)
    {
        if (IsDouble(x, "batch_norm backward"))
        {
            BatchNorm.Backward<double>(S<double>(x), S<double>(dy), Opt<double>(weight), S<double>(mean), S<double>(invStd),
                Opt<double>(dx), Opt<double>(dweight), Opt<double>(dbias), batchStats, p);
        }
        else
        {
            BatchNorm.Backward<float>(S<float>(x), S<float>(dy), Opt<float>(weight), S<float>(mean), S<float>(invStd),
                Opt<float>(dx), Opt<float>(dweight), Opt<float>(dbias), batchStats, p);
        }
    }

    /// <inheritdoc />
    public override void RowNormForward(Storage x, Storage? weight, Storage? bias, Storage y, Storage mean, Storage rstd, in RowNormParams p)
    {
        if (IsDouble(x, "norm"))
        {
            RowNorm.Forward<double>(S<double>(x), Opt<double>(weight), Opt<double>(bias), S<double>(y), S<double>(mean), S<double>(rstd), p);
        }
        else
        {
            RowNorm.Forward<float>(S<float>(x), Opt<float>(weight), Opt<float>(bias), S<float>(y), S<float>(mean), S<float>(rstd), p);
        }
    }

    /// <inheritdoc />
    public override void RowNormBackward(Storage x, Storage dy, Storage? weight, Storage mean, Storage rstd,
        Storage? dx, Storage? dweight, Storage? dbias, in RowNormParams p)
    {
        if (IsDouble(x, "norm backward"))
        {
            RowNorm.Backward<double>(S<double>(x), S<double>(dy), Opt<double>(weight), S<double>(mean), S<double>(rstd),
                Opt<double>(dx), Opt<double>(dweight), Opt<double>(dbias), p);
        }
        else
        {
            RowNorm.Backward<float>(S<float>(x), S<float>(dy), Opt<float>(weight), S<float>(mean), S<float>(rstd),
                Opt<float>(dx), Opt<float>(dweight), Opt<float>(dbias), p);
        }
    }
}
