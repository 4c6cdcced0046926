using Engine.Autograd;

namespace Engine.Tests;

public class SmokeTests
{
    [Test]
    public void MlpStepProducesGradients()
    {
        var g = new Generator(1);
        var x = Tensor.Randn(new[] { 4, 3 }, g);
        var w = Tensor.Randn(new[] { 5, 3 }, g).RequiresGrad_();
        var b = Tensor.Zeros(new[] { 5 }).RequiresGrad_();
        var y = Tensor.Linear(x, w, b).Relu();
        var target = Tensor.FromArray(new long[] { 0, 1, 2, 3 });
        var loss = Functional.CrossEntropy(y, target);
        loss.Backward();
        Assert.That(w.Grad, Is.Not.Null);
        Assert.That(w.Grad!.Shape, Is.EqualTo(new[] { 5, 3 }));
        Assert.That(b.Grad!.Shape, Is.EqualTo(new[] { 5 }));
        TestContext.Out.WriteLine(loss);
        TestContext.Out.WriteLine(w.Grad);
    }

    [Test]
    public void GradCheckComposite()
    {
        var g = new Generator(2);
        var a = Tensor.Randn(new[] { 3, 4 }, g, DType.Float64).RequiresGrad_();
        var b = Tensor.Randn(new[] { 4 }, g, DType.Float64).RequiresGrad_();
        Assert.That(GradCheck.Check(t => (t[0] * t[1]).Tanh().Sum(new[] { 1 }).Exp(), new[] { a, b }), Is.True);
        Assert.That(GradCheck.Check(t => t[0].MatMul(t[1]).Sigmoid(), new[] { a, b }), Is.True);
        Assert.That(GradCheck.Check(t => t[0].LogSoftmax(1), new[] { a }), Is.True);
        Assert.That(GradCheck.Check(t => t[0].Softmax(0), new[] { a }), Is.True);
    }
}
