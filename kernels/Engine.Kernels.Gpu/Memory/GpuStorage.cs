using ILGPU;
using ILGPU.Runtime;

namespace Engine.Gpu;

/// <summary>
/// Tensor memory on an ILGPU accelerator: a byte block from the device's caching allocator, seen
/// as elements of the tensor's dtype (Bool is stored as one byte per element, 0 or 1). Released
/// deterministically through the tensor's Dispose; if the garbage collector gets it first, the
/// finalizer only queues the block for the allocator and never throws.
/// </summary>
public sealed class GpuStorage : Storage
{
    private readonly DeviceAllocator _allocator;
    private DeviceBlock? _block;

    internal GpuStorage(DType dtype, int length, Device device, DeviceAllocator allocator, DeviceBlock block)
        : base(dtype, length, device)
    {
        _allocator = allocator;
        _block = block;
    }

    /// <summary>Finalizer: hands the block back on a queue the allocator drains later (never throws).</summary>
    ~GpuStorage()
    {
        var b = Interlocked.Exchange(ref _block, null);
        if (b is not null)
        {
            _allocator.ReturnFromFinalizer(b);
        }
    }

    /// <summary>Size of the memory in bytes (the elements, not the cached block's rounded size).</summary>
    public long ByteLength => (long)Length * DType.ElementSize();

    internal ArrayView<byte> Bytes
    {
        get
        {
            var b = _block ?? throw new ObjectDisposedException("Tensor storage", $"the {Device} tensor's memory was released (disposed)");
            // Every kernel and copy reaches the memory through here: note a stream other than the one it was
            // allocated on, so the allocator does not reuse the block while that stream may still read it.
            var current = DeviceStream.Current(Device);
            if (!ReferenceEquals(current, b.Owner))
            {
                b.MarkUsed((GpuStream)current);
            }
            return b.Buffer.View.SubView(0, Math.Max(ByteLength, 1)).AsContiguous();
        }
    }

    /// <summary>The elements as a typed device view (T must match the dtype's size; Bool is byte).</summary>
    public ArrayView<T> View<T>() where T : unmanaged
    {
        var bytes = Bytes;
        return Length == 0 ? bytes.Cast<T>().SubView(0, 0) : bytes.Cast<T>().SubView(0, Length);
    }

    /// <summary>Returns the memory of a scratch storage that no tensor ever held (kernel workspaces).</summary>
    internal void ReleaseScratch() => Free();

    /// <inheritdoc />
    protected override void Free()
    {
        var b = Interlocked.Exchange(ref _block, null);
        if (b is not null)
        {
            _allocator.Return(b);
        }
        GC.SuppressFinalize(this);
    }
}
