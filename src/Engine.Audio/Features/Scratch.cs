namespace Engine.Audio.Features;

/// <summary>
/// One reusable buffer per thread and element type, so repeated feature extraction allocates only its output.
/// Callers slice it and must not hold it across calls.
/// </summary>
internal static class Scratch<T> where T : unmanaged
{
    [ThreadStatic]
    private static T[]? _buffer;

    public static T[] Rent(int length)
    {
        var b = _buffer;
        if (b is null || b.Length < length)
        {
            b = new T[Math.Max(length, (b?.Length ?? 0) * 2)];
            _buffer = b;
        }
        return b;
    }
}

/// <summary>The per-thread buffer for the padded signal (kept apart from the lane scratch of float lanes).</summary>
internal static class PadScratch
{
    [ThreadStatic]
    private static float[]? _buffer;

    public static float[] Rent(int length)
    {
        var b = _buffer;
        if (b is null || b.Length < length)
        {
            b = new float[length];
            _buffer = b;
        }
        return b;
    }
}
