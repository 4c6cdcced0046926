namespace Engine.Gpu.Tests;

/// <summary>
/// Streams and events, on every device: results computed inside stream scopes match the CPU path, a value made
/// on one stream is used on another after an event wait, and events time the work between them. On the CPU the
/// API exists and does nothing; on ILGPU's CPU accelerator every op finishes before the next starts, so only CUDA
/// runs the streams concurrently.
/// </summary>
public abstract partial class DeviceParityTests
{
    [Test]
    public void StreamsComputeIndependentResults()
    {
        var x = Uniform(new[] { 24, 16 }, -2, 2, 301);
        var w = Uniform(new[] { 16, 8 }, -1, 1, 302);
        var y = Uniform(new[] { 500 }, -3, 3, 303);
        var expectedA = x.MatMul(w).Relu().Sum(0);
        var expectedB = (y.Exp() * 0.5 + y).Neg();

        var dx = x.To(Device);
        var dw = w.To(Device);
        var dy = y.To(Device);
        using var s1 = Device.CreateStream();
        using var s2 = Device.CreateStream();
        Assert.That(s1.IsDefault, Is.False);
        Assert.That(Device.CurrentStream, Is.SameAs(Device.DefaultStream));
        Tensor a, b;
        using (s1.Use())
        {
            Assert.That(Device.CurrentStream, Is.SameAs(s1));
            a = dx.MatMul(dw).Relu().Sum(0);
        }
        using (s2.Use())
        {
            Assert.That(Device.CurrentStream, Is.SameAs(s2));
            b = (dy.Exp() * 0.5 + dy).Neg();
        }
        Assert.That(Device.CurrentStream, Is.SameAs(Device.DefaultStream), "the scopes restore the default stream");
        s1.Synchronize();
        s2.Synchronize();
        AssertClose(a, expectedA, scale: x.Abs().MatMul(w.Abs()).Sum(0), what: "stream 1 product");
        AssertClose(b, expectedB, what: "stream 2 elementwise chain");
    }

    [Test]
    public void ValueMadeOnOneStreamIsUsedOnAnotherAfterAnEventWait()
    {
        var x = Uniform(new[] { 32, 32 }, -1, 1, 311);
        var expected = (x.MatMul(x) + 1).Tanh().Sum(1);
        var dx = x.To(Device);
        using var producer = Device.CreateStream();
        using var consumer = Device.CreateStream();
        Tensor p;
        using (producer.Use())
        {
            p = dx.MatMul(dx) + 1;
        }
        using var ready = producer.RecordEvent();
        Assert.That(ready.IsRecorded && ReferenceEquals(ready.RecordedOn, producer), Is.True);
        consumer.WaitEvent(ready);
        Tensor q;
        using (consumer.Use())
        {
            q = p.Tanh().Sum(1);
        }
        consumer.Synchronize();
        AssertClose(q, expected, scale: x.Abs().MatMul(x.Abs()).Sum(1) + 32, what: "consumer result");
        // A stream waiting for a whole other stream (torch's wait_stream) is the same order through an event.
        Tensor r;
        consumer.WaitStream(producer);
        using (consumer.Use())
        {
            r = p * 2;
        }
        AssertClose(r, (x.MatMul(x) + 1) * 2, scale: x.Abs().MatMul(x.Abs()) * 2 + 2, what: "after WaitStream");
    }

    [Test]
    public void EventsMarkOrderAndTimeTheWorkBetweenThem()
    {
        var dx = Uniform(new[] { 64, 64 }, -1, 1, 321).To(Device);
        using var s = Device.CreateStream();
        var start = Device.CreateEvent();
        var end = Device.CreateEvent();
        Assert.That(start.IsRecorded, Is.False);
        Assert.Throws<InvalidOperationException>(() => start.ElapsedMilliseconds(end), "elapsed time needs both events recorded");
        s.WaitEvent(start);  // waiting on an event never recorded does nothing (as in PyTorch)
        start.Synchronize();
        Tensor y;
        using (s.Use())
        {
            start.Record();
            y = dx;
            for (int i = 0; i < 4; i++)
            {
                y = y.MatMul(dx).Tanh();
            }
            end.Record();
        }
        Assert.That(start.RecordedOn, Is.SameAs(s));
        end.Synchronize();
        double ms = start.ElapsedMilliseconds(end);
        Assert.That(ms, Is.GreaterThanOrEqualTo(0).And.LessThan(60_000), "elapsed time of four 64x64 products");
        Assert.That(end.ElapsedMilliseconds(start), Is.LessThanOrEqualTo(0.001), "the end event comes after the start");
        Assert.That(y.ToArray<float>().All(float.IsFinite), Is.True);
        start.Dispose();
        start.Dispose();
        Assert.Throws<ObjectDisposedException>(() => start.Record(s));
        end.Dispose();
    }

    [Test]
    public void StreamScopesNestPerThreadAndMisuseIsReported()
    {
        using var s1 = Device.CreateStream();
        using var s2 = Device.CreateStream();
        var outer = s1.Use();
        var inner = s2.Use();
        Assert.That(Device.CurrentStream, Is.SameAs(s2));
        var seenElsewhere = Task.Run(() => Device.CurrentStream).Result;
        Assert.That(seenElsewhere, Is.SameAs(Device.DefaultStream), "a scope is local to its thread");
        var ex = Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        Assert.That(ex!.Message, Does.Contain("innermost first"));
        inner.Dispose();
        Assert.That(Device.CurrentStream, Is.SameAs(s1));
        outer.Dispose();
        outer.Dispose();
        Assert.That(Device.CurrentStream, Is.SameAs(Device.DefaultStream));
        Device.DefaultStream.Dispose();  // the default stream is never disposed
        Assert.That(Device.DefaultStream.IsDisposed, Is.False);
        s1.Dispose();
        Assert.Throws<ObjectDisposedException>(() => s1.Use());
        Assert.Throws<ObjectDisposedException>(() => s1.Synchronize());
        var other = Device.Equals(Device.Cpu) ? Devices.IlgpuCpu() : Device.Cpu;
        using var foreign = other.CreateEvent();
        Assert.Throws<ArgumentException>(() => s2.WaitEvent(foreign));
    }

    [Test]
    public void StreamsAndEventsLeftToTheGarbageCollectorAreSafe()
    {
        static void Abandon(Device d)
        {
            var s = d.CreateStream();
            var e = d.CreateEvent();
            using (s.Use())
            {
                var t = Tensor.Ones(new[] { 100 }, device: d) * 3;
                e.Record();
                _ = t;
            }
        }

        for (int i = 0; i < 4; i++)
        {
            Abandon(Device);
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Device.Synchronize();
        Parity(d => (Tensor.Arange(10, device: d) * 2).Sum());
    }
}
