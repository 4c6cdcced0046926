using Engine.Multimodal.Training;
using Engine.Nn.Optim;

namespace Engine.Gpu.Tests;

/// <summary>
/// DeviceAdamW on every device: the CPU runs Engine.Nn's composed AdamW update, a GPU device the multi-tensor
/// kernel (six parameters per launch, moments in one flat buffer). Parameters, moments and a state-dict round trip
/// must agree within 1e-5 relative.
/// </summary>
public abstract partial class DeviceParityTests
{
    private static readonly int[][] OptShapes =
    {
        new[] { 8, 5 }, new[] { 5 }, new[] { 3, 2, 2 }, new[] { 1 }, new[] { 17 }, new[] { 4, 4 }, new[] { 9 }, new[] { 2, 3 }, new[] { 30 },
    };

    private List<Tensor> OptParams(Device d) => OptShapes
        .Select((s, i) => Uniform(s, -1, 1, (ulong)(400 + i)).To(d).RequiresGrad_())
        .ToList();

    // Gradients for step t; parameter 3 gets none at step 2, so its step count falls behind the others'.
    private static void SetGrads(List<Tensor> ps, int t, Device d)
    {
        for (int i = 0; i < ps.Count; i++)
        {
            ps[i].Grad = t == 2 && i == 3 ? null : Uniform(OptShapes[i], -2, 2, (ulong)(500 + 10 * t + i)).To(d);
        }
    }

    private (List<Tensor> Params, DeviceAdamW Opt) RunAdamW(Device d, int steps)
    {
        var ps = OptParams(d);
        var opt = new DeviceAdamW(ps, lr: 0.05, weightDecay: 0.02);
        for (int t = 1; t <= steps; t++)
        {
            SetGrads(ps, t, d);
            opt.Step();
        }
        return (ps, opt);
    }

    [Test]
    public void DeviceAdamWMatchesComposedAdamW()
    {
        var (cpu, cpuOpt) = RunAdamW(Device.Cpu, 4);
        var (dev, devOpt) = RunAdamW(Device, 4);
        for (int i = 0; i < cpu.Count; i++)
        {
            AssertClose(dev[i].Detach(), cpu[i].Detach(), what: $"parameter {i}");
        }
        var cs = cpuOpt.StateDict();
        var ds = devOpt.StateDict();
        Assert.That(ds.Tensors.Keys, Is.EqualTo(cs.Tensors.Keys), "the same state keys (exp_avg, exp_avg_sq, step per parameter)");
        foreach (var key in cs.Tensors.Keys)
        {
            AssertClose(ds.Tensors[key].To(Device.Cpu), cs.Tensors[key], what: key);
        }

        // Resume each from its own state dict in a fresh optimizer: the loaded moments are ordinary tensors, which the
        // device optimizer copies into its flat buffer.
        var cpuResumed = new DeviceAdamW(cpu, lr: 0.05, weightDecay: 0.02);
        cpuResumed.LoadStateDict(cs);
        var devResumed = new DeviceAdamW(dev, lr: 0.05, weightDecay: 0.02);
        devResumed.LoadStateDict(ds);
        for (int t = 5; t <= 6; t++)
        {
            SetGrads(cpu, t, Device.Cpu);
            cpuResumed.Step();
            SetGrads(dev, t, Device);
            devResumed.Step();
        }
        for (int i = 0; i < cpu.Count; i++)
        {
            AssertClose(dev[i].Detach(), cpu[i].Detach(), what: $"parameter {i} after resuming");
        }
        var cs2 = cpuResumed.StateDict();
        var ds2 = devResumed.StateDict();
        foreach (var key in cs2.Tensors.Keys)
        {
            AssertClose(ds2.Tensors[key].To(Device.Cpu), cs2.Tensors[key], what: $"{key} after resuming");
        }
    }
}
