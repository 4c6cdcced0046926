using System.Diagnostics;

namespace Engine;

/// <summary>A CPU stream: CPU ops run when they are called, so there is nothing to order or wait for.</summary>
internal sealed class HostStream : DeviceStream
{
    public HostStream(Device device, bool isDefault) : base(device, isDefault)
    {
    }

    protected override void SynchronizeCore()
    {
    }

    protected override void WaitEventCore(DeviceEvent e)
    {
    }
}

/// <summary>A CPU event: recording takes a host timestamp (the work before it has already run).</summary>
internal sealed class HostEvent : DeviceEvent
{
    private long _stamp;

    public HostEvent(Device device) : base(device)
    {
    }

    protected override void RecordCore(DeviceStream stream) => _stamp = Stopwatch.GetTimestamp();

    protected override void SynchronizeCore()
    {
    }

    protected override double ElapsedCore(DeviceEvent end)
        => Stopwatch.GetElapsedTime(_stamp, ((HostEvent)end)._stamp).TotalMilliseconds;
}
