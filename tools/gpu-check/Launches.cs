using Engine.Gpu;
using Engine.Multimodal.Benchmarks;
using Engine.Multimodal.Model;

namespace Engine.GpuCheck;

/// <summary>
/// Counts the kernel launches of one steady-state training step of the default multimodal model (the step
/// Bench.MultimodalStep times): the launches of a 1 + 3 step run minus those of a 1 + 1 step run, halved, so model
/// setup, kernel compilation and the optimizer's first-step state allocation cancel out.
/// </summary>
public static class Launches
{
    /// <summary>Launches per step, and per kernel method when <paramref name="log"/> is given.</summary>
    public static double PerStep(Device dev, int batch, TextWriter? log, bool withCallers = false)
    {
        var backend = Devices.Backend(dev);
        var config = new ModelConfig();
        backend.CountLaunchesByKernel(true, withCallers);
        long a0 = backend.KernelLaunches, z0 = backend.Memsets;
        StepTimer.Measure(dev, config, batch, steps: 1, warmup: 1);
        long a1 = backend.KernelLaunches, z1 = backend.Memsets;
        var shortRun = backend.LaunchesByKernel();
        backend.CountLaunchesByKernel(true, withCallers);
        StepTimer.Measure(dev, config, batch, steps: 3, warmup: 1);
        long a2 = backend.KernelLaunches, z2 = backend.Memsets;
        var longRun = backend.LaunchesByKernel();
        backend.CountLaunchesByKernel(false);
        double perStep = ((a2 - a1) - (a1 - a0)) / 2.0;
        double memsets = ((z2 - z1) - (z1 - z0)) / 2.0;
        if (log is not null)
        {
            foreach (var (name, n) in longRun.Select(kv => (kv.Key, (kv.Value - shortRun.GetValueOrDefault(kv.Key)) / 2.0))
                         .Where(x => x.Item2 != 0).OrderByDescending(x => x.Item2))
            {
                log.WriteLine($"  {n,7:0.#}  {name}");
            }
            log.WriteLine($"RESULT multimodal_step_b{batch}_launches {perStep:0.#} launches ({dev}; plus {memsets:0.#} memsets of zero-filled tensors)");
        }
        return perStep;
    }
}
