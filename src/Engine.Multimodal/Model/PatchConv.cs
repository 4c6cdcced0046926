using Engine.Nn;

namespace Engine.Multimodal.Model;

/// <summary>
/// 2-D convolution on channels-last input (B, H, W, C), valid padding, stride 1: the k*k shifted views are
/// concatenated along channels (an im2col built from differentiable views) and projected by a Linear, so the
/// gradient comes from autograd through narrow, cat and matmul.
/// </summary>
public sealed class Conv2dNhwc : Module<Tensor, Tensor>
{
    private readonly Linear _proj;

    /// <summary>Creates the layer.</summary>
    public Conv2dNhwc(int inChannels, int outChannels, int kernel, Generator? generator = null)
    {
        InChannels = inChannels;
        Kernel = kernel;
        _proj = RegisterModule("proj", new Linear(kernel * kernel * inChannels, outChannels, generator: generator));
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Kernel size.</summary>
    public int Kernel { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        if (input.Dim != 4 || input.Size(3) != InChannels)
        {
            throw new ArgumentException($"Conv2dNhwc: expected input (B, H, W, {InChannels}), got [{string.Join(", ", input.Shape)}]");
        }
        int ho = input.Size(1) - Kernel + 1, wo = input.Size(2) - Kernel + 1;
        if (ho <= 0 || wo <= 0)
        {
            throw new ArgumentException($"Conv2dNhwc: input {input.Size(1)}x{input.Size(2)} is smaller than the {Kernel}x{Kernel} kernel");
        }
        if (PatchOps.Supported(input))
        {
            // One patch matrix (B * Ho * Wo, k * k * C) and one 2-D product: the weight's gradient is then a single
            // GEMM rather than a batch of small ones summed afterwards.
            var cols = PatchOps.Im2Col2d(input, Kernel);
            return PatchOps.Project(_proj, cols).View(input.Size(0), ho, wo, -1);
        }
        var views = new List<Tensor>(Kernel * Kernel);
        for (int dy = 0; dy < Kernel; dy++)
        {
            for (int dx = 0; dx < Kernel; dx++)
            {
                views.Add(input.Narrow(1, dy, ho).Narrow(2, dx, wo));
            }
        }
        return _proj.Forward(Tensor.Cat(views, 3));
    }
}

/// <summary>1-D convolution over time on (B, T, C) input, valid padding, stride 1, built like <see cref="Conv2dNhwc"/>.</summary>
public sealed class Conv1dTime : Module<Tensor, Tensor>
{
    private readonly Linear _proj;

    /// <summary>Creates the layer.</summary>
    public Conv1dTime(int inChannels, int outChannels, int kernel, Generator? generator = null)
    {
        InChannels = inChannels;
        Kernel = kernel;
        _proj = RegisterModule("proj", new Linear(kernel * inChannels, outChannels, generator: generator));
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Kernel size.</summary>
    public int Kernel { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        if (input.Dim != 3 || input.Size(2) != InChannels)
        {
            throw new ArgumentException($"Conv1dTime: expected input (B, T, {InChannels}), got [{string.Join(", ", input.Shape)}]");
        }
        int to = input.Size(1) - Kernel + 1;
        if (to <= 0)
        {
            throw new ArgumentException($"Conv1dTime: {input.Size(1)} frames are fewer than the kernel size {Kernel}");
        }
        if (PatchOps.Supported(input))
        {
            var cols = PatchOps.Im2Col1d(input, Kernel);
            return PatchOps.Project(_proj, cols).View(input.Size(0), to, -1);
        }
        var views = new List<Tensor>(Kernel);
        for (int k = 0; k < Kernel; k++)
        {
            views.Add(input.Narrow(1, k, to));
        }
        return _proj.Forward(Tensor.Cat(views, 2));
    }
}

/// <summary>Max pooling with window 2 and stride 2 from strided views (odd trailing rows/columns are dropped).</summary>
public static class Pool
{
    /// <summary>(B, H, W, C) to (B, H/2, W/2, C).</summary>
    public static Tensor MaxPool2x2(Tensor x)
    {
        int h2 = x.Size(1) / 2 * 2, w2 = x.Size(2) / 2 * 2;
        var a = x.Slice(1, 0, h2, 2);
        var b = x.Slice(1, 1, h2, 2);
        var m = a.Slice(2, 0, w2, 2).Maximum(a.Slice(2, 1, w2, 2));
        return m.Maximum(b.Slice(2, 0, w2, 2).Maximum(b.Slice(2, 1, w2, 2)));
    }

    /// <summary>max_pool2x2(relu(x)) for (B, H, W, C): one fused op on the CPU, relu then <see cref="MaxPool2x2"/> elsewhere.</summary>
    public static Tensor ReluMaxPool2x2(Tensor x) => PatchOps.Supported(x) ? PatchOps.ReluMaxPool(x, twoD: true) : MaxPool2x2(x.Relu());

    /// <summary>max_pool1d(relu(x), 2) for (B, T, C): one fused op on the CPU, relu then <see cref="MaxPool1d2"/> elsewhere.</summary>
    public static Tensor ReluMaxPool1d2(Tensor x) => PatchOps.Supported(x) ? PatchOps.ReluMaxPool(x, twoD: false) : MaxPool1d2(x.Relu());

    /// <summary>(B, T, C) to (B, T/2, C).</summary>
    public static Tensor MaxPool1d2(Tensor x)
    {
        int t2 = x.Size(1) / 2 * 2;
        return x.Slice(1, 0, t2, 2).Maximum(x.Slice(1, 1, t2, 2));
    }
}
