using Engine.Gpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Engine.Gpu;

/// <summary>
/// Fused optimizer steps on GPU tensors, for the nn layer's optimizers: each updates a float32
/// parameter and its state in place, in one kernel, with PyTorch's formulas. All tensors must be
/// contiguous, on the same ILGPU device, with the parameter's shape.
/// </summary>
public static class FusedOptimizers
{
    /// <summary>
    /// One SGD step: g = grad (+ weightDecay * param); with momentum, buf = momentum * buf + (1 - dampening) * g
    /// (buf = g on the first step) and g = Nesterov ? g + momentum * buf : buf; then param -= lr * g.
    /// </summary>
    public static void SgdStep(Tensor param, Tensor grad, Tensor? momentumBuffer, double lr, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false, bool maximize = false, bool firstStep = false)
    {
        var backend = Check("sgd", param, grad, momentumBuffer, null);
        if (momentum != 0 && momentumBuffer is null)
        {
            throw new ArgumentException("sgd: momentum needs a momentum buffer tensor");
        }
        if (nesterov && (momentum <= 0 || dampening != 0))
        {
            throw new ArgumentException($"sgd: Nesterov momentum requires a momentum > 0 and zero dampening (got momentum {momentum}, dampening {dampening})");
        }
        int n = param.NumEl;
        if (n == 0)
        {
            return;
        }
        var p = new SgdParams
        {
            N = n, Step = backend.Extent(n),
            Lr = (float)lr, Momentum = (float)momentum, Dampening = (float)dampening, WeightDecay = (float)weightDecay,
            Nesterov = nesterov ? 1 : 0, Maximize = maximize ? 1 : 0, FirstStep = firstStep ? 1 : 0,
        };
        backend.Bind();
        var k = backend.Kernel(typeof(OptimizerKernels).GetMethod(nameof(OptimizerKernels.Sgd))!,
            static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdParams>>()));
        var pv = View(param);
        k(p.Step, pv, View(grad), momentumBuffer is null ? pv : View(momentumBuffer), p);
    }

    /// <summary>
    /// One Adam step (AdamW when <paramref name="decoupledWeightDecay"/>): m and v are the first and
    /// second moment buffers, <paramref name="step"/> counts from 1.
    /// </summary>
    public static void AdamStep(Tensor param, Tensor grad, Tensor m, Tensor v, int step, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0, bool decoupledWeightDecay = false, bool maximize = false)
    {
        var backend = Check(decoupledWeightDecay ? "adamw" : "adam", param, grad, m, v);
        if (step < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "adam: step counts from 1");
        }
        int n = param.NumEl;
        if (n == 0)
        {
            return;
        }
        var p = new AdamParams
        {
            N = n, Step = backend.Extent(n),
            Lr = (float)lr, Beta1 = (float)beta1, Beta2 = (float)beta2, Eps = (float)eps, WeightDecay = (float)weightDecay,
            BiasCorrection1 = (float)(1 - Math.Pow(beta1, step)),
            SqrtBiasCorrection2 = (float)Math.Sqrt(1 - Math.Pow(beta2, step)),
            Decoupled = decoupledWeightDecay ? 1 : 0, Maximize = maximize ? 1 : 0,
        };
        backend.Bind();
        var k = backend.Kernel(typeof(OptimizerKernels).GetMethod(nameof(OptimizerKernels.Adam))!,
            static (a, mi) => a.LoadAutoGroupedStreamKernel(mi.CreateDelegate<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamParams>>()));
        k(p.Step, View(param), View(grad), View(m), View(v), p);
    }

    private static ArrayView<float> View(Tensor t) => ((GpuStorage)t.Storage).View<float>().SubView(t.Offset, t.NumEl);

    private static GpuBackend Check(string op, Tensor param, Tensor grad, Tensor? s1, Tensor? s2)
    {
        if (param.Device.Backend is not GpuBackend backend)
        {
            throw new ArgumentException($"{op}: the fused step runs on ILGPU devices; the parameter is on {param.Device}");
        }
        foreach (var (t, name) in new[] { (param, "param"), (grad, "grad"), (s1, "state"), (s2, "state") })
        {
            if (t is null)
            {
                continue;
            }
            if (!t.Device.Equals(param.Device))
            {
                throw new ArgumentException($"{op}: expected all tensors to be on the same device, but found {param.Device} and {t.Device} ({name})");
            }
            if (t.DType != DType.Float32)
            {
                throw new ArgumentException($"{op}: {name} must be Float32, got {t.DType}");
            }
            if (!t.IsContiguous || t.NumEl != param.NumEl || !t.Shape.AsSpan().SequenceEqual(param.Shape))
            {
                throw new ArgumentException($"{op}: {name} must be contiguous with the parameter's shape [{string.Join(", ", param.Shape)}], got [{string.Join(", ", t.Shape)}]");
            }
        }
        return backend;
    }
}
