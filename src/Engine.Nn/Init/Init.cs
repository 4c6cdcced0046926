using Engine.Autograd;

namespace Engine.Nn;

/// <summary>How kaiming initialisation picks its fan.</summary>
public enum FanMode
{
    /// <summary>Preserve the variance of the forward pass.</summary>
    FanIn,

    /// <summary>Preserve the variance of the backward pass.</summary>
    FanOut,
}

/// <summary>
/// In-place parameter initialisers with torch.nn.init's formulas (the random streams differ:
/// they come from <see cref="Generator"/>). Each returns the tensor it filled.
/// </summary>
public static class Init
{
    /// <summary>fan_in and fan_out of a weight: dims 1 and 0 times the receptive field (dims 2...).</summary>
    public static (int FanIn, int FanOut) CalculateFanInAndFanOut(Tensor t)
    {
        if (t.Dim < 2)
        {
            throw new ArgumentException($"init: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape {Shapes.Str(t.Shape)})");
        }
        int receptive = 1;
        for (int i = 2; i < t.Dim; i++)
        {
            receptive *= t.Size(i);
        }
        return (t.Size(1) * receptive, t.Size(0) * receptive);
    }

    /// <summary>The recommended gain for a nonlinearity (torch.nn.init.calculate_gain).</summary>
    public static double CalculateGain(string nonlinearity, double? param = null) => nonlinearity switch
    {
        "linear" or "conv1d" or "conv2d" or "conv3d" or "sigmoid" => 1.0,
        "tanh" => 5.0 / 3,
        "relu" => Math.Sqrt(2.0),
        "leaky_relu" => Math.Sqrt(2.0 / (1 + Math.Pow(param ?? 0.01, 2))),
        "selu" => 3.0 / 4,
        _ => throw new ArgumentException($"calculate_gain: unsupported nonlinearity '{nonlinearity}'"),
    };

    private static Tensor Fill(Tensor t, Func<double> sample)
    {
        var v = new double[t.NumEl];
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = sample();
        }
        return Set(t, v);
    }

    private static Tensor Set(Tensor t, double[] v)
    {
        using var outside = TensorScopeOutside.Begin();
        using var noGrad = GradMode.NoGrad();
        var src = Tensor.FromArray(v, t.Shape).To(t.DType);
        t.CopyFrom_(src.To(t.Device));
        return t;
    }

    /// <summary>Fills with samples from U(low, high).</summary>
    public static Tensor Uniform_(Tensor t, double low = 0, double high = 1, Generator? generator = null)
    {
        var g = generator ?? Generator.Default;
        return Fill(t, () => low + (high - low) * g.NextDouble());
    }

    /// <summary>Fills with samples from N(mean, std^2).</summary>
    public static Tensor Normal_(Tensor t, double mean = 0, double std = 1, Generator? generator = null)
    {
        var g = generator ?? Generator.Default;
        return Fill(t, () => mean + std * g.NextNormal());
    }

    /// <summary>Fills with a constant.</summary>
    public static Tensor Constant_(Tensor t, double value)
    {
        using var noGrad = GradMode.NoGrad();
        return t.Fill_(value);
    }

    /// <summary>Fills with zeros.</summary>
    public static Tensor Zeros_(Tensor t) => Constant_(t, 0);

    /// <summary>Fills with ones.</summary>
    public static Tensor Ones_(Tensor t) => Constant_(t, 1);

    /// <summary>Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).</summary>
    public static Tensor XavierUniform_(Tensor t, double gain = 1, Generator? generator = null)
    {
        var (fi, fo) = CalculateFanInAndFanOut(t);
        double a = gain * Math.Sqrt(6.0 / (fi + fo));
        return Uniform_(t, -a, a, generator);
    }

    /// <summary>Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).</summary>
    public static Tensor XavierNormal_(Tensor t, double gain = 1, Generator? generator = null)
    {
        var (fi, fo) = CalculateFanInAndFanOut(t);
        return Normal_(t, 0, gain * Math.Sqrt(2.0 / (fi + fo)), generator);
    }

    private static double KaimingStd(Tensor t, double a, FanMode mode, string nonlinearity)
    {
        var (fi, fo) = CalculateFanInAndFanOut(t);
        int fan = mode == FanMode.FanIn ? fi : fo;
        return CalculateGain(nonlinearity, a) / Math.Sqrt(fan);
    }

    /// <summary>He uniform: U(-b, b) with b = gain * sqrt(3 / fan) (torch.nn.init.kaiming_uniform_).</summary>
    public static Tensor KaimingUniform_(Tensor t, double a = 0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        double bound = Math.Sqrt(3.0) * KaimingStd(t, a, mode, nonlinearity);
        return Uniform_(t, -bound, bound, generator);
    }

    /// <summary>He normal: N(0, std^2) with std = gain / sqrt(fan) (torch.nn.init.kaiming_normal_).</summary>
    public static Tensor KaimingNormal_(Tensor t, double a = 0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu", Generator? generator = null)
        => Normal_(t, 0, KaimingStd(t, a, mode, nonlinearity), generator);

    /// <summary>
    /// A (semi-)orthogonal matrix times <paramref name="gain"/>: the Q of a QR decomposition of a
    /// Gaussian matrix, with signs fixed so R has a positive diagonal (torch.nn.init.orthogonal_).
    /// Dims beyond the first are flattened.
    /// </summary>
    public static Tensor Orthogonal_(Tensor t, double gain = 1, Generator? generator = null)
    {
        if (t.Dim < 2)
        {
            throw new ArgumentException($"orthogonal_: only tensors with 2 or more dimensions are supported, got shape {Shapes.Str(t.Shape)}");
        }
        var g = generator ?? Generator.Default;
        int rows = t.Size(0), cols = t.NumEl / Math.Max(rows, 1);
        bool transpose = rows < cols;
        int m = transpose ? cols : rows, n = transpose ? rows : cols; // m >= n; orthonormal columns
        var a = new double[m, n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                a[i, j] = g.NextNormal();
            }
        }
        // Modified Gram-Schmidt: Q's columns with R's diagonal positive, which is torch's q * sign(diag(r)).
        for (int j = 0; j < n; j++)
        {
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int i = 0; i < m; i++)
                {
                    dot += a[i, k] * a[i, j];
                }
                for (int i = 0; i < m; i++)
                {
                    a[i, j] -= dot * a[i, k];
                }
            }
            double norm = 0;
            for (int i = 0; i < m; i++)
            {
                norm += a[i, j] * a[i, j];
            }
            norm = Math.Sqrt(norm);
            for (int i = 0; i < m; i++)
            {
                a[i, j] /= norm;
            }
        }
        var v = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                v[r * cols + c] = gain * (transpose ? a[c, r] : a[r, c]);
            }
        }
        return Set(t, v);
    }
}
