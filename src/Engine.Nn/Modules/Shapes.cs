namespace Engine.Nn;

/// <summary>Formatting helpers for messages.</summary>
internal static class Shapes
{
    /// <summary>"[2, 3]" for a shape.</summary>
    public static string Str(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>"[2, 3]" for a tensor's shape.</summary>
    public static string Of(Tensor t) => Str(t.Shape);

    /// <summary>A float as Python's repr prints it (1e-05, 0.1, 2.0).</summary>
    public static string PyFloat(double v)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (v != 0 && (Math.Abs(v) < 1e-4 || Math.Abs(v) >= 1e16))
        {
            return v.ToString("0.################e+00", inv);
        }
        var s = v.ToString("R", inv);
        return s.Contains('.') || s.Contains('E') ? s : s + ".0";
    }
}
