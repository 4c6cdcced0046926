using Engine.Autograd;

namespace Engine.Tests;

public class AutogradTests
{
    private static Tensor Leaf(params double[] v) => Tensor.FromArray(v).RequiresGrad_();

    [Test]
    public void ScalarBackwardGivesAnalyticGradient()
    {
        var x = Leaf(1, 2, 3);
        var y = (x * x * 3.0).Sum(); // d/dx = 6x
        y.Backward();
        Assert.That(x.Grad!.ToDoubleArray(), Is.EqualTo(new[] { 6.0, 12, 18 }));
    }

    [Test]
    public void GradientsAccumulateAcrossBackwardCalls()
    {
        var x = Leaf(1, 2);
        (x * 2.0).Sum().Backward();
        (x * 3.0).Sum().Backward();
        Assert.That(x.Grad!.ToDoubleArray(), Is.EqualTo(new[] { 5.0, 5 }));
    }

    [Test]
    public void SharedSubexpressionSumsBothPaths()
    {
        var x = Leaf(2);
        var y = x * x;       // used twice
        var z = (y + y * x).Sum(); // x^2 + x^3 -> 2x + 3x^2 = 16
        z.Backward();
        Assert.That(x.Grad!.Item(), Is.EqualTo(16.0).Within(1e-12));
    }

    [Test]
    public void BackwardWithExplicitGradient()
    {
        var x = Leaf(1, 2, 3);
        var y = x * 2.0;
        y.Backward(Tensor.FromArray(new double[] { 1, 10, 100 }));
        Assert.That(x.Grad!.ToDoubleArray(), Is.EqualTo(new[] { 2.0, 20, 200 }));
    }

    [Test]
    public void NonScalarBackwardWithoutGradientThrowsNamingShape()
    {
        var x = Leaf(1, 2, 3);
        var ex = Assert.Throws<InvalidOperationException>(() => (x * 2.0).Backward());
        Assert.That(ex!.Message, Does.Contain("scalar").And.Contain("[3]"));
    }

    [Test]
    public void BackwardOnTensorWithoutGradThrows()
    {
        var x = Tensor.Ones(new[] { 2 });
        Assert.Throws<InvalidOperationException>(() => x.Sum().Backward());
    }

    [Test]
    public void BroadcastGradientsAreSummedBackToInputShape()
    {
        var a = Tensor.Ones(new[] { 2, 3 }, DType.Float64).RequiresGrad_();
        var b = Tensor.Ones(new[] { 3 }, DType.Float64).RequiresGrad_();
        var c = Tensor.Ones(new[] { 2, 1 }, DType.Float64).RequiresGrad_();
        (a * b + c).Sum().Backward();
        Assert.That(b.Grad!.Shape, Is.EqualTo(new[] { 3 }));
        Assert.That(b.Grad.ToDoubleArray(), Is.EqualTo(new[] { 2.0, 2, 2 }));
        Assert.That(c.Grad!.Shape, Is.EqualTo(new[] { 2, 1 }));
        Assert.That(c.Grad.ToDoubleArray(), Is.EqualTo(new[] { 3.0, 3 }));
    }

    [Test]
    public void NoGradScopeRecordsNothing()
    {
        var x = Leaf(1, 2);
        Tensor y;
        using (GradMode.NoGrad())
        {
            y = x * 2.0;
        }
        Assert.That(y.RequiresGrad, Is.False);
        Assert.That(y.GradFn, Is.Null);
        Assert.That(GradMode.IsEnabled, Is.True);
    }

    [Test]
    public void DetachCutsTheGraphButSharesMemory()
    {
        var x = Leaf(1, 2);
        var d = (x * 2.0).Detach();
        Assert.That(d.RequiresGrad, Is.False);
        var y = (x * d).Sum();
        y.Backward();
        Assert.That(x.Grad!.ToDoubleArray(), Is.EqualTo(new[] { 2.0, 4 }));
    }

    [Test]
    public void GraphIsFreedAfterBackwardUnlessRetained()
    {
        var x = Leaf(3);
        var y = (x * x).Sum();
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.That(x.Grad!.Item(), Is.EqualTo(12.0));
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.That(ex!.Message, Does.Contain("second time"));
    }

