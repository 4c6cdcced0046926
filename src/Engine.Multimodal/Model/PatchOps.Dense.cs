using Engine.Autograd;
using Engine.Backends;
using Engine.Nn;

namespace Engine.Multimodal.Model;

public static partial class PatchOps
{
    /// <summary>
    /// <paramref name="layer"/> applied to <paramref name="input"/> (any leading dims) through the fastest CPU path:
    /// <see cref="NarrowLinear"/> for few input features, else <see cref="Dense"/>; the layer's own forward on
    /// other devices and dtypes.
    /// </summary>
    public static Tensor Project(Linear layer, Tensor input)
    {
        if (!Supported(input) || input.Dim < 1 || input.Size(-1) != layer.InFeatures || input.NumEl == 0)
        {
            return layer.Forward(input);
        }
        var x = input.Dim == 2 ? input : input.Reshape(-1, layer.InFeatures);
        var y = NarrowLinearSupported(x, layer.Weight) ? NarrowLinear(x, layer.Weight, layer.Bias) : Dense(x, layer.Weight, layer.Bias);
        if (input.Dim == 2)
        {
            return y;
        }
        var shape = input.Shape;
        shape[^1] = layer.OutFeatures;
        return y.View(shape);
    }

    /// <summary>
    /// y = x @ weight.T + bias for a 2-D CPU input as one node: the bias is written into the output and the product
    /// accumulated onto it by one GEMM, and the backward is one GEMM per gradient (dx = g @ W, dW = g.T @ x, read
    /// through strides) plus a column sum for the bias, instead of transpose, matmul and broadcast-add nodes with
    /// their own backward copies and reductions. Same values as <see cref="Tensor.Linear"/> up to float rounding.
    /// </summary>
    public static Tensor Dense(Tensor input, Tensor weight, Tensor? bias)
    {
        if (!Supported(input) || input.Dim != 2 || weight.Dim != 2 || weight.DType != input.DType || weight.Device.Kind != DeviceKind.Cpu
            || weight.Size(1) != input.Size(1) || (bias is not null && (bias.NumEl != weight.Size(0) || bias.DType != input.DType)))
        {
            throw new ArgumentException($"Dense: needs a 2-D CPU float input, an (N, K) weight and an N-element bias of its dtype; got {Dims(input)}, {Dims(weight)} and {(bias is null ? "no bias" : Dims(bias))}");
        }
        var x = input.Contiguous();
        var w = weight.Contiguous();
        int r = x.Size(0), k = x.Size(1), n = w.Size(0);
        var y = bias is null && k == 0 ? Tensor.Zeros(new[] { r, n }, x.DType, x.Device) : Tensor.Empty(new[] { r, n }, x.DType, x.Device);
        if (bias is not null)
        {
            if (x.DType == DType.Float32)
            {
                FillRows<float>(y, bias.Contiguous(), r, n);
            }
            else
            {
                FillRows<double>(y, bias.Contiguous(), r, n);
            }
        }
        var backend = x.Device.Backend;
        if (r > 0 && n > 0 && k > 0)
        {
            backend.MatMul(new Operand(x.Storage, x.Offset, new[] { 0, k, 1 }), new Operand(w.Storage, w.Offset, new[] { 0, 1, k }), y.Storage, 1, r, n, k, bias is not null);
        }
        var inputs = bias is null ? new[] { x, w } : new[] { x, w, bias };
        bool needX = x.RequiresGrad, needW = w.RequiresGrad, needB = bias is not null && bias.RequiresGrad;
        return Node.Record("dense", y, inputs, g =>
        {
            var gc = g.Contiguous();
            var grads = new Tensor?[inputs.Length];
            if (needX)
            {
                var gx = Tensor.Empty(new[] { r, k }, gc.DType, gc.Device);
                backend.MatMul(new Operand(gc.Storage, gc.Offset, new[] { 0, n, 1 }), new Operand(w.Storage, w.Offset, new[] { 0, k, 1 }), gx.Storage, 1, r, k, n, false);
                grads[0] = gx;
            }
            if (needW)
            {
                var gw = Tensor.Empty(new[] { n, k }, gc.DType, gc.Device);
                backend.MatMul(new Operand(gc.Storage, gc.Offset, new[] { 0, 1, n }), new Operand(x.Storage, x.Offset, new[] { 0, k, 1 }), gw.Storage, 1, n, k, r, false);
                grads[1] = gw;
            }
            if (needB)
            {
                grads[2] = gc.Sum(0).View(bias!.Shape);
            }
            return grads;
        }, x, w);
    }

    private static void FillRows<T>(Tensor y, Tensor bias, int r, int n) where T : unmanaged
    {
        var b = ((CpuStorage<T>)bias.Storage).Span.Slice(bias.Offset, n);
        var dst = ((CpuStorage<T>)y.Storage).Span;
        for (int i = 0; i < r; i++)
        {
            b.CopyTo(dst.Slice(i * n, n));
        }
    }
}
