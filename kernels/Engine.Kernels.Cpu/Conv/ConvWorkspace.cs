namespace Engine.Kernels;

/// <summary>
/// Per-thread scratch arrays for the convolution kernels (im2col columns and their gradients).
/// Each slot grows to the largest request and is then reused, so steady-state calls allocate
/// nothing: fresh pages cost far more than the copy that fills them. Pinned, so kernels may hold
/// raw pointers into them while worker threads run.
/// </summary>
internal static class ConvWorkspace<T> where T : unmanaged
{
    /// <summary>Number of independent slots.</summary>
    public const int Slots = 3;

    [ThreadStatic]
    private static T[]?[]? _buffers;

    /// <summary>At least <paramref name="length"/> elements in slot <paramref name="slot"/>; contents undefined.</summary>
    public static T[] Get(int slot, long length)
    {
        var b = _buffers ??= new T[]?[Slots];
        var a = b[slot];
        if (a is null || a.Length < length)
        {
            // Grow by half again so a slowly growing series of shapes does not reallocate each call.
            long size = Math.Max(length, a is null ? 0 : a.Length + a.Length / 2);
            a = GC.AllocateUninitializedArray<T>(checked((int)size), pinned: true);
            b[slot] = a;
        }
        return a;
    }
}
