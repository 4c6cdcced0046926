namespace Engine.Kernels;

/// <summary>
/// Merges the dimensions of up to three operands that are laid out contiguously with respect to
/// each other, and drops size-1 dimensions, so the drivers loop over as few dimensions as possible.
/// A (2, 3, 4) tensor that is contiguous in all operands collapses to one dimension of 24.
/// </summary>
internal static class StridedShape
{
    /// <summary>Collapses in place; returns the new rank (at least 1).</summary>
    public static int Collapse(Span<int> shape, Span<int> s0, Span<int> s1, Span<int> s2, int rank)
    {
        // Drop size-1 dims first (their strides are irrelevant).
        int r = 0;
        for (int d = 0; d < rank; d++)
        {
            if (shape[d] != 1)
            {
                shape[r] = shape[d];
                s0[r] = s0[d];
                s1[r] = s1[d];
                s2[r] = s2[d];
                r++;
            }
        }
        if (r == 0)
        {
            shape[0] = 1;
            s0[0] = s1[0] = s2[0] = 0;
            return 1;
        }
        // Merge dim d into d+1 when stride[d] == stride[d+1] * shape[d+1] for every operand.
        int w = r - 1;
        for (int d = r - 2; d >= 0; d--)
        {
            int n = shape[w];
            if (s0[d] == s0[w] * n && s1[d] == s1[w] * n && s2[d] == s2[w] * n)
            {
                shape[w] *= shape[d];
            }
            else
            {
                w--;
                shape[w] = shape[d];
                s0[w] = s0[d];
                s1[w] = s1[d];
                s2[w] = s2[d];
            }
        }
        int newRank = r - w;
        if (w > 0)
        {
            shape.Slice(w, newRank).CopyTo(shape);
            s0.Slice(w, newRank).CopyTo(s0);
            s1.Slice(w, newRank).CopyTo(s1);
            s2.Slice(w, newRank).CopyTo(s2);
        }
        return newRank;
    }
}
