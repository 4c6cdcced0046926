using Engine.Multimodal.Training;
using Engine.Nn.Optim;

namespace Engine.Multimodal.Tests;

public class HostAdamWTests
{
    [TestCase(1e-2)]
    [TestCase(0.0)]
    public void MatchesEngineNnAdamWOverSeveralSteps(double weightDecay)
    {
        var g = new Generator(3);
        var a = Tensor.Randn(new[] { 7, 5 }, g).RequiresGrad_();
        var b = a.Detach().Clone().RequiresGrad_();
        var fused = new HostAdamW(new[] { a }, lr: 3e-2, weightDecay: weightDecay);
        var reference = new AdamW(new[] { b }, lr: 3e-2, weightDecay: weightDecay);
        for (int step = 0; step < 5; step++)
        {
            var grad = Tensor.Randn(new[] { 7, 5 }, g);
            a.Grad = grad.Clone();
            b.Grad = grad.Clone();
            fused.Step();
            reference.Step();
        }
        Assert.That(a.ToDoubleArray(), Is.EqualTo(b.ToDoubleArray()).AsCollection.Within(1e-6));
        // Same state keys and values, so checkpoints load into either optimizer.
        var sa = fused.StateDict().Tensors;
        var sb = reference.StateDict().Tensors;
        Assert.That(sa.Keys, Is.EqualTo(sb.Keys));
        foreach (var key in sa.Keys)
        {
            Assert.That(sa[key].ToDoubleArray(), Is.EqualTo(sb[key].ToDoubleArray()).AsCollection.Within(1e-6), key);
        }
    }

    [Test]
    public void Float64ParametersTakeTheComposedUpdate()
    {
        var a = Tensor.FromArray(new[] { 1.0, -2.0 }).RequiresGrad_();
        var b = a.Detach().Clone().RequiresGrad_();
        var fused = new HostAdamW(new[] { a }, lr: 0.1);
        var reference = new AdamW(new[] { b }, lr: 0.1);
        a.Grad = Tensor.FromArray(new[] { 0.5, 0.25 });
        b.Grad = Tensor.FromArray(new[] { 0.5, 0.25 });
        fused.Step();
        reference.Step();
        Assert.That(a.ToDoubleArray(), Is.EqualTo(b.ToDoubleArray()));
    }
}
