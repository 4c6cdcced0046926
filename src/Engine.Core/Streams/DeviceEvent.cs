namespace Engine;

/// <summary>
/// A marker in a stream's queue (torch.cuda.Event): <see cref="Record"/> marks the work queued so far on a stream,
/// <see cref="DeviceStream.WaitEvent"/> makes another stream wait for it, <see cref="Synchronize"/> makes the host
/// wait for it, and the time between two recorded events measures the device work between them.
/// </summary>
public abstract class DeviceEvent : IDisposable
{
    private bool _disposed;

    /// <summary>Creates an event of <paramref name="device"/> (backends call this).</summary>
    protected DeviceEvent(Device device)
    {
        Device = device;
    }

    /// <summary>The device the event belongs to.</summary>
    public Device Device { get; }

    /// <summary>Whether <see cref="Record"/> has been called.</summary>
    public bool IsRecorded => RecordedOn is not null;

    /// <summary>The stream of the latest <see cref="Record"/>, or null.</summary>
    public DeviceStream? RecordedOn { get; private set; }

    /// <summary>Marks the work queued so far on <paramref name="stream"/> (the current stream when null); re-recording moves the mark.</summary>
    public void Record(DeviceStream? stream = null)
    {
        ThrowIfDisposed();
        stream ??= DeviceStream.Current(Device);
        if (!stream.Device.Equals(Device))
        {
            throw new ArgumentException($"event record: the event belongs to {Device} but the stream to {stream.Device}");
        }
        if (stream.IsDisposed)
        {
            throw new ObjectDisposedException(nameof(DeviceStream), $"event record: the {stream.Device} stream was disposed");
        }
        RecordCore(stream);
        RecordedOn = stream;
    }

    /// <summary>Blocks the host until the recorded work has finished (returns at once if never recorded).</summary>
    public void Synchronize()
    {
        ThrowIfDisposed();
        if (IsRecorded)
        {
            SynchronizeCore();
        }
    }

    /// <summary>Makes the current stream (or <paramref name="stream"/>) wait for this event, like <see cref="DeviceStream.WaitEvent"/>.</summary>
    public void Wait(DeviceStream? stream = null) => (stream ?? DeviceStream.Current(Device)).WaitEvent(this);

    /// <summary>
    /// Milliseconds of device time from this event to <paramref name="end"/> (both recorded; waits for
    /// <paramref name="end"/>), like torch.cuda.Event.elapsed_time.
    /// </summary>
    public double ElapsedMilliseconds(DeviceEvent end)
    {
        ArgumentNullException.ThrowIfNull(end);
        ThrowIfDisposed();
        end.ThrowIfDisposed();
        if (!IsRecorded || !end.IsRecorded)
        {
            throw new InvalidOperationException($"event elapsed time: both events must be recorded first (start recorded: {IsRecorded}, end recorded: {end.IsRecorded})");
        }
        if (!end.Device.Equals(Device) || end.GetType() != GetType())
        {
            throw new ArgumentException($"event elapsed time: the events belong to different devices ({Device} and {end.Device})");
        }
        return ElapsedCore(end);
    }

    /// <summary>Releases the event; idempotent. Never throws from a finalizer (events hold no finalizer of their own).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        DisposeCore();
        GC.SuppressFinalize(this);
    }

    /// <summary>Records the event on <paramref name="stream"/>.</summary>
    protected abstract void RecordCore(DeviceStream stream);

    /// <summary>Waits on the host for the recorded work.</summary>
    protected abstract void SynchronizeCore();

    /// <summary>Milliseconds from this event to <paramref name="end"/>, both recorded.</summary>
    protected abstract double ElapsedCore(DeviceEvent end);

    /// <summary>Releases the event's resources (called once).</summary>
    protected virtual void DisposeCore()
    {
    }

    /// <summary>Throws when the event was disposed.</summary>
    protected void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(DeviceEvent), $"the {Device} event was disposed");
        }
    }
}
