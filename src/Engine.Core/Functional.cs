namespace Engine;

/// <summary>
/// Stateless neural-network functions in the spirit of torch.nn.functional: losses, activations,
/// softmax. Everything here is composed from differentiable tensor ops, so it runs on any device
/// and its gradient comes from autograd.
/// </summary>
public static partial class Functional
{
    /// <summary>How a per-element loss is reduced.</summary>
    public enum Reduction
    {
        /// <summary>Average over elements (the default).</summary>
        Mean,

        /// <summary>Sum over elements.</summary>
        Sum,

        /// <summary>No reduction: one loss per element.</summary>
        None,
    }

    private static Tensor Reduce(Tensor loss, Reduction reduction) => reduction switch
    {
        Reduction.Mean => loss.Mean(),
        Reduction.Sum => loss.Sum(),
        _ => loss,
    };

    /// <summary>
    /// Cross-entropy between logits (N, C) or (N, C, d1, ...) and class indices (N) or (N, d1, ...)
    /// (Int64), with optional label smoothing and an ignored class index, as torch.nn.functional.cross_entropy.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, double labelSmoothing = 0, Reduction reduction = Reduction.Mean, long ignoreIndex = -100)
    {
        if (labelSmoothing < 0 || labelSmoothing > 1)
        {
            throw new ArgumentException($"cross_entropy: label_smoothing must be between 0.0 and 1.0, got {labelSmoothing}");
        }
        var logp = LogSoftmaxClassDim(logits, "cross_entropy");
        return NllCore(logp, target, labelSmoothing, reduction, ignoreIndex, "cross_entropy");
    }

    /// <summary>Negative log-likelihood of log-probabilities (N, C[, d...]) at class indices (N[, d...]).</summary>
    public static Tensor NllLoss(Tensor logProbs, Tensor target, Reduction reduction = Reduction.Mean, long ignoreIndex = -100)
        => NllCore(logProbs, target, 0, reduction, ignoreIndex, "nll_loss");

    private static Tensor LogSoftmaxClassDim(Tensor logits, string op)
    {
        if (logits.Dim == 0)
        {
            throw new ArgumentException($"{op}: logits must have at least 1 dimension (the classes)");
        }
        return logits.LogSoftmax(logits.Dim == 1 ? 0 : 1);
    }

    private static Tensor NllCore(Tensor logp, Tensor target, double smoothing, Reduction reduction, long ignoreIndex, string op)
    {
        if (target.DType != DType.Int64)
        {
            throw new ArgumentException($"{op}: target must hold class indices as Int64, got {target.DType} (for class probabilities use a soft-target loss)");
        }
        bool unbatched = logp.Dim == 1;
        if (unbatched)
        {
            logp = logp.Unsqueeze(0);
            target = target.Reshape(1);
        }
        int classes = logp.Size(1);
        // Move classes last and flatten: (M, C) against (M).
        // (N, C, d1, ..., dk) -> (N, d1, ..., dk, C): a permute keeps the d's in target order (a transpose would swap d1 and dk).
        var lp = logp.Dim == 2 ? logp : logp.Permute([0, .. Enumerable.Range(2, logp.Dim - 2), 1]).Reshape(-1, classes);
        var expectedTarget = logp.Shape.Where((_, i) => i != 1).ToArray();
        if (!target.Shape.SequenceEqual(expectedTarget))
        {
            throw new ArgumentException($"{op}: target shape {Tensor.ShapeString(target.ShapeSpan)} does not match input shape {Tensor.ShapeString(logp.ShapeSpan)} (expected {Tensor.ShapeString(expectedTarget)})");
        }
        var t = target.Reshape(-1);
        var labels = t.ToArray<long>();
        bool anyIgnored = false;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] == ignoreIndex)
            {
                anyIgnored = true;
                labels[i] = 0;
            }
            else if (labels[i] < 0 || labels[i] >= classes)
            {
                throw new ArgumentException($"{op}: target {labels[i]} at position {i} is out of bounds for {classes} classes");
            }
        }
        var safeTarget = Tensor.FromArray(labels, new[] { labels.Length, 1 }, lp.Device);
        var picked = lp.Gather(1, safeTarget).Squeeze(1);
        var loss = -picked;
        if (smoothing > 0)
        {
            loss = loss * (1 - smoothing) - lp.Mean(1) * smoothing;
        }
        Tensor? weight = null;
        if (anyIgnored)
        {
            weight = t.Ne(ignoreIndex).To(lp.DType);
            loss = loss * weight;
        }
        if (reduction == Reduction.None)
        {
            return unbatched ? loss.Reshape() : loss.Reshape(expectedTarget);
        }
        if (reduction == Reduction.Sum)
        {
            return loss.Sum();
        }
        if (weight is null)
        {
            return loss.Mean();
        }
        // Every target ignored: the mean is 0/0 = NaN as in PyTorch, but with a zero gradient (not NaN),
        // so a fully padded batch does not poison the parameters.
        double kept = weight.Sum().Item();
        return kept > 0 ? loss.Sum() / kept : loss.Sum() * 0.0 + double.NaN;
    }

    /// <summary>Mean squared error between input and target (same shape, or broadcastable).</summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        var d = input - target;
        return Reduce(d * d, reduction);
    }

    /// <summary>
    /// Binary cross-entropy on logits, stable for large |x|: (1 - y) x + w softplus(-x) with
    /// w = 1 + (posWeight - 1) y, as torch.nn.functional.binary_cross_entropy_with_logits.
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor? posWeight = null, Reduction reduction = Reduction.Mean)
    {
        if (!logits.Shape.SequenceEqual(target.Shape))
        {
            throw new ArgumentException($"binary_cross_entropy_with_logits: target size {Tensor.ShapeString(target.ShapeSpan)} must be the same as input size {Tensor.ShapeString(logits.ShapeSpan)}");
        }
        var sp = (-logits).Softplus();
        var loss = posWeight is null
            ? (1.0 - target) * logits + sp
            : (1.0 - target) * logits + (1.0 + (posWeight - 1.0) * target) * sp;
        return Reduce(loss, reduction);
    }
}
