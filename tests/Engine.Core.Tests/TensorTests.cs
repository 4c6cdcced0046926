namespace Engine.Tests;

public class TensorTests
{
    [Test]
    public void CreationFunctions()
    {
        Assert.That(Tensor.Zeros(new[] { 2, 3 }).ToFloatArray(), Is.All.EqualTo(0f));
        Assert.That(Tensor.Ones(new[] { 4 }).ToFloatArray(), Is.All.EqualTo(1f));
        Assert.That(Tensor.Full(new[] { 2 }, 7.5).ToFloatArray(), Is.EqualTo(new[] { 7.5f, 7.5f }));
        Assert.That(Tensor.Arange(0, 1, 0.25).ToFloatArray(), Is.EqualTo(new[] { 0f, 0.25f, 0.5f, 0.75f }));
        Assert.That(Tensor.Linspace(0, 1, 5).ToFloatArray(), Is.EqualTo(new[] { 0f, 0.25f, 0.5f, 0.75f, 1f }));
        Assert.That(Tensor.Eye(2, 3).ToFloatArray(), Is.EqualTo(new float[] { 1, 0, 0, 0, 1, 0 }));
        Assert.That(Tensor.Scalar(3).Dim, Is.EqualTo(0));
        Assert.That(Tensor.FromArray(new float[] { 5 }).Shape, Is.EqualTo(new[] { 1 }));
        Assert.That(Tensor.FromArray(new float[] { 5 }, System.Array.Empty<int>()).Dim, Is.EqualTo(0));
        Assert.Throws<ArgumentException>(() => Tensor.FromArray(new float[] { 1, 2 }, System.Array.Empty<int>()));
    }

    [Test]
    public void SeededRandomIsReproducibleAndHasTheRightMoments()
    {
        var a = Tensor.Randn(new[] { 20000 }, new Generator(42), DType.Float64);
        var b = Tensor.Randn(new[] { 20000 }, new Generator(42), DType.Float64);
        Assert.That(a.ToDoubleArray(), Is.EqualTo(b.ToDoubleArray()));
        Assert.That(a.Mean().Item(), Is.EqualTo(0).Within(0.03));
        Assert.That(a.Std().Item(), Is.EqualTo(1).Within(0.03));
        var u = Tensor.Uniform(new[] { 20000 }, -2, 4, new Generator(1), DType.Float64);
        Assert.That(u.Min().Item(), Is.GreaterThanOrEqualTo(-2));
        Assert.That(u.Max().Item(), Is.LessThan(4));
        Assert.That(u.Mean().Item(), Is.EqualTo(1).Within(0.05));
        var n = Tensor.Normal(new[] { 20000 }, 5, 2, new Generator(9), DType.Float64);
        Assert.That(n.Mean().Item(), Is.EqualTo(5).Within(0.06));
        Assert.That(n.Std().Item(), Is.EqualTo(2).Within(0.06));
    }

