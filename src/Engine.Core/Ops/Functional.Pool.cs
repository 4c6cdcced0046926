using Engine.Autograd;
using Engine.Kernels;

namespace Engine;

public static partial class Functional
{
    /// <summary>2-D max pooling of (N, C, H, W) or (C, H, W), as torch.nn.functional.max_pool2d (stride defaults to the kernel size).</summary>
    public static Tensor MaxPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
        => MaxPool2dWithIndices(input, kernelSize, stride, padding, dilation, ceilMode).Output;

    /// <summary>2-D max pooling with separate (height, width) sizes.</summary>
    public static Tensor MaxPool2d(Tensor input, (int H, int W) kernelSize, (int H, int W)? stride, (int H, int W) padding, (int H, int W) dilation, bool ceilMode = false)
        => MaxPool2dWithIndices(input, kernelSize, stride, padding, dilation, ceilMode).Output;

    /// <summary>2-D max pooling that also returns the flat index (h * W + w) of each maximum within its plane.</summary>
    public static (Tensor Output, Tensor Indices) MaxPool2dWithIndices(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
        => MaxPool2dWithIndices(input, (kernelSize, kernelSize), stride is int s ? (s, s) : null, (padding, padding), (dilation, dilation), ceilMode);

    /// <summary>2-D max pooling with indices and separate (height, width) sizes.</summary>
    public static (Tensor Output, Tensor Indices) MaxPool2dWithIndices(Tensor input, (int H, int W) kernelSize, (int H, int W)? stride,
        (int H, int W) padding, (int H, int W) dilation, bool ceilMode = false)
        => MaxPoolCore("max_pool2d", 2, input, kernelSize, stride ?? kernelSize, padding, dilation, ceilMode);

    /// <summary>1-D max pooling of (N, C, L) or (C, L), as torch.nn.functional.max_pool1d.</summary>
    public static Tensor MaxPool1d(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
        => MaxPool1dWithIndices(input, kernelSize, stride, padding, dilation, ceilMode).Output;

    /// <summary>1-D max pooling that also returns the index of each maximum along L.</summary>
    public static (Tensor Output, Tensor Indices) MaxPool1dWithIndices(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
        => MaxPoolCore("max_pool1d", 1, input, (1, kernelSize), (1, stride ?? kernelSize), (0, padding), (1, dilation), ceilMode);

    /// <summary>2-D average pooling, as torch.nn.functional.avg_pool2d (stride defaults to the kernel size).</summary>
    public static Tensor AvgPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null)
        => AvgPool2d(input, (kernelSize, kernelSize), stride is int s ? (s, s) : null, (padding, padding), ceilMode, countIncludePad, divisorOverride);

    /// <summary>2-D average pooling with separate (height, width) sizes.</summary>
    public static Tensor AvgPool2d(Tensor input, (int H, int W) kernelSize, (int H, int W)? stride, (int H, int W) padding,
        bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null)
        => AvgPoolCore("avg_pool2d", 2, input, kernelSize, stride ?? kernelSize, padding, ceilMode, countIncludePad, divisorOverride);

    /// <summary>1-D average pooling of (N, C, L) or (C, L), as torch.nn.functional.avg_pool1d.</summary>
    public static Tensor AvgPool1d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
        => AvgPoolCore("avg_pool1d", 1, input, (1, kernelSize), (1, stride ?? kernelSize), (0, padding), ceilMode, countIncludePad, null);

    /// <summary>Adaptive average pooling to an (OH, OW) output, as torch.nn.functional.adaptive_avg_pool2d.</summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, (int H, int W) outputSize) => AdaptiveCore("adaptive_avg_pool2d", 2, input, outputSize);

    /// <summary>Adaptive average pooling to a square output.</summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, int outputSize) => AdaptiveCore("adaptive_avg_pool2d", 2, input, (outputSize, outputSize));

    /// <summary>Adaptive average pooling of (N, C, L) to length outputSize, as torch.nn.functional.adaptive_avg_pool1d.</summary>
    public static Tensor AdaptiveAvgPool1d(Tensor input, int outputSize) => AdaptiveCore("adaptive_avg_pool1d", 1, input, (1, outputSize));

    /// <summary>Global average pooling: the mean of each (H, W) plane, shape (N, C, 1, 1) (adaptive_avg_pool2d to 1).</summary>
    public static Tensor GlobalAvgPool2d(Tensor input) => AdaptiveCore("global_avg_pool2d", 2, input, (1, 1));

    /// <summary>Global average pooling over L: shape (N, C, 1).</summary>
    public static Tensor GlobalAvgPool1d(Tensor input) => AdaptiveCore("global_avg_pool1d", 1, input, (1, 1));

    /// <summary>Checks rank and returns (planes, H, W) of a pooling input with <paramref name="spatial"/> trailing spatial dims.</summary>
    private static (int Planes, int H, int W) PoolLayout(string op, int spatial, Tensor input)
    {
        input.CheckFloating(op);
        if (input.Dim != spatial + 1 && input.Dim != spatial + 2)
        {
            throw new ArgumentException($"{op}: expected {spatial + 1}-D or {spatial + 2}-D input, got {Tensor.ShapeString(input.ShapeSpan)}");
        }
        int h = spatial == 2 ? input.Size(-2) : 1, w = input.Size(-1);
        int planes = h * w == 0 ? 0 : input.NumEl / (h * w);
        return (planes, h, w);
    }

    private static int[] PooledShape(Tensor input, int spatial, int oh, int ow)
    {
        var s = input.Shape;
        s[^1] = ow;
        if (spatial == 2)
        {
            s[^2] = oh;
        }
        return s;
    }

    private static (Tensor Output, Tensor Indices) MaxPoolCore(string op, int spatial, Tensor input, (int H, int W) k, (int H, int W) s,
        (int H, int W) pad, (int H, int W) d, bool ceilMode)
    {
        var (planes, h, w) = PoolLayout(op, spatial, input);
        var p = new Pool2dParams(planes, h, w, k.H, k.W, s.H, s.W, pad.H, pad.W, d.H, d.W, ceilMode);
        p.Validate(op);
        var xc = input.Compact();
        var shape = PooledShape(input, spatial, p.OutH, p.OutW);
        var y = Tensor.Empty(shape, input.DType, input.Device);
        var idx = Tensor.Empty(shape, DType.Int64, input.Device);
        if (planes > 0)
        {
            xc.Backend.MaxPool2dForward(xc.Storage, y.Storage, idx.Storage, p);
        }
        var inShape = input.Shape;
        var result = Node.Record(op, y, new[] { input }, g =>
        {
            var gc = g.Compact();
            var dx = Tensor.Empty(inShape, gc.DType, gc.Device);
            if (planes > 0)
            {
                gc.Backend.MaxPool2dBackward(gc.Storage, idx.Storage, dx.Storage, p);
            }
            return new[] { dx };
        }, idx);
        return (result, idx);
    }

    private static Tensor AvgPoolCore(string op, int spatial, Tensor input, (int H, int W) k, (int H, int W) s, (int H, int W) pad,
        bool ceilMode, bool countIncludePad, int? divisorOverride)
    {
        if (divisorOverride is int dv && dv <= 0)
        {
            throw new ArgumentException($"{op}: divisor must be not zero or negative, got {dv}");
        }
        var (planes, h, w) = PoolLayout(op, spatial, input);
        var p = new Pool2dParams(planes, h, w, k.H, k.W, s.H, s.W, pad.H, pad.W, 1, 1, ceilMode, countIncludePad, divisorOverride ?? 0);
        p.Validate(op);
        var xc = input.Compact();
        var y = Tensor.Empty(PooledShape(input, spatial, p.OutH, p.OutW), input.DType, input.Device);
        if (planes > 0)
        {
            xc.Backend.AvgPool2dForward(xc.Storage, y.Storage, p);
        }
        var inShape = input.Shape;
        return Node.Record(op, y, new[] { input }, g =>
        {
            var gc = g.Compact();
            var dx = Tensor.Empty(inShape, gc.DType, gc.Device);
            if (planes > 0)
            {
                gc.Backend.AvgPool2dBackward(gc.Storage, dx.Storage, p);
            }
            return new[] { dx };
        });
    }

    private static Tensor AdaptiveCore(string op, int spatial, Tensor input, (int H, int W) outSize)
    {
        var (planes, h, w) = PoolLayout(op, spatial, input);
        var p = new AdaptivePool2dParams(planes, h, w, outSize.H, outSize.W);
        p.Validate(op);
        var xc = input.Compact();
        var y = Tensor.Empty(PooledShape(input, spatial, outSize.H, outSize.W), input.DType, input.Device);
        if (planes > 0)
        {
            xc.Backend.AdaptiveAvgPool2dForward(xc.Storage, y.Storage, p);
        }
        var inShape = input.Shape;
        return Node.Record(op, y, new[] { input }, g =>
        {
            var gc = g.Compact();
            var dx = Tensor.Empty(inShape, gc.DType, gc.Device);
            if (planes > 0)
            {
                gc.Backend.AdaptiveAvgPool2dBackward(gc.Storage, dx.Storage, p);
            }
            return new[] { dx };
        });
    }
}
