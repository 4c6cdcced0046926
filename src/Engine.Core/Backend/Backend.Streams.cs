namespace Engine.Backends;

/// <summary>Streams and events (see <see cref="DeviceStream"/>); the defaults are the CPU's, which do nothing.</summary>
public abstract partial class Backend
{
    private DeviceStream? _hostDefault;

    /// <summary>The stream ops use when no <see cref="DeviceStream.Use"/> scope is active.</summary>
    public virtual DeviceStream DefaultStream => _hostDefault ??= new HostStream(HostDevice, isDefault: true);

    /// <summary>Creates a new stream on this backend's device.</summary>
    public virtual DeviceStream CreateStream() => new HostStream(HostDevice, isDefault: false);

    /// <summary>Creates an event of this backend's device (not yet recorded).</summary>
    public virtual DeviceEvent CreateEvent() => new HostEvent(HostDevice);

    /// <summary>Waits until all work queued on every stream of the device has finished.</summary>
    public virtual void Synchronize()
    {
    }

    /// <summary>The device a backend without its own stream implementation runs on (the CPU).</summary>
    protected virtual Device HostDevice => Device.Cpu;
}
