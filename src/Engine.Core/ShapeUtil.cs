namespace Engine;

/// <summary>Shape arithmetic shared by the ops: normalising dims, broadcasting, strides.</summary>
internal static class ShapeUtil
{
    public static int Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            n *= d;
        }
        if (n > int.MaxValue)
        {
            throw new ArgumentException($"tensor of shape {Tensor.ShapeString(shape)} has more than {int.MaxValue} elements");
        }
        return (int)n;
    }

    public static int[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            s[d] = acc;
            acc *= Math.Max(shape[d], 1);
        }
        return s;
    }

    /// <summary>Maps a possibly negative dim into [0, rank), or throws naming the op.</summary>
    public static int NormDim(int dim, int rank, string op, bool allowEnd = false)
    {
        int r = allowEnd ? rank + 1 : rank;
        int lo = -Math.Max(r, 1), hi = Math.Max(r, 1) - 1;
        if (dim < lo || dim > hi)
        {
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"{op}: dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})");
        }
        return dim < 0 ? dim + Math.Max(r, 1) : dim;
    }

    /// <summary>The broadcast shape of two shapes (NumPy rules), or throws naming the op.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string op)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
            {
                throw new ArgumentException($"{op}: shapes {Tensor.ShapeString(a)} and {Tensor.ShapeString(b)} cannot be broadcast together (dimension {i}: {da} vs {db})");
            }
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    /// <summary>Strides that view a tensor of shape/strides as the larger broadcast shape (0 where broadcast).</summary>
    public static void BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, ReadOnlySpan<int> target, Span<int> result)
    {
        int lead = target.Length - shape.Length;
        for (int i = 0; i < target.Length; i++)
        {
            if (i < lead)
            {
                result[i] = 0;
            }
            else
            {
                int d = shape[i - lead];
                result[i] = d == target[i] ? strides[i - lead] : 0;
            }
        }
    }

    public static bool SameShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>Normalises and sorts a set of dims; null or empty means all dims.</summary>
    public static int[] NormDims(int[]? dims, int rank, string op)
    {
        if (dims is null || dims.Length == 0)
        {
            return Enumerable.Range(0, rank).ToArray();
        }
        var r = new int[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            r[i] = NormDim(dims[i], rank, op);
        }
        Array.Sort(r);
        for (int i = 1; i < r.Length; i++)
        {
            if (r[i] == r[i - 1])
            {
                throw new ArgumentException($"{op}: dim {r[i]} appears more than once in the list of dims");
            }
        }
        return r;
    }
}
