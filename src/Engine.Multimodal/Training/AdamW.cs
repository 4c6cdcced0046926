namespace Engine.Multimodal.Training;

/// <summary>
/// AdamW (decoupled weight decay, as torch.optim.AdamW) over float32 parameters, updated in place on their
/// storage. Moments are kept as arrays so they can be checkpointed and restored for --resume.
/// </summary>
public sealed class AdamW
{
    private readonly Tensor[] _params;

    /// <summary>Creates the optimizer.</summary>
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-4)
    {
        _params = parameters.Where(p => p.RequiresGrad).ToArray();
        foreach (var p in _params)
        {
            if (p.DType != DType.Float32 || !p.IsContiguous)
            {
                throw new ArgumentException($"AdamW: parameters must be contiguous float32 tensors, got {p.DType} [{string.Join(", ", p.Shape)}]");
            }
        }
        M = _params.Select(p => new float[p.NumEl]).ToArray();
        V = _params.Select(p => new float[p.NumEl]).ToArray();
        Lr = lr;
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
    }

    /// <summary>The current learning rate (set by the schedule).</summary>
    public double Lr { get; set; }

    /// <summary>First-moment decay.</summary>
    public double Beta1 { get; }

    /// <summary>Second-moment decay.</summary>
    public double Beta2 { get; }

    /// <summary>Denominator epsilon.</summary>
    public double Eps { get; }

    /// <summary>Decoupled weight decay.</summary>
    public double WeightDecay { get; }

    /// <summary>Steps taken.</summary>
    public long Step { get; set; }

    /// <summary>First moments, one array per parameter.</summary>
    public float[][] M { get; }

    /// <summary>Second moments, one array per parameter.</summary>
    public float[][] V { get; }

    /// <summary>Clears the gradients.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _params)
        {
            p.Grad = null;
        }
    }

    /// <summary>Applies one update from the parameters' gradients (parameters without a gradient are skipped).</summary>
    public void StepOnce()
    {
        Step++;
        double bc1 = 1 - Math.Pow(Beta1, Step), bc2 = 1 - Math.Pow(Beta2, Step);
        float b1 = (float)Beta1, b2 = (float)Beta2, eps = (float)Eps;
        float stepSize = (float)(Lr / bc1);
        float invBc2Sqrt = (float)(1 / Math.Sqrt(bc2));
        float decay = (float)(1 - Lr * WeightDecay);
        for (int i = 0; i < _params.Length; i++)
        {
            var p = _params[i];
            if (p.Grad is null)
            {
                continue;
            }
            var g = p.Grad.IsContiguous ? p.Grad : p.Grad.Contiguous();
            var gs = ((CpuStorage<float>)g.Storage).Span.Slice(g.Offset, g.NumEl);
            var ps = ((CpuStorage<float>)p.Storage).Span.Slice(p.Offset, p.NumEl);
            var m = M[i];
            var v = V[i];
            for (int j = 0; j < ps.Length; j++)
            {
                float gj = gs[j];
                m[j] = b1 * m[j] + (1 - b1) * gj;
                v[j] = b2 * v[j] + (1 - b2) * gj * gj;
                ps[j] = ps[j] * decay - stepSize * m[j] / (MathF.Sqrt(v[j]) * invBc2Sqrt + eps);
            }
        }
    }
}
