namespace Engine.Gpu;

/// <summary>
/// Thrown when a device cannot hold a new tensor: the driver refused the allocation (after the
/// allocator emptied its cache and retried) or the allocator's memory limit would be exceeded.
/// Nothing else is touched: every existing tensor stays valid and the process goes on.
/// </summary>
public sealed class GpuOutOfMemoryException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public GpuOutOfMemoryException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
