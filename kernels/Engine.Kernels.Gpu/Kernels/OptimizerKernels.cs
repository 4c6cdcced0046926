using ILGPU;

namespace Engine.Gpu.Kernels;

/// <summary>Hyper-parameters of one SGD step (PyTorch's torch.optim.SGD semantics).</summary>
public struct SgdParams
{
    public int N, Step;
    public float Lr, Momentum, Dampening, WeightDecay;
    public int Nesterov, Maximize, FirstStep;
}

/// <summary>Hyper-parameters of one Adam or AdamW step (bias corrections precomputed on the host).</summary>
public struct AdamParams
{
    public int N, Step;
    public float Lr, Beta1, Beta2, Eps, WeightDecay;
    public float BiasCorrection1, SqrtBiasCorrection2;
    public int Decoupled, Maximize;
}

/// <summary>
/// Fused optimizer steps: one pass over parameter, gradient and state updates them all, where the
/// composed tensor-op version would read and write each several times.
/// </summary>
public static class OptimizerKernels
{
    /// <summary>SGD with optional weight decay, momentum (dampening, Nesterov); buf is the momentum buffer.</summary>
    public static void Sgd(Index1D index, ArrayView<float> param, ArrayView<float> grad, ArrayView<float> buf, SgdParams p)
    {
        int n = p.N, step = p.Step;
        for (int i = index.X; i < n; i += step)
        {
            float g = p.Maximize != 0 ? -grad[i] : grad[i];
            float w = param[i];
            if (p.WeightDecay != 0f)
            {
                g += p.WeightDecay * w;
            }
            if (p.Momentum != 0f)
            {
                float b = p.FirstStep != 0 ? g : p.Momentum * buf[i] + (1f - p.Dampening) * g;
                buf[i] = b;
                g = p.Nesterov != 0 ? g + p.Momentum * b : b;
            }
            param[i] = w - p.Lr * g;
        }
    }

    /// <summary>Adam (L2 weight decay added to the gradient) or AdamW (decoupled decay) on m and v.</summary>
    public static void Adam(Index1D index, ArrayView<float> param, ArrayView<float> grad, ArrayView<float> m, ArrayView<float> v, AdamParams p)
    {
        int n = p.N, step = p.Step;
        float stepSize = p.Lr / p.BiasCorrection1;
        for (int i = index.X; i < n; i += step)
        {
            float g = p.Maximize != 0 ? -grad[i] : grad[i];
            float w = param[i];
            if (p.WeightDecay != 0f)
            {
                if (p.Decoupled != 0)
                {
                    w *= 1f - p.Lr * p.WeightDecay;
                }
                else
                {
                    g += p.WeightDecay * w;
                }
            }
            float mi = m[i] + (g - m[i]) * (1f - p.Beta1);
            float vi = p.Beta2 * v[i] + (1f - p.Beta2) * g * g;
            m[i] = mi;
            v[i] = vi;
            float denom = MathF.Sqrt(vi) / p.SqrtBiasCorrection2 + p.Eps;
            param[i] = w - stepSize * mi / denom;
        }
    }
}
