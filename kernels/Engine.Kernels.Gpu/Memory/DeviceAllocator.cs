using System.Collections.Concurrent;
using ILGPU;
using ILGPU.Runtime;

namespace Engine.Gpu;

/// <summary>A device memory block owned by the caching allocator.</summary>
internal sealed class DeviceBlock
{
    public DeviceBlock(MemoryBuffer1D<byte, Stride1D.Dense> buffer, long size)
    {
        Buffer = buffer;
        Size = size;
    }

    public MemoryBuffer1D<byte, Stride1D.Dense> Buffer { get; }

    /// <summary>Rounded size (the cache bucket).</summary>
    public long Size { get; }

    /// <summary>The stream that was current when the block was handed out.</summary>
    public GpuStream? Owner { get; set; }

    /// <summary>Other streams whose kernels used the block while it was held (null when none).</summary>
    public List<GpuStream>? OtherUsers { get; set; }

    /// <summary>In the pool: the one stream it may be handed to, or null for any stream.</summary>
    public GpuStream? ReadyFor { get; set; }

    /// <summary>Freed but waiting: the streams that must synchronise before it can be reused.</summary>
    public List<GpuStream>? PendingOn { get; set; }

    /// <summary>Notes that a kernel on <paramref name="stream"/> uses the block.</summary>
    public void MarkUsed(GpuStream stream)
    {
        if (ReferenceEquals(stream, Owner))
        {
            return;
        }
        lock (this)
        {
            var users = OtherUsers ??= new List<GpuStream>(1);
            if (!users.Contains(stream))
            {
                users.Add(stream);
            }
        }
    }
}

/// <summary>
/// A caching device allocator in the manner of PyTorch's: freed blocks are kept per rounded size and handed out
/// again instead of going back to the driver, because device allocation and release synchronise the device and are
/// slow. When the driver refuses an allocation the cache is emptied and the allocation retried once; if that fails
/// too a <see cref="GpuOutOfMemoryException"/> says how much was asked for and how much is in use.
/// <para>
/// Streams: a freed block may still be read by a kernel queued on a stream, so it is reused only where that kernel
/// is ordered before the reuse. Each block remembers the stream current when it was handed out and every other
/// stream that used it. A block used by one stream only returns to the pool for that stream (the stream's order
/// protects it) and for every stream once that stream or the device synchronises. A block used by several streams
/// waits outside the pool until each of them, or the device, has synchronised (PyTorch leaves this case to
/// record_stream; here it is automatic).
/// </para>
/// </summary>
public sealed class DeviceAllocator : IDisposable
{
    private const long SmallLimit = 1 << 20;
    private const long SmallRound = 512;
    private const long LargeRound = 2 << 20;

    private readonly Accelerator _accelerator;
    private readonly string _deviceName;
    private readonly object _gate = new();
    private readonly Dictionary<long, List<DeviceBlock>> _free = new();
    private readonly List<DeviceBlock> _pending = new();
    private readonly ConcurrentQueue<DeviceBlock> _fromFinalizers = new();

    // Every block handed out stays reachable from here. Without this, a storage left to the garbage
    // collector would take its ILGPU buffer down with it: the buffer's own finalizer would free the
    // device memory in the same collection in which the storage's finalizer queues it for reuse.
    private readonly HashSet<DeviceBlock> _live = new(ReferenceEqualityComparer.Instance);
    private int _streamTagged;
    private bool _disposed;

    internal DeviceAllocator(Accelerator accelerator, string deviceName)
    {
        _accelerator = accelerator;
        _deviceName = deviceName;
    }

    /// <summary>Bytes in blocks held by live storages.</summary>
    public long BytesInUse { get; private set; }

    /// <summary>Bytes in freed blocks kept for reuse.</summary>
    public long BytesCached { get; private set; }

    /// <summary>Bytes in freed blocks that wait for streams to synchronise before they can be reused.</summary>
    public long BytesPending { get; private set; }

    /// <summary>Number of allocations served from the cache.</summary>
    public long CacheHits { get; private set; }

    /// <summary>Number of allocations that went to the driver.</summary>
    public long DriverAllocations { get; private set; }

    /// <summary>
    /// Upper bound on <see cref="BytesInUse"/> plus the request (like PyTorch's per-process memory
    /// fraction); null means only the device itself limits.
    /// </summary>
    public long? MemoryLimit { get; set; }

    /// <summary>The bucket a request of <paramref name="bytes"/> bytes is served from.</summary>
    public static long RoundSize(long bytes)
    {
        bytes = Math.Max(bytes, 1);
        long unit = bytes < SmallLimit ? SmallRound : LargeRound;
        return (bytes + unit - 1) / unit * unit;
    }

