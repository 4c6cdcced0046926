using System.Numerics;

namespace Engine.Vision.AvMnist;

/// <summary>Principal component analysis fitted on the rows of a (samples, features) matrix.</summary>
/// <remarks>
/// The covariance (divided by samples - 1, as scikit-learn's explained_variance_) is decomposed
/// exactly with <see cref="SymmetricEigen"/>. Each component's sign is fixed so that its entry of
/// largest magnitude is positive, so a fit is fully deterministic.
/// </remarks>
public sealed class Pca
{
    private Pca(int features, double[] mean, double[] components, double[] variance)
    {
        Features = features;
        Mean = mean;
        Components = components;
        ExplainedVariance = variance;
    }

    /// <summary>Number of input features (784 for MNIST).</summary>
    public int Features { get; }

    /// <summary>The per-feature mean of the training rows.</summary>
    public double[] Mean { get; }

    /// <summary>All components as rows of a (Features, Features) row-major matrix, largest variance first; rows are orthonormal.</summary>
    public double[] Components { get; }

    /// <summary>The variance of the training rows along each component, largest first.</summary>
    public double[] ExplainedVariance { get; }

    /// <summary>Fits on <paramref name="samples"/> rows of <paramref name="features"/> values each (row-major).</summary>
    public static Pca Fit(ReadOnlySpan<float> data, int samples, int features)
    {
        if (samples < 2 || features < 1 || data.Length != (long)samples * features)
        {
            throw new ArgumentException(
                $"Pca.Fit: need at least 2 samples and {samples} x {features} = {(long)samples * features} values, got samples={samples}, features={features}, {data.Length} values.");
        }

        var mean = new double[features];
        for (int s = 0; s < samples; s++)
        {
            ReadOnlySpan<float> row = data.Slice(s * features, features);
            for (int f = 0; f < features; f++)
            {
                float v = row[f];
                if (!float.IsFinite(v))
                {
                    throw new ArgumentException($"Pca.Fit: sample {s}, feature {f} is {v}.");
                }

                mean[f] += v;
            }
        }

        for (int f = 0; f < features; f++)
        {
            mean[f] /= samples;
        }

        double[] cov = Covariance(data.ToArray(), samples, features, mean);
        (double[] values, double[] vectors) = SymmetricEigen.Decompose(cov, features);
        for (int r = 0; r < features; r++)
        {
            // Rounding can leave tiny negative variances on a rank-deficient covariance.
            values[r] = Math.Max(values[r], 0);
            Span<double> v = vectors.AsSpan(r * features, features);
            int arg = 0;
            for (int f = 1; f < features; f++)
            {
                if (Math.Abs(v[f]) > Math.Abs(v[arg]))
                {
                    arg = f;
                }
            }

            if (v[arg] < 0)
            {
                for (int f = 0; f < features; f++)
                {
                    v[f] = -v[f];
                }
            }
        }

        return new Pca(features, mean, vectors, values);
    }

    // Unbiased covariance X_c^T X_c / (samples - 1) of the centred rows. Samples are processed in
    // chunks transposed to (features, chunk) so a chunk stays in the last-level cache, and four
    // covariance rows are accumulated per pass so each streamed row is reused four times.
    private static double[] Covariance(float[] data, int samples, int features, double[] mean)
    {
        const int chunk = 1024;
        var cov = new double[features * features];
        var block = new double[features * chunk];
        int blocks = (features + 3) / 4;
        for (int start = 0; start < samples; start += chunk)
        {
            int len = Math.Min(chunk, samples - start);
            for (int s = 0; s < len; s++)
            {
                ReadOnlySpan<float> row = data.AsSpan((start + s) * features, features);
                for (int f = 0; f < features; f++)
                {
                    block[(f * len) + s] = row[f] - mean[f];
                }
            }

            Parallel.For(0, blocks, b => AccumulateRows(block, len, features, 4 * b, cov));
        }

        double inv = 1.0 / (samples - 1);
        for (int i = 0; i < features; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double c = cov[(i * features) + j] * inv;
                cov[(i * features) + j] = c;
                cov[(j * features) + i] = c;
            }
        }

