namespace Engine.Gpu.Tests;

/// <summary>The backend's launch counters (what gpu-check --count-launches reports), on ILGPU's CPU accelerator.</summary>
[TestFixture]
public sealed class LaunchCountTests
{
    private static Device Dev => Devices.IlgpuCpu();

    private static GpuBackend Backend => Devices.Backend(Dev);

    [Test]
    public void EveryLaunchIsCountedOnceAndByKernel()
    {
        var a = Tensor.Ones(new[] { 100 }, device: Dev);
        var b = Tensor.Ones(new[] { 100 }, device: Dev);
        long before = Backend.KernelLaunches;
        using var sum = a + b;
        Assert.That(Backend.KernelLaunches - before, Is.EqualTo(1), "a rank-1 add is one kernel");

        // The multi-tensor Adam looks its kernel up once and launches it once per six parameters.
        var ps = Enumerable.Range(0, 13).Select(i => Tensor.Ones(new[] { 10 + i }, device: Dev)).ToList();
        var gs = ps.Select(p => Tensor.OnesLike(p)).ToList();
        var offsets = new List<int>();
        int total = 0;
        foreach (var p in ps)
        {
            offsets.Add(total);
            total += p.NumEl;
        }
        var state = Tensor.Zeros(new[] { 2 * total }, device: Dev);
        Backend.CountLaunchesByKernel(true);
        before = Backend.KernelLaunches;
        long lookups = Backend.KernelLookups;
        MultiTensorAdam.Step(ps, gs, offsets, ps.Select(_ => 1L).ToList(), state, lr: 0.1, decoupledWeightDecay: true, weightDecay: 0.01);
        var byKernel = Backend.LaunchesByKernel();
        Backend.CountLaunchesByKernel(false);
        Assert.That(Backend.KernelLaunches - before, Is.EqualTo(3), "13 parameters in chunks of 6");
        Assert.That(Backend.KernelLookups - lookups, Is.EqualTo(1));
        Assert.That(byKernel, Does.ContainKey("MultiTensorKernels.Adam").WithValue(3));
        // Every parameter moved: with all gradients 1 the first Adam step is -lr on every element (after decay).
        foreach (var p in ps)
        {
            Assert.That(p.ToArray<float>(), Is.All.EqualTo(1 * (1 - 0.1 * 0.01) - 0.1).Within(1e-5));
        }
    }
    [Test]
    public void AScalarOperandIsFilledOnceAndDropoutMasksAreMadeOnTheHost()
    {
        var x = Tensor.Ones(new[] { 100 }, device: Dev);
        using var warm = x * 0.375; // first use of 0.375 fills its constant
        long before = Backend.KernelLaunches;
        using var y = x * 0.375;
        Assert.That(Backend.KernelLaunches - before, Is.EqualTo(1), "x * s with a seen scalar is one kernel");
        Assert.That(y.ToArray<float>(), Is.All.EqualTo(0.375f));

        // Dropout: the scaled keep-mask is uploaded, then one multiply; the values equal the CPU's for the same seed.
        using var warmDrop = Functional.Dropout(x, 0.25, generator: new Generator(5));
        before = Backend.KernelLaunches;
        var dropped = Functional.Dropout(x, 0.25, generator: new Generator(5)).ToArray<float>();
        Assert.That(Backend.KernelLaunches - before, Is.EqualTo(1), "dropout is one multiply on the device");
        var cpu = Functional.Dropout(Tensor.Ones(new[] { 100 }), 0.25, generator: new Generator(5)).ToArray<float>();
        Assert.That(dropped, Is.EqualTo(cpu));
        Assert.That(cpu.Distinct().OrderBy(v => v), Is.EqualTo(new[] { 0f, 1 / 0.75f }));
    }
}