    [Test]
    public void ChainOfHundredThousandNodesDoesNotOverflowTheStack()
    {
        var x = Tensor.FromArray(new float[] { 1 }).RequiresGrad_();
        var y = x;
        for (int i = 0; i < 100_000; i++)
        {
            y = y + 1e-6;
        }
        y.Sum().Backward();
        Assert.That(x.Grad!.Item(), Is.EqualTo(1.0));
    }

    [Test]
    public void InPlaceChangeOfSavedTensorIsDetected()
    {
        var a = Leaf(1, 2);
        var b = Tensor.FromArray(new double[] { 3, 4 });
        var y = (a * b).Sum();
        b.AddInPlace(Tensor.FromArray(new double[] { 1, 1 }));
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.That(ex!.Message, Does.Contain("mul").And.Contain("in-place"));
    }

    [Test]
    public void InPlaceOnLeafRequiringGradThrows()
    {
        var a = Leaf(1, 2);
        var ex = Assert.Throws<InvalidOperationException>(() => a.Fill_(0));
        Assert.That(ex!.Message, Does.Contain("leaf"));
        using (GradMode.NoGrad())
        {
            a.Fill_(0); // allowed when not recording, as optimizers do
        }
        Assert.That(a.ToDoubleArray(), Is.EqualTo(new[] { 0.0, 0 }));
    }

    [Test]
    public void BranchesThatNeedNoGradientAreSkipped()
    {
        var x = Leaf(1, 2);
        var c = Tensor.FromArray(new double[] { 5, 6 });
        var y = (x * 2.0 + c.Exp()).Sum();
        y.Backward();
        Assert.That(c.Grad, Is.Null);
        Assert.That(x.Grad!.ToDoubleArray(), Is.EqualTo(new[] { 2.0, 2 }));
    }

    [Test]
    public void LeafGradOutlivesScope()
    {
        var w = Tensor.Ones(new[] { 2048 }).RequiresGrad_();
        using (var scope = TensorScope.Begin())
        {
            (w * 2.0).Sum().Backward();
            Assert.That(scope.Count, Is.GreaterThan(0));
        }
        Assert.That(w.Grad!.IsDisposed, Is.False);
        Assert.That(w.Grad.Sum().Item(), Is.EqualTo(4096.0));
    }

    [Test]
    public void ScopeReturnsMemoryToThePoolForReuse()
    {
        var w = Tensor.Ones(new[] { 64, 64 }).RequiresGrad_();
        // Warm up one step so the pool holds the step's buffers.
        for (int step = 0; step < 3; step++)
        {
            using var scope = TensorScope.Begin();
            (w.MatMul(w).Tanh() * 0.5).Sum().Backward();
        }
        long allocatedBefore = BufferPool<float>.Allocated;
        for (int step = 0; step < 5; step++)
        {
            using var scope = TensorScope.Begin();
            (w.MatMul(w).Tanh() * 0.5).Sum().Backward();
        }
        Assert.That(BufferPool<float>.Allocated, Is.EqualTo(allocatedBefore), "a steady loop inside scopes should allocate no new pooled buffers");
    }

    [Test]
    public void DisposedTensorThrowsWhenUsed()
    {
        var t = Tensor.Ones(new[] { 3 });
        t.Dispose();
        Assert.Throws<ObjectDisposedException>(() => t.Sum());
    }

    [Test]
    public void ViewKeepsStorageAliveAfterBaseIsDisposed()
    {
        var t = Tensor.Arange(4096);
        var v = t.Narrow(0, 10, 5);
        t.Dispose();
        Assert.That(v.ToFloatArray(), Is.EqualTo(new float[] { 10, 11, 12, 13, 14 }));
    }

    [Test]
    public void GradCheckDetectsAWrongGradient()
    {
        var x = Tensor.Randn(new[] { 3 }, new Generator(3), DType.Float64).RequiresGrad_();
        // A deliberately wrong backward: claims d/dx (x^2) = x.
        Tensor Bad(Tensor[] t)
        {
            Tensor y;
            using (GradMode.NoGrad())
            {
                y = t[0] * t[0];
            }
            var input = t[0];
            return Node.Record("bad_square", y, new[] { input }, g => new[] { g * input });
        }
        Assert.That(GradCheck.Check(Bad, new[] { x }, raiseException: false), Is.False);
        Assert.Throws<GradCheckException>(() => GradCheck.Check(Bad, new[] { x }));
    }
}
