namespace Engine.Gpu.Kernels;

/// <summary>The sizes of up to six dimensions, padded on the left with ones (kernel parameter).</summary>
public struct Dims6
{
    public int N0, N1, N2, N3, N4, N5;
}

/// <summary>The strides of one operand over <see cref="Dims6"/>, plus its offset.</summary>
public struct Strides6
{
    public int S0, S1, S2, S3, S4, S5, Offset;

    /// <summary>Element position of a multi-index.</summary>
    public readonly int At(in Index6 i) => Offset + i.I0 * S0 + i.I1 * S1 + i.I2 * S2 + i.I3 * S3 + i.I4 * S4 + i.I5 * S5;
}

/// <summary>A multi-index over <see cref="Dims6"/>.</summary>
public struct Index6
{
    public int I0, I1, I2, I3, I4, I5;

    /// <summary>Unravels a row-major flat position.</summary>
    public static Index6 From(int flat, in Dims6 d)
    {
        Index6 r;
        r.I5 = flat % d.N5; flat /= d.N5;
        r.I4 = flat % d.N4; flat /= d.N4;
        r.I3 = flat % d.N3; flat /= d.N3;
        r.I2 = flat % d.N2; flat /= d.N2;
        r.I1 = flat % d.N1; flat /= d.N1;
        r.I0 = flat;
        return r;
    }
}

/// <summary>One-dimensional strided loop parameters: n elements, a grid step, per-operand offset and stride.</summary>
public struct Lin
{
    public int N, Step, OffA, SA, OffB, SB, OffC, SC, OffY, SY;
}

/// <summary>Up-to-six-dimensional strided loop parameters for up to four operands.</summary>
public struct Strided
{
    public int N, Step;
    public Dims6 Dims;
    public Strides6 A, B, C, Y;
}

/// <summary>
/// Host-side layout planning: merges dimensions that are contiguous in every operand and drops
/// size-1 dimensions, so most kernels see rank 1 and the rest at most rank 6.
/// </summary>
public static class LayoutPlanner
{
    /// <summary>Largest rank after merging that the strided kernels handle.</summary>
    public const int MaxRank = 6;

    /// <summary>
    /// Collapses a shape shared by several operands. Writes the merged sizes into <paramref name="outShape"/>
    /// and the merged strides of operand k into ok; returns the merged rank (at least 1).
    /// </summary>
    public static int Collapse(ReadOnlySpan<int> shape, ReadOnlySpan<int> s0, ReadOnlySpan<int> s1, ReadOnlySpan<int> s2, ReadOnlySpan<int> s3,
        int operands, Span<int> outShape, Span<int> o0, Span<int> o1, Span<int> o2, Span<int> o3)
    {
        int rank = 0;
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1)
            {
                continue;
            }
            if (rank > 0)
            {
                int p = rank - 1;
                bool merge = Mergeable(o0, s0, p, d, shape, operands > 0) && Mergeable(o1, s1, p, d, shape, operands > 1)
                    && Mergeable(o2, s2, p, d, shape, operands > 2) && Mergeable(o3, s3, p, d, shape, operands > 3);
                if (merge)
                {
                    outShape[p] *= shape[d];
                    Set(o0, s0, p, d, operands > 0);
                    Set(o1, s1, p, d, operands > 1);
                    Set(o2, s2, p, d, operands > 2);
                    Set(o3, s3, p, d, operands > 3);
                    continue;
                }
            }
            if (rank >= outShape.Length)
            {
                return -1;
            }
            outShape[rank] = shape[d];
            Set(o0, s0, rank, d, operands > 0);
            Set(o1, s1, rank, d, operands > 1);
            Set(o2, s2, rank, d, operands > 2);
            Set(o3, s3, rank, d, operands > 3);
            rank++;
        }
        if (rank == 0)
        {
            outShape[0] = 1;
            if (operands > 0) o0[0] = 0;
            if (operands > 1) o1[0] = 0;
            if (operands > 2) o2[0] = 0;
            if (operands > 3) o3[0] = 0;
            rank = 1;
        }
        return rank;

        static bool Mergeable(Span<int> merged, ReadOnlySpan<int> s, int p, int d, ReadOnlySpan<int> shape, bool used)
            => !used || merged[p] == s[d] * shape[d];

        static void Set(Span<int> merged, ReadOnlySpan<int> s, int p, int d, bool used)
        {
            if (used)
            {
                merged[p] = s[d];
            }
        }
    }

    /// <summary>Packs a merged rank-r shape into <see cref="Dims6"/> (left-padded with ones).</summary>
    public static Dims6 Dims(ReadOnlySpan<int> shape, int rank)
    {
        Span<int> n = stackalloc int[MaxRank];
        n.Fill(1);
        for (int i = 0; i < rank; i++)
        {
            n[MaxRank - rank + i] = shape[i];
        }
        return new Dims6 { N0 = n[0], N1 = n[1], N2 = n[2], N3 = n[3], N4 = n[4], N5 = n[5] };
    }

    /// <summary>Packs merged strides and an offset into <see cref="Strides6"/> (left-padded with zeros).</summary>
    public static Strides6 Strides(ReadOnlySpan<int> strides, int rank, int offset)
    {
        Span<int> s = stackalloc int[MaxRank];
        s.Clear();
        for (int i = 0; i < rank; i++)
        {
            s[MaxRank - rank + i] = strides[i];
        }
        return new Strides6 { S0 = s[0], S1 = s[1], S2 = s[2], S3 = s[3], S4 = s[4], S5 = s[5], Offset = offset };
    }
}