    [Test]
    public void ViewsShareStorage()
    {
        var t = Tensor.Arange(12).Reshape(3, 4);
        var tr = t.Transpose(0, 1);
        Assert.That(tr.Storage, Is.SameAs(t.Storage));
        Assert.That(tr.IsContiguous, Is.False);
        Assert.That(tr.Shape, Is.EqualTo(new[] { 4, 3 }));
        Assert.That(tr.Contiguous().ToFloatArray(), Is.EqualTo(new float[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }));
        var n = t.Narrow(1, 1, 2);
        Assert.That(n.ToFloatArray(), Is.EqualTo(new float[] { 1, 2, 5, 6, 9, 10 }));
        var s = t.Slice(1, 0, 4, 2);
        Assert.That(s.ToFloatArray(), Is.EqualTo(new float[] { 0, 2, 4, 6, 8, 10 }));
        var e = Tensor.Arange(3).Reshape(3, 1).Expand(3, 2);
        Assert.That(e.Strides[1], Is.EqualTo(0));
        Assert.That(e.ToFloatArray(), Is.EqualTo(new float[] { 0, 0, 1, 1, 2, 2 }));
        Assert.That(t.Unsqueeze(0).Shape, Is.EqualTo(new[] { 1, 3, 4 }));
        Assert.That(t.Unsqueeze(-1).Squeeze().Shape, Is.EqualTo(new[] { 3, 4 }));
        Assert.That(t.Permute(1, 0).Permute(1, 0).ToFloatArray(), Is.EqualTo(t.ToFloatArray()));
        Assert.That(t.Chunk(2, 1).Select(c => c.Size(1)), Is.EqualTo(new[] { 2, 2 }));
        Assert.That(t.Split(new[] { 1, 2 }, 0).Select(c => c.Size(0)), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(t[1].ToFloatArray(), Is.EqualTo(new float[] { 4, 5, 6, 7 }));
        Assert.That(t.Reshape(-1, 6).Shape, Is.EqualTo(new[] { 2, 6 }));
    }

    [Test]
    public void WritingThroughAViewChangesTheBase()
    {
        var t = Tensor.Zeros(new[] { 2, 3 });
        t.Narrow(1, 1, 1).Fill_(5);
        Assert.That(t.ToFloatArray(), Is.EqualTo(new float[] { 0, 5, 0, 0, 5, 0 }));
    }

    [Test]
    public void OpsOnNonContiguousViewsMatchContiguousCopies()
    {
        var g = new Generator(5);
        var a = Tensor.Randn(new[] { 5, 7 }, g).Transpose(0, 1);
        var b = Tensor.Randn(new[] { 7, 5 }, g).Slice(0, 0, 7, 1);
        Assert.That((a * b).ToFloatArray(), Is.EqualTo((a.Contiguous() * b.Contiguous()).ToFloatArray()));
        Assert.That(a.Sum(0).ToFloatArray(), Is.EqualTo(a.Contiguous().Sum(0).ToFloatArray()).Within(1e-5));
        // Strided rows take the scalar exp, contiguous ones the SIMD exp: they may differ by an ulp.
        Assert.That(a.Exp().ToFloatArray(), Is.EqualTo(a.Contiguous().Exp().ToFloatArray()).Within(0.0001).Percent);
    }

    [Test]
    public void SizeZeroAndSizeOneDims()
    {
        var z = Tensor.Zeros(new[] { 0, 3 });
        Assert.That((z + 1.0).Shape, Is.EqualTo(new[] { 0, 3 }));
        Assert.That(z.Sum(0).ToFloatArray(), Is.EqualTo(new float[] { 0, 0, 0 }));
        Assert.That(z.Sum().Item(), Is.EqualTo(0));
        Assert.That(Tensor.Ones(new[] { 1, 1 }).Sum().Item(), Is.EqualTo(1));
        Assert.Throws<ArgumentException>(() => z.Amax(new[] { 0 }));
    }

    [Test]
    public void ToStringLooksLikePyTorch()
    {
        var t = Tensor.FromArray(new float[] { 1.5f, -2, 3, 4 }, new[] { 2, 2 });
        Assert.That(t.ToString(), Is.EqualTo("tensor([[ 1.5000, -2.0000],\n        [ 3.0000,  4.0000]])"));
        Assert.That(Tensor.FromArray(new long[] { 1, 2 }).ToString(), Is.EqualTo("tensor([1, 2])"));
        Assert.That(Tensor.FromArray(new double[] { 1, 2 }).ToString(), Is.EqualTo("tensor([1., 2.], dtype=torch.float64)"));
        Assert.That(Tensor.Ones(new[] { 2 }).RequiresGrad_().ToString(), Is.EqualTo("tensor([1., 1.], requires_grad=True)"));
        var big = Tensor.Arange(2000).ToString();
        Assert.That(big, Does.Contain("..."));
        Assert.That(big.Length, Is.LessThan(200));
    }

    [Test]
    public void ConversionsRoundTrip()
    {
        var t = Tensor.FromArray(new float[] { 1.25f, -3 });
        Assert.That(t.To(DType.Float64).ToArray<double>(), Is.EqualTo(new[] { 1.25, -3 }));
        Assert.That(t.To(DType.Int64).ToArray<long>(), Is.EqualTo(new long[] { 1, -3 }));
        Assert.That(t.Gt(0).ToArray<bool>(), Is.EqualTo(new[] { true, false }));
        Assert.Throws<InvalidOperationException>(() => t.ToArray<double>());
    }

    [Test]
    public void BadInputsThrowClearMessages()
    {
        var a = Tensor.Ones(new[] { 2, 3 });
        var b = Tensor.Ones(new[] { 4 });
        var ex = Assert.Throws<ArgumentException>(() => _ = a + b);
        Assert.That(ex!.Message, Does.Contain("add").And.Contain("[2, 3]").And.Contain("[4]"));
        var ex2 = Assert.Throws<ArgumentException>(() => a.MatMul(Tensor.Ones(new[] { 2, 2 })));
        Assert.That(ex2!.Message, Does.Contain("matmul"));
        var ex3 = Assert.Throws<ArgumentException>(() => _ = a + Tensor.Ones(new[] { 2, 3 }, DType.Float64));
        Assert.That(ex3!.Message, Does.Contain("dtype"));
        var ex4 = Assert.Throws<ArgumentOutOfRangeException>(() => a.Sum(5));
        Assert.That(ex4!.Message, Does.Contain("sum").And.Contain("5"));
        Assert.Throws<ArgumentException>(() => a.View(4, 2));
        Assert.Throws<InvalidOperationException>(() => a.T.View(6));
        Assert.Throws<ArgumentException>(() => a.Expand(3, 3));
        var ex5 = Assert.Throws<IndexOutOfRangeException>(() => a.Gather(1, Tensor.FromArray(new long[] { 0, 7, 1, 1, 1, 1 }, new[] { 2, 3 })));
        Assert.That(ex5!.Message, Does.Contain("gather").And.Contain("7"));
        Assert.Throws<ArgumentException>(() => Functional.CrossEntropy(a, Tensor.FromArray(new long[] { 0, 3 })));
    }
}
