using Engine.Gpu;

namespace Engine.Gpu.Tests;

/// <summary>Devices, transfers, memory management and errors of the GPU backend, on ILGPU's CPU accelerator.</summary>
[TestFixture]
public sealed class DeviceManagementTests
{
    private static Device Dev => Devices.IlgpuCpu();

    private static GpuBackend Backend => Devices.Backend(Dev);

    [Test]
    public void AutoFallsBackToCpuAndSaysSoInOneLine()
    {
        if (Devices.CudaCount > 0 || Devices.OpenCLCount > 0)
        {
            Assert.Ignore("a GPU is present here; the fallback is checked on machines without one");
        }
        var log = new StringWriter();
        var d = Devices.Auto(log);
        Assert.That(d, Is.EqualTo(Device.Cpu));
        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1));
        Assert.That(lines[0], Does.Contain("auto picked cpu").And.Contain("no CUDA or OpenCL device"));
    }

    [Test]
    public void ExplicitCudaWithoutGpuFailsClearly()
    {
        if (Devices.CudaCount > 0)
        {
            Assert.Ignore("a CUDA GPU is present here");
        }
        var ex = Assert.Throws<InvalidOperationException>(() => Devices.Cuda(0));
        Assert.That(ex!.Message, Does.Contain("cuda:0").And.Contain("no CUDA device"));
        Assert.Throws<InvalidOperationException>(() => Devices.Parse("cuda:1"));
        Assert.That(Devices.Parse("ilgpu-cpu"), Is.EqualTo(Dev));
        Assert.That(Devices.Parse("cpu"), Is.EqualTo(Device.Cpu));
        Assert.Throws<ArgumentException>(() => Devices.Parse("tpu"));
    }

    [Test]
    public void MixedDeviceOpsThrowNamingBothDevices()
    {
        var a = Tensor.Ones(new[] { 3 });
        var b = Tensor.Ones(new[] { 3 }, device: Dev);
        var ex = Assert.Throws<ArgumentException>(() => _ = a + b);
        Assert.That(ex!.Message, Does.Contain("cpu").And.Contain("ilgpu-cpu"));
        var ex2 = Assert.Throws<ArgumentException>(() => Tensor.Ones(new[] { 3, 3 }, device: Dev).MatMul(Tensor.Ones(new[] { 3, 3 })));
        Assert.That(ex2!.Message, Does.Contain("cpu").And.Contain("ilgpu-cpu"));
        var ex3 = Assert.Throws<ArgumentException>(() => b.Gather(0, Tensor.FromArray(new long[] { 0 })));
        Assert.That(ex3!.Message, Does.Contain("cpu").And.Contain("ilgpu-cpu"));
    }

    [Test]
    public void ToDeviceAndBackRoundTripsEveryDType()
    {
        var f = Tensor.Uniform(new[] { 4, 5 }, -1, 1, new Generator(1));
        Assert.That(f.To(Dev).To(Device.Cpu).ToArray<float>(), Is.EqualTo(f.ToArray<float>()));
        var d = f.To(DType.Float64);
        Assert.That(d.To(Dev).ToArray<double>(), Is.EqualTo(d.ToArray<double>()));
        var l = Tensor.FromArray(new long[] { long.MinValue, -1, 0, 7, long.MaxValue });
        Assert.That(l.To(Dev).To(Device.Cpu).ToArray<long>(), Is.EqualTo(l.ToArray<long>()));
        var bo = Tensor.FromArray(new[] { true, false, true });
        Assert.That(bo.To(Dev).ToArray<bool>(), Is.EqualTo(new[] { true, false, true }));
        Assert.That(f.To(Dev).To(Dev), Is.Not.Null);
    }

    [Test]
    public void ViewsWithAnOffsetMoveToTheCpuCorrectly()
    {
        var x = Tensor.Arange(24).Reshape(4, 6);
        var onDev = x.To(Dev);
        Assert.That(onDev.Narrow(0, 2, 2).To(Device.Cpu).ToArray<float>(), Is.EqualTo(x.Narrow(0, 2, 2).ToArray<float>()));
        Assert.That(onDev.Select(1, 3).To(Device.Cpu).ToArray<float>(), Is.EqualTo(x.Select(1, 3).ToArray<float>()));
        Assert.That(onDev.Narrow(0, 1, 1).ToDoubleArray(), Is.EqualTo(x.Narrow(0, 1, 1).ToDoubleArray()));
    }

    [Test]
    public void GradientsFlowBackAcrossTheTransfer()
    {
        var x = Tensor.FromArray(new float[] { 1, 2, 3 }).RequiresGrad_();
        var y = (x.To(Dev) * x.To(Dev)).Sum();
        Assert.That(y.Device, Is.EqualTo(Dev));
        y.Backward();
        Assert.That(x.Grad!.Device, Is.EqualTo(Device.Cpu));
        Assert.That(x.Grad.ToArray<float>(), Is.EqualTo(new float[] { 2, 4, 6 }));
    }

    [Test]
    public void OutOfMemoryIsAClearExceptionAndLeavesOtherTensorsIntact()
    {
        var keep = Tensor.Arange(1000, device: Dev);
        var alloc = Backend.Allocator;
        alloc.MemoryLimit = alloc.BytesInUse + (1 << 20);
        try
        {
            var ex = Assert.Throws<GpuOutOfMemoryException>(() => Tensor.Empty(new[] { 1024, 1024 }, device: Dev));
            Assert.That(ex!.Message, Does.Contain("ilgpu-cpu").And.Contain("out of memory").And.Contain("4 MiB"));
            Assert.That(keep.Sum().Item(), Is.EqualTo(999.0 * 1000 / 2));
            using var small = Tensor.Ones(new[] { 100 }, device: Dev);
            Assert.That(small.Sum().Item(), Is.EqualTo(100));
        }
        finally
        {
            alloc.MemoryLimit = null;
        }
        using var big = Tensor.Ones(new[] { 1024, 1024 }, device: Dev);
        Assert.That(big.NumEl, Is.EqualTo(1 << 20));
    }

    [Test]
    public void AllocatorReusesFreedBlocks()
    {
        var alloc = Backend.Allocator;
        var first = Tensor.Empty(new[] { 12345 }, device: Dev);
        first.Dispose();
        long hits = alloc.CacheHits, driver = alloc.DriverAllocations, inUse = alloc.BytesInUse;
        using var second = Tensor.Empty(new[] { 12340 }, device: Dev);
        Assert.That(alloc.CacheHits, Is.EqualTo(hits + 1), "a block of the same rounded size comes from the cache");
        Assert.That(alloc.DriverAllocations, Is.EqualTo(driver), "no new driver allocation");
        Assert.That(alloc.BytesInUse, Is.EqualTo(inUse + DeviceAllocator.RoundSize(12340 * 4)));
        Assert.That(() => first.Sum(), Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    public void DisposeReturnsMemoryDeterministically()
    {
        var alloc = Backend.Allocator;
        // The scalar 2 below becomes a cached 0-d constant of this device on its first use (kept, not a temporary).
        Tensor.Ones(new[] { 1 }, device: Dev).Mul(Tensor.Ones(new[] { 1 }, device: Dev) * 2).Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = alloc.BytesInUse;
        var t = Tensor.Ones(new[] { 3000 }, device: Dev);
        Assert.That(alloc.BytesInUse, Is.GreaterThan(before));
        t.Dispose();
        Assert.That(alloc.BytesInUse, Is.EqualTo(before));
        using (TensorScope.Begin())
        {
            _ = Tensor.Ones(new[] { 3000 }, device: Dev) * 2;
            _ = Tensor.Ones(new[] { 3000 }, device: Dev) * 2;
        }
        Assert.That(alloc.BytesInUse, Is.EqualTo(before), "a scope frees its temporaries (and a seen scalar allocates nothing)");
    }

    [Test]
    public void TensorsLeftToTheGarbageCollectorComeBackWithoutErrors()
    {
        var alloc = Backend.Allocator;
        // Let earlier tests' unreachable tensors come back first, so only this test's leak is counted.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Tensor.Ones(new[] { 1 }, device: Dev).Dispose();
        long before = alloc.BytesInUse;
        Leak();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var probe = Tensor.Ones(new[] { 1 }, device: Dev); // the allocator drains finalized blocks here
        Assert.That(alloc.BytesInUse, Is.EqualTo(before + DeviceAllocator.RoundSize(4)));

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        static void Leak()
        {
            for (int i = 0; i < 20; i++)
            {
                _ = Tensor.Ones(new[] { 777 }, device: Dev).Storage;
            }
        }
    }

    [Test]
    public void EachKernelIsCompiledOnce()
    {
        var x = Tensor.Ones(new[] { 50 }, device: Dev);
        _ = (x * 3).Exp();
        int count = Backend.CompiledKernelCount;
        _ = (x * 5).Exp();
        Assert.That(Backend.CompiledKernelCount, Is.EqualTo(count));
    }

    [Test]
    public void RandomTensorsCanBeCreatedOnTheDevice()
    {
        var r = Tensor.Randn(new[] { 100 }, new Generator(3), device: Dev);
        Assert.That(r.Device, Is.EqualTo(Dev));
        Assert.That(r.ToArray<float>(), Is.EqualTo(Tensor.Randn(new[] { 100 }, new Generator(3)).ToArray<float>()));
    }
}
