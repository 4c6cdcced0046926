using Engine.Autograd;

namespace Engine;

public static partial class Functional
{
    /// <summary>
    /// Dropout, as torch.nn.functional.dropout: in training, zeroes each element with probability
    /// <paramref name="p"/> (drawn from <paramref name="generator"/>, or <see cref="Generator.Default"/>)
    /// and scales the rest by 1 / (1 - p); otherwise returns the input.
    /// </summary>
    public static Tensor Dropout(Tensor input, double p = 0.5, bool training = true, Generator? generator = null)
        => DropoutCore("dropout", input, p, training, generator, input.ShapeSpan);

    /// <summary>
    /// Channel dropout of (N, C, H, W) or (C, H, W), as torch.nn.functional.dropout2d: whole
    /// channels are zeroed with probability <paramref name="p"/> and the rest scaled by 1 / (1 - p).
    /// </summary>
    public static Tensor Dropout2d(Tensor input, double p = 0.5, bool training = true, Generator? generator = null)
    {
        if (input.Dim != 3 && input.Dim != 4)
        {
            throw new ArgumentException($"dropout2d: expected 3-D or 4-D input, got {Tensor.ShapeString(input.ShapeSpan)}");
        }
        var maskShape = input.Shape;
        maskShape[^1] = 1;
        maskShape[^2] = 1;
        return DropoutCore("dropout2d", input, p, training, generator, maskShape);
    }

    private static Tensor DropoutCore(string op, Tensor input, double p, bool training, Generator? generator, ReadOnlySpan<int> maskShape)
    {
        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentException($"{op}: dropout probability has to be between 0 and 1, but got {p}");
        }
        input.CheckFloating(op);
        if (!training || p == 0)
        {
            return input;
        }
        Tensor mask;
        using (GradMode.NoGrad())
        {
            mask = p == 1
                ? Tensor.Zeros(maskShape, input.DType, input.Device)
                : KeepMask(maskShape, p, generator ?? Generator.Default, input.DType, input.Device);
        }
        return input * mask;
    }

    // The scaled keep-mask, made on the host where the uniforms are drawn and copied to the device once: element i
    // keeps (1 / (1 - p)) when its uniform, rounded to the dtype as Tensor.Rand rounds it, is below 1 - p in that
    // dtype, else 0. The same values as Rand(shape).Lt(1 - p).To(dtype) * (1 / (1 - p)), without its four launches.
    private static Tensor KeepMask(ReadOnlySpan<int> shape, double p, Generator g, DType dtype, Device device)
    {
        var v = new double[ShapeUtil.Numel(shape)];
        double scale = 1 / (1 - p);
        if (dtype == DType.Float32)
        {
            float keep = (float)(1 - p);
            for (int i = 0; i < v.Length; i++)
            {
                v[i] = (float)g.NextDouble() < keep ? scale : 0;
            }
        }
        else
        {
            double keep = 1 - p;
            for (int i = 0; i < v.Length; i++)
            {
                v[i] = g.NextDouble() < keep ? scale : 0;
            }
        }
        return Tensor.FromDoubles(v, shape.ToArray(), dtype, device);
    }
}
