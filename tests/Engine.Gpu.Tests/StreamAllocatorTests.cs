namespace Engine.Gpu.Tests;

/// <summary>
/// The caching allocator's stream rule on ILGPU's CPU accelerator: a block freed after a stream used it is not
/// handed to another stream until that stream (or the device) has synchronised. Each test uses a size no other
/// test allocates, so its bucket of the cache starts empty.
/// </summary>
[TestFixture]
public sealed class StreamAllocatorTests
{
    private static Device Dev => Devices.IlgpuCpu();

    private static DeviceAllocator Alloc => Devices.Backend(Dev).Allocator;

    [Test]
    public void BlockFreedOnAStreamIsReusedByThatStreamOnlyUntilItSynchronises()
    {
        const int n = 23_767;
        using var s = Dev.CreateStream();
        using (s.Use())
        {
            var t = Tensor.Full(new[] { n }, 2.0, device: Dev);
            t.Dispose();
        }
        long hits = Alloc.CacheHits, driver = Alloc.DriverAllocations;
        var onDefault = Tensor.Empty(new[] { n }, device: Dev);
        Assert.That(Alloc.DriverAllocations, Is.EqualTo(driver + 1), "the default stream must not get the block freed on the other stream");
        Assert.That(Alloc.CacheHits, Is.EqualTo(hits));
        using (s.Use())
        {
            var again = Tensor.Empty(new[] { n }, device: Dev);
            Assert.That(Alloc.CacheHits, Is.EqualTo(hits + 1), "the stream that freed the block reuses it (its own order protects it)");
            again.Dispose();
        }
        s.Synchronize();
        onDefault.Dispose();
        hits = Alloc.CacheHits;
        driver = Alloc.DriverAllocations;
        var a = Tensor.Empty(new[] { n }, device: Dev);
        var b = Tensor.Empty(new[] { n }, device: Dev);
        Assert.That(Alloc.CacheHits, Is.EqualTo(hits + 2), "after the stream synchronised both cached blocks serve the default stream");
        Assert.That(Alloc.DriverAllocations, Is.EqualTo(driver));
        a.Dispose();
        b.Dispose();
    }

    [Test]
    public void BlockUsedOnTwoStreamsWaitsForBoth()
    {
        const int n = 19_391;
        Dev.Synchronize();  // blocks left pending by earlier tests are released: the counts below start from zero
        Assert.That(Alloc.BytesPending, Is.Zero);
        using var s = Dev.CreateStream();
        var x = Tensor.Full(new[] { n }, 1.5, device: Dev);  // allocated on the default stream
        Tensor y;
        using (s.Use())
        {
            y = x * 2;  // a kernel on s reads x
        }
        const long pending = 0;
        x.Dispose();
        Assert.That(Alloc.BytesPending, Is.EqualTo(pending + DeviceAllocator.RoundSize(n * 4L)), "x waits for s before it can be reused");
        long driver = Alloc.DriverAllocations;
        var z = Tensor.Empty(new[] { n }, device: Dev);
        Assert.That(Alloc.DriverAllocations, Is.EqualTo(driver + 1), "the pending block is not handed out");
        s.Synchronize();
        Assert.That(Alloc.BytesPending, Is.EqualTo(pending + DeviceAllocator.RoundSize(n * 4L)), "the default stream has not synchronised yet");
        Dev.DefaultStream.Synchronize();
        Assert.That(Alloc.BytesPending, Is.EqualTo(pending), "both streams have now synchronised");
        // Pending blocks whose streams were never synchronised are freed by a device-wide synchronisation (any host read).
        Tensor w;
        using (s.Use())
        {
            w = z + 1;
        }
        z.Dispose();
        Assert.That(Alloc.BytesPending, Is.GreaterThan(pending));
        Assert.That(w.ToArray<float>(), Has.Length.EqualTo(n));
        Assert.That(Alloc.BytesPending, Is.EqualTo(pending));
        Assert.That(y.ToArray<float>().Distinct().Single(), Is.EqualTo(3f));
        y.Dispose();
        w.Dispose();
    }

    [Test]
    public void BlockOfADisposedStreamIsFreeForEveryStream()
    {
        const int n = 17_021;
        Tensor t;
        using (var s = Dev.CreateStream())
        {
            using (s.Use())
            {
                t = Tensor.Full(new[] { n }, 4.0, device: Dev);
            }
        }
        // The stream is gone (its work finished when it was disposed): the block it allocated goes back for anyone.
        t.Dispose();
        long hits = Alloc.CacheHits;
        var u = Tensor.Empty(new[] { n }, device: Dev);
        Assert.That(Alloc.CacheHits, Is.EqualTo(hits + 1));
        u.Dispose();
    }
}
