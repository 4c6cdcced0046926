namespace Engine;

/// <summary>
/// An ordered queue of work on one device (torch.cuda.Stream): kernels enqueued on one stream run in order,
/// kernels on different streams may overlap. Ops enqueue on the thread's current stream for their device, the
/// device's default stream unless a <see cref="Use"/> scope is active. Order work across streams with
/// <see cref="WaitStream"/> or events (<see cref="RecordEvent"/>, <see cref="WaitEvent"/>). Reading a tensor back
/// to the host (ToArray, Item, To(cpu)) waits for all queued work on its device. On the CPU every op runs when it
/// is called, so CPU streams exist and do nothing.
/// </summary>
public abstract class DeviceStream : IDisposable
{
    [ThreadStatic]
    private static List<DeviceStream>? _active;

    private bool _disposed;

    /// <summary>Creates a stream of <paramref name="device"/> (backends call this).</summary>
    protected DeviceStream(Device device, bool isDefault)
    {
        Device = device;
        IsDefault = isDefault;
    }

    /// <summary>The device the stream queues work on.</summary>
    public Device Device { get; }

    /// <summary>Whether this is the device's default stream (never disposed).</summary>
    public bool IsDefault { get; }

    /// <summary>Whether <see cref="Dispose()"/> has released the stream.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>
    /// The stream ops on <paramref name="device"/> enqueue on from this thread: the innermost active
    /// <see cref="Use"/> scope's stream for that device, else the device's default stream.
    /// </summary>
    public static DeviceStream Current(Device device)
    {
        var active = _active;
        if (active is not null)
        {
            for (int i = active.Count - 1; i >= 0; i--)
            {
                if (active[i].Device.Equals(device))
                {
                    return active[i];
                }
            }
        }
        return device.Backend.DefaultStream;
    }

    /// <summary>
    /// Makes this stream the current stream of its device on this thread until the returned scope is disposed
    /// (like <c>with torch.cuda.stream(s):</c>). Scopes nest and must be disposed in reverse order.
    /// </summary>
    public StreamScope Use()
    {
        ThrowIfDisposed();
        (_active ??= new List<DeviceStream>()).Add(this);
        return new StreamScope(this, _active.Count);
    }

    /// <summary>Blocks the calling thread until every kernel and copy queued on this stream so far has finished.</summary>
    public void Synchronize()
    {
        ThrowIfDisposed();
        SynchronizeCore();
    }

    /// <summary>Records a new event on this stream (marks the work queued so far) and returns it.</summary>
    public DeviceEvent RecordEvent()
    {
        var e = Device.Backend.CreateEvent();
        e.Record(this);
        return e;
    }

    /// <summary>
    /// Makes work queued on this stream after this call wait until <paramref name="e"/>'s recorded work has
    /// finished (the host does not block where the device can wait on its own). Waiting on an event that was never
    /// recorded does nothing, as in PyTorch.
    /// </summary>
    public void WaitEvent(DeviceEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        ThrowIfDisposed();
        if (!e.Device.Equals(Device))
        {
            throw new ArgumentException($"stream wait: the event belongs to {e.Device} but the stream to {Device}");
        }
        if (e.IsRecorded && !ReferenceEquals(e.RecordedOn, this))
        {
            WaitEventCore(e);
        }
    }

    /// <summary>Makes work queued on this stream from now on wait for everything queued on <paramref name="other"/> so far.</summary>
    public void WaitStream(DeviceStream other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this))
        {
            return;
        }
        using var e = other.RecordEvent();
        WaitEvent(e);
    }

    /// <summary>Waits for the stream's queued work (where the device needs it) and releases it; idempotent.</summary>
    public void Dispose()
    {
        if (IsDefault || _disposed)
        {
            return;
        }
        // The stream's work is finished (DisposeCore waits for it) before it reads as disposed: a disposed stream
        // has nothing left in flight, which the GPU allocator relies on.
        DisposeCore();
        _disposed = true;
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public override string ToString() => IsDefault ? $"{Device} default stream" : $"{Device} stream";

    /// <summary>Waits for the stream's queued work.</summary>
    protected abstract void SynchronizeCore();

    /// <summary>Orders later work on this stream after <paramref name="e"/> (recorded on another stream of this device).</summary>
    protected abstract void WaitEventCore(DeviceEvent e);

    /// <summary>Releases the stream's resources (called once, never for the default stream).</summary>
    protected virtual void DisposeCore()
    {
    }

    /// <summary>Throws when the stream was disposed.</summary>
    protected void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(DeviceStream), $"the {Device} stream was disposed");
        }
    }

    internal static void Pop(DeviceStream stream, int depth)
    {
        var active = _active;
        if (active is null || active.Count != depth || !ReferenceEquals(active[^1], stream))
        {
            throw new InvalidOperationException(
                $"stream scope: scopes must be disposed on the thread that opened them, innermost first (closing the {stream} scope opened at depth {depth}, current depth {active?.Count ?? 0})");
        }
        active.RemoveAt(active.Count - 1);
    }
}

/// <summary>The scope of <see cref="DeviceStream.Use"/>: disposing it restores the previous current stream.</summary>
public sealed class StreamScope : IDisposable
{
    private readonly DeviceStream _stream;
    private readonly int _depth;
    private bool _closed;

    internal StreamScope(DeviceStream stream, int depth)
    {
        _stream = stream;
        _depth = depth;
    }

    /// <summary>The stream made current by this scope.</summary>
    public DeviceStream Stream => _stream;

    /// <summary>Restores the previous current stream (idempotent).</summary>
    public void Dispose()
    {
        if (_closed)
        {
            return;
        }
        DeviceStream.Pop(_stream, _depth);
        _closed = true;
    }
}
