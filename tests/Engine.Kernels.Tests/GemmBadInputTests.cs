using Engine.Kernels;
using NUnit.Framework;

namespace Engine.Kernels.Tests;

/// <summary>Bad sizes and views fail with a message naming Gemm and the values, before touching memory.</summary>
[TestFixture]
public class GemmBadInputTests
{
    [Test]
    public void NegativeSize()
    {
        var x = new float[16];
        Assert.That(() => Gemm.Sgemm(-1, 2, 2, 1f, x, MatrixView.RowMajor(2), x, MatrixView.RowMajor(2), 0f, x, MatrixView.RowMajor(2)),
            Throws.ArgumentException.With.Message.Contains("Gemm").And.Message.Contains("m=-1"));
    }

    [Test]
    public void ViewPastTheBuffer()
    {
        var a = new float[6];
        var b = new float[6];
        var c = new float[4];
        Assert.That(() => Gemm.Sgemm(2, 2, 4, 1f, a, MatrixView.RowMajor(4), b, MatrixView.RowMajor(2), 0f, c, MatrixView.RowMajor(2)),
            Throws.ArgumentException.With.Message.Contains("Gemm: A (2 x 4").And.Message.Contains("buffer has 6"));
        Assert.That(() => Gemm.Sgemm(2, 2, 3, 1f, a, MatrixView.RowMajor(3), b, MatrixView.RowMajor(2), 0f, c, MatrixView.RowMajor(2, offset: 1)),
            Throws.ArgumentException.With.Message.Contains("Gemm: C (2 x 2").And.Message.Contains("offset=1"));
    }

    [Test]
    public void BatchPastTheBuffer()
    {
        var a = new double[8];
        var c = new double[8];
        Assert.That(() => Gemm.Batched(3, 2, 2, 2, 1.0, a, MatrixView.RowMajor(2), 4, a, MatrixView.RowMajor(2), 0, 0.0, c, MatrixView.RowMajor(2), 4),
            Throws.ArgumentException.With.Message.Contains("Gemm: A").And.Message.Contains("batch 3"));
    }

    [Test]
    public void NegativeStride()
    {
        var x = new float[16];
        Assert.That(() => Gemm.Sgemm(2, 2, 2, 1f, x, new MatrixView(4, -2, 1), x, MatrixView.RowMajor(2), 0f, x, MatrixView.RowMajor(2)),
            Throws.ArgumentException.With.Message.Contains("Gemm: A view has a negative").And.Message.Contains("rowStride=-2"));
    }
}
