namespace Engine;

/// <summary>
/// The memory behind one or more tensors. Views share a storage; each tensor holds one reference,
/// and the memory returns to its pool when the last tensor using it is disposed.
/// </summary>
public abstract class Storage
{
    private int _refs;

    /// <summary>Creates a storage of <paramref name="length"/> elements.</summary>
    protected Storage(DType dtype, int length, Device device)
    {
        DType = dtype;
        Length = length;
        Device = device;
    }

    /// <summary>Element type.</summary>
    public DType DType { get; }

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>Where the memory lives.</summary>
    public Device Device { get; }

    /// <summary>Bumped by every in-place write, so autograd can detect stale saved tensors.</summary>
    public int Version { get; internal set; }

    /// <summary>Whether the memory has been handed back.</summary>
    public bool IsReleased { get; private set; }

    internal void AddRef() => Interlocked.Increment(ref _refs);

    internal void Release()
    {
        if (Interlocked.Decrement(ref _refs) == 0 && !IsReleased)
        {
            IsReleased = true;
            Free();
        }
    }

    /// <summary>Returns the memory to its pool.</summary>
    protected abstract void Free();
}

/// <summary>Storage in a managed array on the CPU.</summary>
public sealed class CpuStorage<T> : Storage where T : unmanaged
{
    private T[] _data;

    /// <summary>Rents an array from the pool (contents undefined unless <paramref name="zero"/>).</summary>
    public CpuStorage(DType dtype, int length, bool zero) : base(dtype, length, Device.Cpu)
    {
        _data = BufferPool<T>.Rent(length);
        if (zero)
        {
            System.Array.Clear(_data, 0, length);
        }
    }

    /// <summary>Wraps an existing array without copying (not pooled).</summary>
    public CpuStorage(DType dtype, T[] data) : base(dtype, data.Length, Device.Cpu)
    {
        _data = data;
    }

    /// <summary>The backing array (may be longer than <see cref="Storage.Length"/>).</summary>
    public T[] Array => IsReleased ? throw new ObjectDisposedException("Tensor storage", "the tensor's memory was released (disposed)") : _data;

    /// <summary>The elements as a span.</summary>
    public Span<T> Span => Array.AsSpan(0, Length);

    /// <inheritdoc />
    protected override void Free()
    {
        BufferPool<T>.Return(_data);
        _data = System.Array.Empty<T>();
    }
}
