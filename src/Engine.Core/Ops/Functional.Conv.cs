using Engine.Autograd;
using Engine.Kernels;

namespace Engine;

public static partial class Functional
{
    /// <summary>
    /// 2-D convolution (cross-correlation) of input (N, C, H, W) or (C, H, W) with weight
    /// (OC, C / groups, KH, KW), plus bias (OC), as torch.nn.functional.conv2d.
    /// </summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
        => Conv2d(input, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

    /// <summary>2-D convolution with separate (height, width) stride, padding and dilation.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups = 1)
        => ConvCore("conv2d", 2, input, weight, bias, stride, (padding.H, padding.W, padding.H, padding.W), dilation, groups);

    /// <summary>2-D convolution with padding "valid" (none) or "same" (output size = input size; stride must be 1).</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, string padding, int stride = 1, int dilation = 1, int groups = 1)
        => Conv2d(input, weight, bias, padding, (stride, stride), (dilation, dilation), groups);

    /// <summary>2-D convolution with string padding and separate (height, width) stride and dilation.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, string padding, (int H, int W) stride, (int H, int W) dilation, int groups = 1)
    {
        var (kh, kw) = weight.Dim == 4 ? (weight.Size(2), weight.Size(3)) : (1, 1);
        var (t, b) = StringPadding("conv2d", padding, kh, dilation.H, stride.H);
        var (l, r) = StringPadding("conv2d", padding, kw, dilation.W, stride.W);
        return ConvCore("conv2d", 2, input, weight, bias, stride, (t, l, b, r), dilation, groups);
    }

    /// <summary>
    /// 1-D convolution of input (N, C, L) or (C, L) with weight (OC, C / groups, K), plus bias (OC),
    /// as torch.nn.functional.conv1d.
    /// </summary>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
        => ConvCore("conv1d", 1, input, weight, bias, (1, stride), (0, padding, 0, padding), (1, dilation), groups);

    /// <summary>1-D convolution with padding "valid" or "same" (stride must be 1 for "same").</summary>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias, string padding, int stride = 1, int dilation = 1, int groups = 1)
    {
        int k = weight.Dim == 3 ? weight.Size(2) : 1;
        var (l, r) = StringPadding("conv1d", padding, k, dilation, stride);
        return ConvCore("conv1d", 1, input, weight, bias, (1, stride), (0, l, 0, r), (1, dilation), groups);
    }

    private static (int Before, int After) StringPadding(string op, string padding, int kernel, int dilation, int stride)
    {
        switch (padding)
        {
            case "valid":
                return (0, 0);
            case "same":
                if (stride != 1)
                {
                    throw new ArgumentException($"{op}: padding='same' is not supported for strided convolutions (stride {stride})");
                }
                // PyTorch puts the odd extra element after (bottom/right).
                int total = dilation * (kernel - 1);
                return (total / 2, total - total / 2);
            default:
                throw new ArgumentException($"{op}: invalid padding string '{padding}', should be 'valid' or 'same'");
        }
    }

    private static Tensor ConvCore(string op, int spatial, Tensor input, Tensor weight, Tensor? bias,
        (int H, int W) stride, (int Top, int Left, int Bottom, int Right) pad, (int H, int W) dilation, int groups)
    {
        Tensor.CheckSame(op, input, weight);
        input.CheckFloating(op);
        if (bias is not null)
        {
            Tensor.CheckSame(op, input, bias);
        }
        if (weight.Dim != spatial + 2)
        {
            throw new ArgumentException($"{op}: weight must be {spatial + 2}-D (out_channels, in_channels / groups, kernel...), got {Tensor.ShapeString(weight.ShapeSpan)}");
        }
        bool unbatched = input.Dim == spatial + 1;
        if (!unbatched && input.Dim != spatial + 2)
        {
            throw new ArgumentException($"{op}: expected {spatial + 1}-D (unbatched) or {spatial + 2}-D (batched) input, got {Tensor.ShapeString(input.ShapeSpan)}");
        }
        if (groups <= 0)
        {
            throw new ArgumentException($"{op}: groups must be positive, got {groups}");
        }
        var x = unbatched ? input.Unsqueeze(0) : input;
        int n = x.Size(0), c = x.Size(1), oc = weight.Size(0), cg = weight.Size(1);
        if (c != cg * groups)
        {
            throw new ArgumentException($"{op}: input has {c} channels, weight {Tensor.ShapeString(weight.ShapeSpan)} with groups={groups} expects {cg * groups}");
        }
        if (oc % groups != 0)
        {
            throw new ArgumentException($"{op}: out_channels ({oc}) must be divisible by groups ({groups})");
        }
        if (bias is not null && (bias.Dim != 1 || bias.Size(0) != oc))
        {
            throw new ArgumentException($"{op}: bias must have shape [{oc}], got {Tensor.ShapeString(bias.ShapeSpan)}");
        }
        int h = spatial == 2 ? x.Size(2) : 1, w = x.Size(-1);
        int kh = spatial == 2 ? weight.Size(2) : 1, kw = weight.Size(-1);
        var p = new Conv2dParams(n, c, h, w, oc, kh, kw, stride.H, stride.W, pad.Top, pad.Left, pad.Bottom, pad.Right, dilation.H, dilation.W, groups);
        p.Validate(op);

        var xc = x.Compact();
        var wc = weight.Compact();
        var bc = bias?.Compact();
        int oh = p.OutH, ow = p.OutW;
        int[] outShape = spatial == 2 ? new[] { n, oc, oh, ow } : new[] { n, oc, ow };
        var y = Tensor.Empty(outShape, input.DType, input.Device);
        if (y.NumEl > 0)
        {
            xc.Backend.Conv2dForward(xc.Storage, wc.Storage, bc?.Storage, y.Storage, p);
        }
        var result = unbatched ? y.Squeeze(0) : y;
        var inputs = bias is null ? new[] { input, weight } : new[] { input, weight, bias };
        var saved = new[] { xc, wc };
        return Node.Record(op, result, inputs, g =>
        {
            var gc = (unbatched ? g.Unsqueeze(0) : g).Compact();
            var be = gc.Backend;
            Tensor? dx = null, dw = null, db = null;
            if (input.RequiresGrad)
            {
                dx = Tensor.Empty(xc.ShapeSpan, gc.DType, gc.Device);
                if (n > 0)
                {
                    be.Conv2dBackwardInput(gc.Storage, wc.Storage, dx.Storage, p);
                }
                if (unbatched)
                {
                    dx = dx.Squeeze(0);
                }
            }
            if (weight.RequiresGrad)
            {
                dw = Tensor.Empty(wc.ShapeSpan, gc.DType, gc.Device);
                be.Conv2dBackwardWeight(xc.Storage, gc.Storage, dw.Storage, p);
            }
            if (bias is not null && bias.RequiresGrad)
            {
                db = Tensor.Empty(new[] { oc }, gc.DType, gc.Device);
                be.Conv2dBackwardBias(gc.Storage, db.Storage, p);
            }
            return bias is null ? new[] { dx, dw } : new[] { dx, dw, db };
        }, saved);
    }
}
