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
}

/// <summary>
/// A caching device allocator in the manner of PyTorch's: freed blocks are kept per rounded size
/// and handed out again instead of going back to the driver, because device allocation and release
/// synchronise the device and are slow. All kernels run on one stream, so a block reused by a later
/// kernel is ordered after the earlier kernels that used it. When the driver refuses an allocation
/// the cache is emptied and the allocation retried once; if that fails too a
/// <see cref="GpuOutOfMemoryException"/> says how much was asked for and how much is in use.
/// </summary>
public sealed class DeviceAllocator : IDisposable
{
    private const long SmallLimit = 1 << 20;
    private const long SmallRound = 512;
    private const long LargeRound = 2 << 20;

    private readonly Accelerator _accelerator;
    private readonly string _deviceName;
    private readonly object _gate = new();
    private readonly Dictionary<long, Stack<DeviceBlock>> _free = new();
    private readonly ConcurrentQueue<DeviceBlock> _fromFinalizers = new();

    // Every block handed out stays reachable from here. Without this, a storage left to the garbage
    // collector would take its ILGPU buffer down with it: the buffer's own finalizer would free the
    // device memory in the same collection in which the storage's finalizer queues it for reuse.
    private readonly HashSet<DeviceBlock> _live = new(ReferenceEqualityComparer.Instance);
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

    internal DeviceBlock Rent(long bytes, string what)
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
            if (_free.TryGetValue(size, out var stack) && stack.Count > 0)
            {
                var hit = stack.Pop();
                BytesCached -= size;
                BytesInUse += size;
                CacheHits++;
                _live.Add(hit);
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
            var block = new DeviceBlock(buffer, size);
            _live.Add(block);
            return block;
        }
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
            if (!_free.TryGetValue(block.Size, out var stack))
            {
                stack = new Stack<DeviceBlock>();
                _free[block.Size] = stack;
            }
            stack.Push(block);
            BytesCached += block.Size;
        }
    }

    // Runs on the finalizer thread: no locks, no device calls, no exceptions.
    internal void ReturnFromFinalizer(DeviceBlock block) => _fromFinalizers.Enqueue(block);

    private void DrainFinalized()
    {
        while (_fromFinalizers.TryDequeue(out var b))
        {
            BytesInUse -= b.Size;
            _live.Remove(b);
            if (!_free.TryGetValue(b.Size, out var stack))
            {
                stack = new Stack<DeviceBlock>();
                _free[b.Size] = stack;
            }
            stack.Push(b);
            BytesCached += b.Size;
        }
    }

    /// <summary>Releases every cached (unused) block to the driver.</summary>
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
        foreach (var stack in _free.Values)
        {
            while (stack.Count > 0)
            {
                stack.Pop().Buffer.Dispose();
            }
        }
        BytesCached = 0;
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
