using Engine.Autograd;

namespace Engine.Nn.Optim;

/// <summary>Gradient clipping (torch.nn.utils.clip_grad_norm_).</summary>
public static class ClipGrad
{
    /// <summary>
    /// Scales all gradients together so their joint p-norm is at most <paramref name="maxNorm"/>
    /// (factor maxNorm / (norm + 1e-6) when below 1); returns the norm before clipping.
    /// <paramref name="normType"/> may be <see cref="double.PositiveInfinity"/>.
    /// </summary>
    public static double ClipGradNorm_(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2)
    {
        var grads = parameters.Where(p => p.Grad is not null).Select(p => p.Grad!).ToList();
        if (grads.Count == 0)
        {
            return 0;
        }
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        // One reduction per gradient, stacked and reduced on the first gradient's device (others' norms are moved there),
        // so a GPU is read back once, not once per tensor.
        var home = grads[0].Device;
        double total;
        if (double.IsPositiveInfinity(normType))
        {
            total = Tensor.Stack(grads.Select(g => g.Abs().Max().To(DType.Float64).To(home)).ToArray()).Max().Item();
        }
        else
        {
            double sum = Tensor.Stack(grads.Select(g => g.Abs().Pow(normType).Sum().To(DType.Float64).To(home)).ToArray()).Sum().Item();
            total = Math.Pow(sum, 1 / normType);
        }
        if (double.IsNaN(total) || double.IsInfinity(total))
        {
            throw new InvalidOperationException($"clip_grad_norm_: the total norm of order {normType} of the gradients is {total}");
        }
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1)
        {
            foreach (var g in grads)
            {
                g.MulInPlace(coef);
            }
        }
        return total;
    }
}
