namespace Engine.Nn;

/// <summary>Formatting helpers for messages.</summary>
internal static class Shapes
{
    /// <summary>"[2, 3]" for a shape.</summary>
    public static string Str(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>"[2, 3]" for a tensor's shape.</summary>
    public static string Of(Tensor t) => Str(t.Shape);
}
