namespace Engine.Kernels;

/// <summary>
/// Where a matrix lives inside a flat buffer: element (i, j) is at
/// <c>Offset + i * RowStride + j * ColStride</c>. A transposed operand is the same
/// buffer with the two strides swapped, so GEMM never needs a copy to transpose.
/// </summary>
public readonly record struct MatrixView(int Offset, int RowStride, int ColStride)
{
    /// <summary>A row-major matrix with <paramref name="cols"/> columns starting at <paramref name="offset"/>.</summary>
    public static MatrixView RowMajor(int cols, int offset = 0) => new(offset, cols, 1);

    /// <summary>The transpose of this view (rows and columns swapped).</summary>
    public MatrixView Transposed => new(Offset, ColStride, RowStride);
}