    internal DeviceBlock Rent(long bytes, string what, GpuStream stream)
    {
        long size = RoundSize(bytes);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            DrainFinalized();
            if (MemoryLimit is long limit && BytesInUse + size > limit)
            {
                throw new GpuOutOfMemoryException(
                    $"{_deviceName}: out of memory: {what} needs {Format(size)} but the memory limit is {Format(limit)} and {Format(BytesInUse)} is in use");
            }
            if (_free.TryGetValue(size, out var list) && TakeFor(list, stream) is { } hit)
            {
                BytesCached -= size;
                BytesInUse += size;
                CacheHits++;
                _live.Add(hit);
                hit.Owner = stream;
                return hit;
            }
            MemoryBuffer1D<byte, Stride1D.Dense> buffer;
            try
            {
                buffer = _accelerator.Allocate1D<byte>(size);
            }
            catch (Exception first) when (first is not GpuOutOfMemoryException)
            {
                // Give every cached block back to the driver and try once more.
                EmptyCacheLocked();
                try
                {
                    buffer = _accelerator.Allocate1D<byte>(size);
                }
                catch (Exception second)
                {
                    throw new GpuOutOfMemoryException(
                        $"{_deviceName}: out of memory: {what} needs {Format(size)}; {Format(BytesInUse)} is in use by live tensors "
                        + $"and the device has {Format(_accelerator.MemorySize)} in all ({second.GetType().Name}: {second.Message})", second);
                }
            }
            DriverAllocations++;
            BytesInUse += size;
            var block = new DeviceBlock(buffer, size) { Owner = stream };
            _live.Add(block);
            return block;
        }
    }

    // The most recently freed block the stream may use: one ready for any stream or for this one.
    private DeviceBlock? TakeFor(List<DeviceBlock> list, GpuStream stream)
    {
        for (int i = list.Count - 1; i >= 0; i--)
        {
            var b = list[i];
            if (b.ReadyFor is null || ReferenceEquals(b.ReadyFor, stream))
            {
                list.RemoveAt(i);
                if (b.ReadyFor is not null && !b.ReadyFor.IsDefault)
                {
                    _streamTagged--;
                }
                b.ReadyFor = null;
                return b;
            }
        }
        return null;
    }

    internal void Return(DeviceBlock block)
    {
        lock (_gate)
        {
            BytesInUse -= block.Size;
            _live.Remove(block);
            if (_disposed)
            {
                block.Buffer.Dispose();
                return;
            }
            Park(block);
        }
    }

    // Puts a freed block in the pool, for its one stream, or among the pending blocks when several streams used it.
    // A disposed stream finished its work when it was disposed, so it no longer counts.
    private void Park(DeviceBlock block)
    {
        var owner = block.Owner;
        var others = block.OtherUsers;
        block.Owner = null;
        block.OtherUsers = null;
        if (others is null || others.Count == 0)
        {
            Pool(block, owner is null || owner.IsDisposed ? null : owner);
            return;
        }
        var waitFor = new List<GpuStream>(1 + others.Count);
        if (owner is not null && !owner.IsDisposed)
        {
            waitFor.Add(owner);
        }
        foreach (var s in others)
        {
            if (!s.IsDisposed && !waitFor.Contains(s))
            {
                waitFor.Add(s);
            }
        }
        if (waitFor.Count <= 1)
        {
            Pool(block, waitFor.Count == 0 ? null : waitFor[0]);
            return;
        }
        block.PendingOn = waitFor;
        _pending.Add(block);
        BytesPending += block.Size;
    }

    private void Pool(DeviceBlock block, GpuStream? readyFor)
    {
        if (!_free.TryGetValue(block.Size, out var list))
        {
            list = new List<DeviceBlock>();
            _free[block.Size] = list;
        }
        block.ReadyFor = readyFor;
        if (readyFor is not null && !readyFor.IsDefault)
        {
            _streamTagged++;
        }
        list.Add(block);
        BytesCached += block.Size;
    }

    /// <summary>
    /// Called once <paramref name="stream"/>'s queued work has finished: blocks kept for it become free for every
    /// stream, and pending blocks stop waiting for it.
    /// </summary>
    internal void StreamSynchronized(GpuStream stream)
    {
        lock (_gate)
        {
            if (_streamTagged > 0 || stream.IsDefault)
            {
                foreach (var list in _free.Values)
                {
                    foreach (var b in list)
                    {
                        if (ReferenceEquals(b.ReadyFor, stream))
                        {
                            b.ReadyFor = null;
                            if (!stream.IsDefault)
                            {
                                _streamTagged--;
                            }
                        }
                    }
                }
            }
            for (int i = _pending.Count - 1; i >= 0; i--)
            {
                var b = _pending[i];
                b.PendingOn!.Remove(stream);
                if (b.PendingOn.Count == 0)
                {
                    Unpend(i);
                }
            }
        }
    }

    /// <summary>Called once every stream of the device has finished its queued work: every cached block is free for any stream.</summary>
    internal void DeviceSynchronized()
    {
        lock (_gate)
        {
            foreach (var list in _free.Values)
            {
                foreach (var b in list)
                {
                    b.ReadyFor = null;
                }
            }
            _streamTagged = 0;
            for (int i = _pending.Count - 1; i >= 0; i--)
            {
                Unpend(i);
            }
        }
    }

    private void Unpend(int i)
    {
        var b = _pending[i];
        _pending.RemoveAt(i);
        b.PendingOn = null;
        BytesPending -= b.Size;
        Pool(b, null);
    }

    // Runs on the finalizer thread: no locks, no device calls, no exceptions.
    internal void ReturnFromFinalizer(DeviceBlock block) => _fromFinalizers.Enqueue(block);

    private void DrainFinalized()
    {
        while (_fromFinalizers.TryDequeue(out var b))
        {
            BytesInUse -= b.Size;
            _live.Remove(b);
            Park(b);
        }
    }

    /// <summary>Releases every cached (unused) block to the driver, after waiting for the device.</summary>
    public void EmptyCache()
    {
        lock (_gate)
        {
            DrainFinalized();
            EmptyCacheLocked();
        }
    }

    private void EmptyCacheLocked()
    {
        _accelerator.Synchronize();
        foreach (var list in _free.Values)
        {
            foreach (var b in list)
            {
                b.Buffer.Dispose();
            }
            list.Clear();
        }
        foreach (var b in _pending)
        {
            b.Buffer.Dispose();
        }
        _pending.Clear();
        _streamTagged = 0;
        BytesCached = 0;
        BytesPending = 0;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            DrainFinalized();
            EmptyCacheLocked();
            _disposed = true;
        }
    }

    internal static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.##} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.##} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.##} KiB",
        _ => $"{bytes} B",
    };
}
