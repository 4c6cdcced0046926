using Engine.Gpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Engine.Gpu;

/// <summary>
/// Adam/AdamW over many parameters in a few launches (<see cref="MultiTensorKernels.Adam"/>: six parameters per
/// launch) instead of one per parameter. The moments of all parameters live in one flat float32 state tensor of
/// length 2L: the first moments in [0, L), the second in [L, 2L); parameter i's start at stateOffsets[i].
/// </summary>
public static class MultiTensorAdam
{
    /// <summary>
    /// One Adam step (AdamW when <paramref name="decoupledWeightDecay"/>) of every parameter; steps[i] counts
    /// parameter i's updates from 1. PyTorch's formulas, evaluated in the order and with the float32 scalars of
    /// Engine.Nn's composed Adam/AdamW (so a device step matches a CPU step to float32 rounding).
    /// </summary>
    public static void Step(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> grads, IReadOnlyList<int> stateOffsets, IReadOnlyList<long> steps,
        Tensor state, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0,
        bool decoupledWeightDecay = false, bool maximize = false)
    {
        string op = decoupledWeightDecay ? "adamw (multi-tensor)" : "adam (multi-tensor)";
        int count = parameters.Count;
        if (grads.Count != count || stateOffsets.Count != count || steps.Count != count)
        {
            throw new ArgumentException($"{op}: {count} parameters but {grads.Count} gradients, {stateOffsets.Count} state offsets and {steps.Count} step counts");
        }
        if (state.Device.Backend is not GpuBackend backend)
        {
            throw new ArgumentException($"{op}: the fused step runs on ILGPU devices; the state is on {state.Device}");
        }
        if (state.DType != DType.Float32 || !state.IsContiguous || state.NumEl % 2 != 0)
        {
            throw new ArgumentException($"{op}: the state must be a contiguous Float32 tensor of even length, got {state.DType} with {state.NumEl} elements");
        }
        int half = state.NumEl / 2;
        for (int i = 0; i < count; i++)
        {
            Check(op, i, parameters[i], grads[i], state.Device);
            if (stateOffsets[i] < 0 || (long)stateOffsets[i] + parameters[i].NumEl > half)
            {
                throw new ArgumentException($"{op}: parameter {i} ({parameters[i].NumEl} elements at state offset {stateOffsets[i]}) does not fit a state of 2 x {half}");
            }
            if (steps[i] < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(steps), steps[i], $"{op}: step counts from 1 (parameter {i})");
            }
        }
        backend.Bind();
        var k = backend.Kernel(typeof(MultiTensorKernels).GetMethod(nameof(MultiTensorKernels.Adam))!,
            static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D,
                ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, MultiAdamParams>>()));
        var sv = View(state);
        const int chunk = MultiTensorKernels.AdamChunk;
        var p = new ArrayView<float>[chunk];
        var g = new ArrayView<float>[chunk];
        for (int start = 0; start < count; start += chunk)
        {
            var a = new MultiAdamParams
            {
                StateLength = half, Decay = (float)(1 - lr * weightDecay), Beta1 = (float)beta1, OneMinusBeta1 = (float)(1 - beta1),
                Beta2 = (float)beta2, OneMinusBeta2 = (float)(1 - beta2), Eps = (float)eps,
                WeightDecay = (float)weightDecay, Decoupled = decoupledWeightDecay ? 1 : 0, Maximize = maximize ? 1 : 0,
            };
            long total = 0;
            for (int s = 0; s < chunk; s++)
            {
                int i = start + s;
                bool used = i < count && parameters[i].NumEl > 0;
                p[s] = used ? View(parameters[i]) : sv;
                g[s] = used ? View(grads[i]) : sv;
                int n = used ? parameters[i].NumEl : 0;
                int off = used ? stateOffsets[i] : 0;
                float stepSize = used ? (float)(-lr / (1 - Math.Pow(beta1, steps[i]))) : 0f;
                float invBc = used ? (float)(1 / Math.Sqrt(1 - Math.Pow(beta2, steps[i]))) : 1f;
                total += n;
                Set(ref a, s, n, off, stepSize, invBc);
            }
            if (total == 0)
            {
                continue;
            }
            a.Total = checked((int)total);
            a.Step = backend.Extent(total);
            k(a.Step, p[0], p[1], p[2], p[3], p[4], p[5], g[0], g[1], g[2], g[3], g[4], g[5], sv, a);
        }
    }

    private static void Set(ref MultiAdamParams a, int slot, int n, int off, float stepSize, float invBc)
    {
        switch (slot)
        {
            case 0: a.N0 = n; a.O0 = off; a.StepSize0 = stepSize; a.InvBc0 = invBc; break;
            case 1: a.N1 = n; a.O1 = off; a.StepSize1 = stepSize; a.InvBc1 = invBc; break;
            case 2: a.N2 = n; a.O2 = off; a.StepSize2 = stepSize; a.InvBc2 = invBc; break;
            case 3: a.N3 = n; a.O3 = off; a.StepSize3 = stepSize; a.InvBc3 = invBc; break;
            case 4: a.N4 = n; a.O4 = off; a.StepSize4 = stepSize; a.InvBc4 = invBc; break;
            default: a.N5 = n; a.O5 = off; a.StepSize5 = stepSize; a.InvBc5 = invBc; break;
        }
    }

    private static ArrayView<float> View(Tensor t) => ((GpuStorage)t.Storage).View<float>().SubView(t.Offset, Math.Max(t.NumEl, 0));

    private static void Check(string op, int i, Tensor param, Tensor grad, Device device)
    {
        foreach (var (t, name) in new[] { (param, "parameter"), (grad, "gradient") })
        {
            if (!t.Device.Equals(device))
            {
                throw new ArgumentException($"{op}: expected all tensors to be on the same device, but found {device} and {t.Device} ({name} {i})");
            }
            if (t.DType != DType.Float32 || !t.IsContiguous)
            {
                throw new ArgumentException($"{op}: {name} {i} must be a contiguous Float32 tensor, got {t.DType}{(t.IsContiguous ? "" : ", not contiguous")}");
            }
        }
        if (!grad.Shape.AsSpan().SequenceEqual(param.Shape))
        {
            throw new ArgumentException($"{op}: gradient {i} has shape [{string.Join(", ", grad.Shape)}] but its parameter [{string.Join(", ", param.Shape)}]");
        }
    }
}