        return cov;
    }

    // cov[i, j] += <x_i, x_j> for i in i0..i0+3 and j <= i (lower triangle only).
    private static void AccumulateRows(double[] block, int len, int features, int i0, double[] cov)
    {
        int rows = Math.Min(4, features - i0);
        ReadOnlySpan<double> x0 = block.AsSpan(i0 * len, len);
        ReadOnlySpan<double> x1 = rows > 1 ? block.AsSpan((i0 + 1) * len, len) : x0;
        ReadOnlySpan<double> x2 = rows > 2 ? block.AsSpan((i0 + 2) * len, len) : x0;
        ReadOnlySpan<double> x3 = rows > 3 ? block.AsSpan((i0 + 3) * len, len) : x0;
        int last = i0 + rows - 1;
        for (int j = 0; j <= last; j++)
        {
            ReadOnlySpan<double> xj = block.AsSpan(j * len, len);
            var a0 = Vector<double>.Zero;
            var a1 = Vector<double>.Zero;
            var a2 = Vector<double>.Zero;
            var a3 = Vector<double>.Zero;
            int w = Vector<double>.Count, k = 0;
            for (; k <= len - w; k += w)
            {
                var v = new Vector<double>(xj[k..]);
                a0 += new Vector<double>(x0[k..]) * v;
                a1 += new Vector<double>(x1[k..]) * v;
                a2 += new Vector<double>(x2[k..]) * v;
                a3 += new Vector<double>(x3[k..]) * v;
            }

            double s0 = Vector.Sum(a0), s1 = Vector.Sum(a1), s2 = Vector.Sum(a2), s3 = Vector.Sum(a3);
            for (; k < len; k++)
            {
                s0 += x0[k] * xj[k];
                s1 += x1[k] * xj[k];
                s2 += x2[k] * xj[k];
                s3 += x3[k] * xj[k];
            }

            // Only the lower triangle (j <= i) is written; each row block owns its rows, so threads never collide.
            if (j <= i0)
            {
                cov[(i0 * features) + j] += s0;
            }

            if (rows > 1 && j <= i0 + 1)
            {
                cov[((i0 + 1) * features) + j] += s1;
            }

            if (rows > 2 && j <= i0 + 2)
            {
                cov[((i0 + 2) * features) + j] += s2;
            }

            if (rows > 3 && j <= i0 + 3)
            {
                cov[((i0 + 3) * features) + j] += s3;
            }
        }
    }

    /// <summary>The fraction of the total variance along each component, largest first.</summary>
    public double[] ExplainedVarianceRatio()
    {
        double total = ExplainedVariance.Sum();
        return ExplainedVariance.Select(v => total > 0 ? v / total : 0).ToArray();
    }

    /// <summary>
    /// The number of leading components that together hold at most <paramref name="energy"/> of the
    /// variance (at least 1): "keep 25% of the energy" is <c>ComponentsForEnergy(0.25)</c>.
    /// </summary>
    public int ComponentsForEnergy(double energy)
    {
        if (!(energy > 0 && energy <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(energy), energy, "Pca.ComponentsForEnergy: energy must be in (0, 1].");
        }

        double[] ratio = ExplainedVarianceRatio();
        double cumulative = 0;
        int k = 0;
        // A small slack so that energy = 1 keeps every component despite rounding.
        while (k < ratio.Length && cumulative + ratio[k] <= energy + 1e-12)
        {
            cumulative += ratio[k];
            k++;
        }

        return Math.Max(k, 1);
    }

    /// <summary>Projects rows onto the first <paramref name="components"/> components: (samples, Features) to (samples, components).</summary>
    public float[] Transform(ReadOnlySpan<float> data, int samples, int components)
    {
        CheckData("Transform", data, samples, components);
        var output = new float[samples * components];
        var centred = new double[Features];
        for (int s = 0; s < samples; s++)
        {
            Centre(data.Slice(s * Features, Features), centred);
            for (int c = 0; c < components; c++)
            {
                output[(s * components) + c] = (float)SymmetricEigen.Dot(centred, Components.AsSpan(c * Features, Features));
            }
        }

        return output;
    }

    /// <summary>Each row projected onto the first <paramref name="components"/> components and mapped back: mean + sum of (projection times component).</summary>
    public float[] Reconstruct(ReadOnlySpan<float> data, int samples, int components)
    {
        CheckData("Reconstruct", data, samples, components);
        var output = new float[samples * Features];
        float[] input = data.ToArray();
        Parallel.For(0, samples, () => (new double[Features], new double[Features]), (s, _, buffers) =>
        {
            (double[] centred, double[] rebuilt) = buffers;
            Centre(input.AsSpan(s * Features, Features), centred);
            Mean.CopyTo(rebuilt, 0);
            for (int c = 0; c < components; c++)
            {
                ReadOnlySpan<double> component = Components.AsSpan(c * Features, Features);
                SymmetricEigen.Axpy(SymmetricEigen.Dot(centred, component), component, rebuilt);
            }

            Span<float> dst = output.AsSpan(s * Features, Features);
            for (int f = 0; f < Features; f++)
            {
                dst[f] = (float)rebuilt[f];
            }

            return buffers;
        }, _ => { });
        return output;
    }

    private void Centre(ReadOnlySpan<float> row, Span<double> centred)
    {
        for (int f = 0; f < Features; f++)
        {
            centred[f] = row[f] - Mean[f];
        }
    }

    private void CheckData(string op, ReadOnlySpan<float> data, int samples, int components)
    {
        if (components < 1 || components > Features)
        {
            throw new ArgumentOutOfRangeException(nameof(components), components, $"Pca.{op}: components must be in 1..{Features}.");
        }

        if (samples < 0 || data.Length != (long)samples * Features)
        {
            throw new ArgumentException(
                $"Pca.{op}: expected {samples} x {Features} = {(long)samples * Features} values, got {data.Length}.");
        }
    }
}
