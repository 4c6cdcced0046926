namespace Engine.Tests.Conv;

/// <summary>Dropout: seeded, unbiased, identity in evaluation.</summary>
public class DropoutTests
{
    [Test]
    public void SameSeedSameMaskAndRescaledSurvivors()
    {
        var x = Tensor.Ones(new[] { 100, 100 });
        var a = Functional.Dropout(x, 0.3, true, new Generator(42)).ToDoubleArray();
        var b = Functional.Dropout(x, 0.3, true, new Generator(42)).ToDoubleArray();
        var c = Functional.Dropout(x, 0.3, true, new Generator(43)).ToDoubleArray();
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
        double kept = a.Count(v => v != 0) / (double)a.Length;
        // 10,000 Bernoulli(0.7) draws: standard deviation of the fraction is about 0.0046.
        Assert.That(kept, Is.EqualTo(0.7).Within(0.02));
        Assert.That(a.Where(v => v != 0), Is.All.EqualTo(1 / 0.7).Within(1e-6));
        Assert.That(a.Average(), Is.EqualTo(1.0).Within(0.03));
    }

    [Test]
    public void EvaluationAndZeroProbabilityReturnTheInput()
    {
        var x = Tensor.Randn(new[] { 3, 4 }, new Generator(1));
        Assert.That(Functional.Dropout(x, 0.5, training: false), Is.SameAs(x));
        Assert.That(Functional.Dropout(x, 0.0), Is.SameAs(x));
        Assert.That(Functional.Dropout(x, 1.0).ToDoubleArray(), Is.All.EqualTo(0.0));
    }

    [Test]
    public void GradientIsTheMask()
    {
        var x = Tensor.Randn(new[] { 50 }, new Generator(2), DType.Float64).RequiresGrad_();
        var y = Functional.Dropout(x, 0.4, true, new Generator(9));
        y.Sum().Backward();
        var g = x.Grad!.ToDoubleArray();
        var yv = y.ToDoubleArray();
        var xv = x.ToDoubleArray();
        for (int i = 0; i < g.Length; i++)
        {
            Assert.That(yv[i], Is.EqualTo(xv[i] * g[i]).Within(1e-12));
            Assert.That(g[i], Is.EqualTo(0.0).Or.EqualTo(1 / 0.6).Within(1e-12));
        }
    }

    [Test]
    public void Dropout2dZeroesWholeChannels()
    {
        var x = Tensor.Ones(new[] { 4, 8, 3, 3 });
        var y = Functional.Dropout2d(x, 0.5, true, new Generator(5)).ToDoubleArray();
        for (int plane = 0; plane < 32; plane++)
        {
            var vals = y.Skip(plane * 9).Take(9).Distinct().ToArray();
            Assert.That(vals, Has.Length.EqualTo(1), $"plane {plane} is not all-kept or all-dropped");
        }
        Assert.That(y.Distinct().Count(), Is.EqualTo(2));
    }
}
