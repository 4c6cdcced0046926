namespace Engine.Kernels;

/// <summary>
/// Per-thread scratch memory for packed panels. It grows to the largest request and is then
/// reused, so steady-state GEMM calls allocate nothing (fresh pages cost far more than the math
/// for small products). Pinned, so raw pointers into it stay valid; aligned to 64 bytes.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    [ThreadStatic]
    private static GemmWorkspace? current;

    private byte[]? buffer;
    private byte* aligned;
    private nint capacity;

    [ThreadStatic]
    private static GemmWorkspace? scratch;

    /// <summary>The calling thread's workspace.</summary>
    public static GemmWorkspace Current => current ??= new GemmWorkspace();

    /// <summary>A second per-thread block, for results that must not share memory with the packed panels.</summary>
    public static GemmWorkspace Scratch => scratch ??= new GemmWorkspace();

    /// <summary>At least <paramref name="bytes"/> bytes, 64-byte aligned, contents undefined.</summary>
    public byte* Get(nint bytes)
    {
        if (bytes > capacity)
        {
            buffer = GC.AllocateUninitializedArray<byte>(checked((int)(bytes + 64)), pinned: true);
            fixed (byte* p = buffer)
            {
                aligned = (byte*)(((nint)p + 63) & ~(nint)63);
            }
            capacity = bytes;
        }
        return aligned;
    }
}
