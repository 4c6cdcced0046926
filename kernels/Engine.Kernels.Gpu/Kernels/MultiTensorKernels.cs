using ILGPU;

namespace Engine.Gpu.Kernels;

/// <summary>
/// One launch of the multi-tensor Adam/AdamW step: up to <see cref="MultiTensorKernels.AdamChunk"/> parameters,
/// their element counts, the offsets of their moments in the optimizer's flat state buffer and their bias
/// corrections as -lr / (1 - beta1^t) and 1 / sqrt(1 - beta2^t) (each parameter counts its own steps t). Scalars are
/// the float32 values Engine.Nn's composed AdamW uses, so the kernel repeats its rounding step by step.
/// </summary>
public struct MultiAdamParams
{
    public int N0, N1, N2, N3, N4, N5;
    public int O0, O1, O2, O3, O4, O5;
    public float StepSize0, StepSize1, StepSize2, StepSize3, StepSize4, StepSize5;
    public float InvBc0, InvBc1, InvBc2, InvBc3, InvBc4, InvBc5;
    public int Total, Step, StateLength;
    public float Decay, Beta1, OneMinusBeta1, Beta2, OneMinusBeta2, Eps, WeightDecay;
    public int Decoupled, Maximize;
}

/// <summary>
/// Multi-tensor optimizer steps (apex/PyTorch's foreach/fused idea): one launch updates several parameters, so an
/// optimizer step costs a few launches instead of one per parameter. ILGPU kernels take a fixed list of views, so a
/// launch covers up to six parameters and their gradients; the first and second moments of every parameter live
/// in one flat state buffer (first moments, then second moments), addressed by offset.
/// </summary>
[CatalogedKernels]
public static class MultiTensorKernels
{
    /// <summary>Parameters per launch of <see cref="Adam"/>.</summary>
    public const int AdamChunk = 6;

    /// <summary>
    /// Adam (L2 decay on the gradient) or AdamW (decoupled decay) over the concatenation of up to six parameters,
    /// in the composed update's order: p *= 1 - lr wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g g;
    /// p += m / (sqrt(v) / sqrt(1 - b2^t) + eps) * (-lr / (1 - b1^t)).
    /// </summary>
    public static void Adam(Index1D index,
        ArrayView<float> p0, ArrayView<float> p1, ArrayView<float> p2, ArrayView<float> p3, ArrayView<float> p4, ArrayView<float> p5,
        ArrayView<float> g0, ArrayView<float> g1, ArrayView<float> g2, ArrayView<float> g3, ArrayView<float> g4, ArrayView<float> g5,
        ArrayView<float> state, MultiAdamParams a)
    {
        int total = a.Total, step = a.Step, vOff = a.StateLength;
        int e0 = a.N0, e1 = e0 + a.N1, e2 = e1 + a.N2, e3 = e2 + a.N3, e4 = e3 + a.N4;
        for (int i = index.X; i < total; i += step)
        {
            ArrayView<float> p, g;
            int j, off;
            float stepSize, invBc;
            if (i < e0) { p = p0; g = g0; j = i; off = a.O0; stepSize = a.StepSize0; invBc = a.InvBc0; }
            else if (i < e1) { p = p1; g = g1; j = i - e0; off = a.O1; stepSize = a.StepSize1; invBc = a.InvBc1; }
            else if (i < e2) { p = p2; g = g2; j = i - e1; off = a.O2; stepSize = a.StepSize2; invBc = a.InvBc2; }
            else if (i < e3) { p = p3; g = g3; j = i - e2; off = a.O3; stepSize = a.StepSize3; invBc = a.InvBc3; }
            else if (i < e4) { p = p4; g = g4; j = i - e3; off = a.O4; stepSize = a.StepSize4; invBc = a.InvBc4; }
            else { p = p5; g = g5; j = i - e4; off = a.O5; stepSize = a.StepSize5; invBc = a.InvBc5; }
            float gi = a.Maximize != 0 ? -g[j] : g[j];
            float w = p[j];
            if (a.WeightDecay != 0f)
            {
                if (a.Decoupled != 0)
                {
                    w *= a.Decay;
                }
                else
                {
                    gi += w * a.WeightDecay;
                }
            }
            int mi = off + j;
            float m = state[mi] * a.Beta1 + gi * a.OneMinusBeta1;
            float v = state[vOff + mi] * a.Beta2 + gi * gi * a.OneMinusBeta2;
            state[mi] = m;
            state[vOff + mi] = v;
            float denom = MathF.Sqrt(v) * invBc + a.Eps;
            p[j] = w + m / denom * stepSize;
        }
    }
}
