using Engine.Autograd;
using Engine.Kernels;

namespace Engine;

public static partial class Functional
{
    /// <summary>
    /// Batch normalisation of (N, C) or (N, C, *), as torch.nn.functional.batch_norm: in training,
    /// batch statistics normalise and the running statistics (when given) are updated in place,
    /// running = (1 - momentum) * running + momentum * batch (unbiased variance); otherwise the
    /// running statistics normalise.
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, double momentum = 0.1, double eps = 1e-5)
    {
        const string op = "batch_norm";
        input.CheckFloating(op);
        if (input.Dim < 2)
        {
            throw new ArgumentException($"{op}: expected input of at least 2 dims (N, C, ...), got {Tensor.ShapeString(input.ShapeSpan)}");
        }
        int n = input.Size(0), c = input.Size(1);
        int inner = n * c == 0 ? 0 : input.NumEl / (n * c);
        CheckChannelVector(op, "weight", weight, input, c);
        CheckChannelVector(op, "bias", bias, input, c);
        CheckChannelVector(op, "running_mean", runningMean, input, c);
        CheckChannelVector(op, "running_var", runningVar, input, c);
        if ((runningMean is null) != (runningVar is null))
        {
            throw new ArgumentException($"{op}: running_mean and running_var must both be given or both be null");
        }
        if (training && (long)n * inner <= 1)
        {
            throw new ArgumentException($"{op}: expected more than 1 value per channel when training, got input size {Tensor.ShapeString(input.ShapeSpan)}");
        }
        if (!training && runningMean is null)
        {
            throw new ArgumentException($"{op}: running_mean and running_var are required when training is false");
        }
        var p = new BatchNormParams(n, c, inner, eps);
        var xc = input.Compact();
        var wc = weight?.Compact();
        var bc = bias?.Compact();
        var rm = runningMean?.Compact();
        var rv = runningVar?.Compact();
        var y = Tensor.Empty(input.ShapeSpan, input.DType, input.Device);
        var mean = Tensor.Empty(new[] { c }, input.DType, input.Device);
        var invStd = Tensor.Empty(new[] { c }, input.DType, input.Device);
        if (p.Length > 0)
        {
            xc.Backend.BatchNormForward(xc.Storage, wc?.Storage, bc?.Storage, y.Storage, mean.Storage, invStd.Storage,
                rm?.Storage, rv?.Storage, training, momentum, p);
        }
        else if (!training)
        {
            // Empty batch: nothing to normalise, but backward still needs well-defined statistics.
            mean.Fill_(0);
            invStd.Fill_(1);
        }
        if (training && runningMean is not null && p.Length > 0)
        {
            using (GradMode.NoGrad())
            {
                WriteBack(runningMean, rm!);
                WriteBack(runningVar!, rv!);
            }
        }
        var inputs = new List<Tensor>(3) { input };
        if (weight is not null)
        {
            inputs.Add(weight);
        }
        if (bias is not null)
        {
            inputs.Add(bias);
        }
        var saved = wc is null ? new[] { xc, mean, invStd } : new[] { xc, mean, invStd, wc };
        return Node.Record(op, y, inputs.ToArray(), g =>
        {
            var gc = g.Compact();
            var dx = input.RequiresGrad ? Tensor.Empty(xc.ShapeSpan, gc.DType, gc.Device) : null;
            var dw = weight is not null && weight.RequiresGrad ? Tensor.Empty(new[] { c }, gc.DType, gc.Device) : null;
            var db = bias is not null && bias.RequiresGrad ? Tensor.Empty(new[] { c }, gc.DType, gc.Device) : null;
            if (p.Length > 0)
            {
                gc.Backend.BatchNormBackward(xc.Storage, gc.Storage, wc?.Storage, mean.Storage, invStd.Storage,
                    dx?.Storage, dw?.Storage, db?.Storage, training, p);
            }
            else
            {
                dw?.Fill_(0);
                db?.Fill_(0);
            }
            var grads = new List<Tensor?>(3) { dx };
            if (weight is not null)
            {
                grads.Add(dw);
            }
            if (bias is not null)
            {
                grads.Add(db);
            }
            return grads.ToArray();
        }, saved);
    }

    /// <summary>
    /// Layer normalisation over the trailing dims given by <paramref name="normalizedShape"/>, with
    /// optional elementwise weight and bias of that shape, as torch.nn.functional.layer_norm.
    /// </summary>
    public static Tensor LayerNorm(Tensor input, int[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        const string op = "layer_norm";
        input.CheckFloating(op);
        int k = normalizedShape.Length;
        bool ok = k >= 1 && input.Dim >= k;
        for (int i = 0; ok && i < k; i++)
        {
            ok = input.Size(input.Dim - k + i) == normalizedShape[i];
        }
        if (!ok)
        {
            throw new ArgumentException($"{op}: normalized_shape {Tensor.ShapeString(normalizedShape)} does not match the trailing dims of input {Tensor.ShapeString(input.ShapeSpan)}");
        }
        foreach (var (name, t) in new[] { ("weight", weight), ("bias", bias) })
        {
            if (t is not null && !t.Shape.SequenceEqual(normalizedShape))
            {
                throw new ArgumentException($"{op}: {name} must have shape {Tensor.ShapeString(normalizedShape)}, got {Tensor.ShapeString(t.ShapeSpan)}");
            }
            if (t is not null)
            {
                Tensor.CheckSame(op, input, t);
            }
        }
        int d = ShapeUtil.Numel(normalizedShape);
        int rows = d == 0 ? 0 : input.NumEl / d;
        return RowNormCore(op, input, weight, bias, new RowNormParams(rows, 1, d, 1, eps));
    }

    /// <summary>
    /// Group normalisation of (N, C, *): channels split into <paramref name="numGroups"/> groups,
    /// each (sample, group) normalised by its own statistics, then per-channel weight and bias,
    /// as torch.nn.functional.group_norm.
    /// </summary>
    public static Tensor GroupNorm(Tensor input, int numGroups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        const string op = "group_norm";
        input.CheckFloating(op);
        if (input.Dim < 2)
        {
            throw new ArgumentException($"{op}: expected input of at least 2 dims (N, C, ...), got {Tensor.ShapeString(input.ShapeSpan)}");
        }
        int n = input.Size(0), c = input.Size(1);
        if (numGroups <= 0 || c % numGroups != 0)
        {
            throw new ArgumentException($"{op}: expected number of channels in input to be divisible by num_groups, but got input of shape {Tensor.ShapeString(input.ShapeSpan)} and num_groups={numGroups}");
        }
        CheckChannelVector(op, "weight", weight, input, c);
        CheckChannelVector(op, "bias", bias, input, c);
        // Inner must stay positive for the kernel's checks; empty inputs never reach the kernel.
        int inner = input.NumEl == 0 ? 1 : input.NumEl / (n * c);
        return RowNormCore(op, input, weight, bias, new RowNormParams(n * numGroups, numGroups, c / numGroups, inner, eps));
    }

    private static Tensor RowNormCore(string op, Tensor input, Tensor? weight, Tensor? bias, RowNormParams p)
    {
        var xc = input.Compact();
        var wc = weight?.Compact();
        var bc = bias?.Compact();
        var y = Tensor.Empty(input.ShapeSpan, input.DType, input.Device);
        var mean = Tensor.Empty(new[] { p.Rows }, input.DType, input.Device);
        var rstd = Tensor.Empty(new[] { p.Rows }, input.DType, input.Device);
        bool any = input.NumEl > 0;
        if (any)
        {
            xc.Backend.RowNormForward(xc.Storage, wc?.Storage, bc?.Storage, y.Storage, mean.Storage, rstd.Storage, p);
        }
        var inputs = new List<Tensor>(3) { input };
        if (weight is not null)
        {
            inputs.Add(weight);
        }
        if (bias is not null)
        {
            inputs.Add(bias);
        }
        var saved = wc is null ? new[] { xc, mean, rstd } : new[] { xc, mean, rstd, wc };
        return Node.Record(op, y, inputs.ToArray(), g =>
        {
            var gc = g.Compact();
            var dx = input.RequiresGrad ? Tensor.Empty(xc.ShapeSpan, gc.DType, gc.Device) : null;
            var dw = weight is not null && weight.RequiresGrad ? Tensor.Empty(weight.ShapeSpan, gc.DType, gc.Device) : null;
            var db = bias is not null && bias.RequiresGrad ? Tensor.Empty(bias.ShapeSpan, gc.DType, gc.Device) : null;
            if (any)
            {
                gc.Backend.RowNormBackward(xc.Storage, gc.Storage, wc?.Storage, mean.Storage, rstd.Storage, dx?.Storage, dw?.Storage, db?.Storage, p);
            }
            else
            {
                dw?.Fill_(0);
                db?.Fill_(0);
            }
            var grads = new List<Tensor?>(3) { dx };
            if (weight is not null)
            {
                grads.Add(dw);
            }
            if (bias is not null)
            {
                grads.Add(db);
            }
            return grads.ToArray();
        }, saved);
    }

    private static void CheckChannelVector(string op, string name, Tensor? t, Tensor input, int c)
    {
        if (t is null)
        {
            return;
        }
        Tensor.CheckSame(op, input, t);
        if (t.Dim != 1 || t.Size(0) != c)
        {
            throw new ArgumentException($"{op}: {name} must have shape [{c}] (one value per channel), got {Tensor.ShapeString(t.ShapeSpan)}");
        }
    }

    /// <summary>Copies an updated compact buffer back into its original tensor (when they differ) and marks the write.</summary>
    private static void WriteBack(Tensor original, Tensor updated)
    {
        if (!ReferenceEquals(original, updated))
        {
            original.CopyFrom_(updated);
        }
        else
        {
            original.BumpVersion();
        }
    }
}
