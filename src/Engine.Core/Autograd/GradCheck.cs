namespace Engine.Autograd;

/// <summary>
/// Checks analytic gradients against central finite differences in float64, like
/// torch.autograd.gradcheck: every Jacobian entry (or, for large outputs, several random
/// projections of it) must satisfy |analytic - numeric| &lt;= atol + rtol * |numeric|.
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// Returns true when the gradients of <paramref name="f"/> match; otherwise throws (or returns
    /// false when <paramref name="raiseException"/> is off) with the first mismatch. Inputs must be
    /// float64 CPU tensors; those with RequiresGrad set are checked.
    /// </summary>
    public static bool Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3,
        bool raiseException = true, int maxFullOutputs = 64)
    {
        foreach (var t in inputs)
        {
            if (t.DType != DType.Float64 || t.Device.Kind != DeviceKind.Cpu)
            {
                throw new ArgumentException($"gradcheck: inputs must be float64 CPU tensors, got {t.DType} on {t.Device}");
            }
        }
        Tensor y0;
        using (GradMode.NoGrad())
        {
            y0 = f(inputs);
        }
        int outN = y0.NumEl;
        var rng = new Generator(1234);
        var projections = new List<double[]>();
        if (outN <= maxFullOutputs)
        {
            for (int j = 0; j < outN; j++)
            {
                var v = new double[outN];
                v[j] = 1;
                projections.Add(v);
            }
        }
        else
        {
            for (int p = 0; p < 3; p++)
            {
                projections.Add(Enumerable.Range(0, outN).Select(_ => rng.NextNormal()).ToArray());
            }
        }

        foreach (var v in projections)
        {
            // Analytic: one backward pass with gradient v.
            foreach (var t in inputs)
            {
                t.Grad = null;
            }
            var y = f(inputs);
            if (!y.RequiresGrad)
            {
                return Fail("gradcheck: the output does not require grad (no input requiring grad reaches it)", raiseException);
            }
            // FromArray reads an empty shape as 1-D, so a 0-d output needs its seed reshaped.
            y.Backward(Tensor.FromArray(v, y.Dim == 0 ? [1] : y.Shape).Reshape(y.Shape));

            for (int ii = 0; ii < inputs.Length; ii++)
            {
                var x = inputs[ii];
                if (!x.RequiresGrad)
                {
                    continue;
                }
                var analytic = x.Grad?.ToDoubleArray() ?? new double[x.NumEl];
                var data = ((CpuStorage<double>)x.Storage).Array;
                var positions = ElementPositions(x);
                for (int e = 0; e < positions.Length; e++)
                {
                    int pos = positions[e];
                    double orig = data[pos];
                    double plus, minus;
                    using (GradMode.NoGrad())
                    {
                        data[pos] = orig + eps;
                        plus = Dot(f(inputs).ToDoubleArray(), v);
                        data[pos] = orig - eps;
                        minus = Dot(f(inputs).ToDoubleArray(), v);
                        data[pos] = orig;
                    }
                    double numeric = (plus - minus) / (2 * eps);
                    if (Math.Abs(analytic[e] - numeric) > atol + rtol * Math.Abs(numeric) || double.IsNaN(analytic[e]) != double.IsNaN(numeric))
                    {
                        return Fail($"gradcheck: mismatch for input {ii} (shape {Tensor.ShapeString(x.ShapeSpan)}) at element {e}: analytic {analytic[e]:G10}, numeric {numeric:G10}", raiseException);
                    }
                }
            }
        }
        foreach (var t in inputs)
        {
            t.Grad = null;
        }
        return true;
    }

    private static int[] ElementPositions(Tensor x)
    {
        var pos = new int[x.NumEl];
        var shape = x.ShapeSpan;
        var strides = x.StridesSpan;
        for (int flat = 0; flat < pos.Length; flat++)
        {
            int rem = flat, off = x.Offset;
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                off += rem % shape[d] * strides[d];
                rem /= shape[d];
            }
            pos[flat] = off;
        }
        return pos;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }
        return s;
    }

    private static bool Fail(string message, bool raise) => raise ? throw new GradCheckException(message) : false;
}

/// <summary>Thrown by <see cref="GradCheck.Check"/> when gradients disagree.</summary>
public sealed class GradCheckException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GradCheckException(string message) : base(message)
    {
    }
}
