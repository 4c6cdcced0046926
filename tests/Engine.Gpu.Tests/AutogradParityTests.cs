using Engine.Autograd;

namespace Engine.Gpu.Tests;

public abstract partial class DeviceParityTests
{
    /// <summary>One training step of a small MLP on the device: loss, every gradient and the updated weights agree with the CPU.</summary>
    [Test]
    public void MlpTrainingStepMatchesCpu()
    {
        var x = Uniform(new[] { 16, 12 }, -1, 1, 101);
        var target = Tensor.RandInt(0, 5, new[] { 16 }, new Generator(102));
        var w1 = Uniform(new[] { 24, 12 }, -0.3, 0.3, 103);
        var b1 = Uniform(new[] { 24 }, -0.1, 0.1, 104);
        var w2 = Uniform(new[] { 5, 24 }, -0.3, 0.3, 105);
        var b2 = Uniform(new[] { 5 }, -0.1, 0.1, 106);

        (Tensor Loss, Tensor[] Grads, Tensor[] Updated) Step(Device dev)
        {
            // Clone first: on the CPU To(dev) returns the tensor itself, and the step updates in place.
            var ps = new[] { w1, b1, w2, b2 }.Select(p => p.Clone().To(dev).Detach().RequiresGrad_()).ToArray();
            var h = (x.To(dev).MatMul(ps[0].Transpose(0, 1)) + ps[1]).Relu();
            var logits = ((h.Tanh() * h).MatMul(ps[2].Transpose(0, 1)) + ps[3]);
            var loss = Functional.CrossEntropy(logits, target.To(dev));
            loss.Backward();
            var grads = ps.Select(p => p.Grad!).ToArray();
            using (GradMode.NoGrad())
            {
                foreach (var p in ps)
                {
                    p.AddInPlace(p.Grad!, -0.1);
                }
            }
            return (loss, grads, ps);
        }

        var cpu = Step(Device.Cpu);
        var dev = Step(Device);
        Assert.That(dev.Loss.Device, Is.EqualTo(Device));
        AssertClose(dev.Loss, cpu.Loss, what: "loss");
        string[] names = { "w1", "b1", "w2", "b2" };
        for (int i = 0; i < 4; i++)
        {
            Assert.That(dev.Grads[i].Device, Is.EqualTo(Device), $"grad of {names[i]} stays on the device");
            // A gradient is a sum over the batch: compare relative to the largest gradient entry.
            var scale = Tensor.Full(cpu.Grads[i].Shape, cpu.Grads[i].Abs().Max().Item());
            AssertClose(dev.Grads[i], cpu.Grads[i], scale, $"grad {names[i]}");
            AssertClose(dev.Updated[i], cpu.Updated[i], what: $"updated {names[i]}");
        }
    }
}
