using Engine.Nn.Optim;

namespace Engine.Nn.Tests;

/// <summary>Each optimizer's 20-step trajectory and each scheduler's rates against torch.optim.</summary>
public class OptimizerFixtureTests
{
    private static Fixture F => Fixture.Load("optim.safetensors");

    private static Optimizer Make(string name, Tensor w, Tensor b) => name switch
    {
        "sgd" => new SGD(new[] { w, b }, lr: 0.1),
        "sgd_momentum_wd" => new SGD(new[] { w, b }, lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01),
        "sgd_nesterov" => new SGD(new[] { w, b }, lr: 0.05, momentum: 0.9, weightDecay: 0.01, nesterov: true),
        "adam" => new Adam(new[] { w, b }, lr: 0.05),
        "adam_wd_amsgrad" => new Adam(new[] { w, b }, lr: 0.05, beta1: 0.8, beta2: 0.95, eps: 1e-6, weightDecay: 0.05, amsgrad: true),
        "adamw" => new AdamW(new[] { w, b }, lr: 0.05, weightDecay: 0.1),
        "rmsprop" => new RMSprop(new[] { w, b }, lr: 0.01),
        "rmsprop_centered_momentum" => new RMSprop(new[] { w, b }, lr: 0.01, alpha: 0.9, eps: 1e-6, weightDecay: 0.01, momentum: 0.5, centered: true),
        "adam_groups" => new Adam(new[]
        {
            new ParamGroup(new[] { w }, new Dictionary<string, double> { ["lr"] = 0.02 }),
            new ParamGroup(new[] { b }, new Dictionary<string, double> { ["lr"] = 0.1, ["weight_decay"] = 0.1 }),
        }, lr: 0.05),
        _ => throw new ArgumentException(name),
    };

    [TestCase("sgd")]
    [TestCase("sgd_momentum_wd")]
    [TestCase("sgd_nesterov")]
    [TestCase("adam")]
    [TestCase("adam_wd_amsgrad")]
    [TestCase("adamw")]
    [TestCase("rmsprop")]
    [TestCase("rmsprop_centered_momentum")]
    [TestCase("adam_groups")]
    public void TrajectoryMatchesTorch(string name)
    {
        var w = F.Leaf("w0");
        var b = F.Leaf("b0");
        var x = F["x"];
        var y = F["y"];
        var opt = Make(name, w, b);
        var ws = F[$"{name}/w"];
        var bs = F[$"{name}/b"];
        var losses = F[$"{name}/loss"].ToDoubleArray();
        for (int step = 0; step < 20; step++)
        {
            opt.ZeroGrad();
            var loss = (Tensor.Linear(x, w, b) - y).Square().Mean();
            loss.Backward();
            opt.Step();
            Assert.That(loss.Item(), Is.EqualTo(losses[step]).Within(1e-5 + 1e-4 * Math.Abs(losses[step])), $"{name} loss at step {step}");
            Fixture.AssertClose(w, ws[step], $"{name} w after step {step + 1}", 2e-5, 2e-4);
            Fixture.AssertClose(b, bs[step], $"{name} b after step {step + 1}", 2e-5, 2e-4);
        }
    }

    private static double[] Rates(Func<Optimizer, LRScheduler> make, double baseLr = 0.1, double momentum = 0)
    {
        var p = Tensor.Zeros(new[] { 1 }).RequiresGrad_();
        var opt = new SGD(new[] { p }, lr: baseLr, momentum: momentum);
        var sched = make(opt);
        var r = new double[20];
        for (int i = 0; i < 20; i++)
        {
            r[i] = opt.ParamGroups[0].Lr;
            opt.Step();
            sched.Step();
        }
        return r;
    }

    [Test]
    public void SchedulersMatchTorch()
    {
        Assert.That(Rates(o => new StepLR(o, 6, 0.5)), Is.EqualTo(F["sched/step"].ToDoubleArray()).Within(1e-12));
        Assert.That(Rates(o => new CosineAnnealingLR(o, 15, 0.01)), Is.EqualTo(F["sched/cosine"].ToDoubleArray()).Within(1e-9));
        Assert.That(Rates(o => new LinearLR(o, 0.1, 1.0, 5)), Is.EqualTo(F["sched/warmup"].ToDoubleArray()).Within(1e-12));
        Assert.That(Rates(o => new OneCycleLR(o, 1.0, 20, 0.3), momentum: 0.9), Is.EqualTo(F["sched/onecycle"].ToDoubleArray()).Within(1e-9));
        Assert.That(Rates(o => new OneCycleLR(o, 0.5, 20, 0.25, "linear", threePhase: true), momentum: 0.9), Is.EqualTo(F["sched/onecycle_linear"].ToDoubleArray()).Within(1e-9));
    }

    [Test]
    public void OneCycleCyclesMomentumInversely()
    {
        var p = Tensor.Zeros(new[] { 1 }).RequiresGrad_();
        var opt = new SGD(new[] { p }, lr: 0.1, momentum: 0.9);
        var s = new OneCycleLR(opt, 1.0, 10, 0.5);
        Assert.That(opt.ParamGroups[0]["momentum"], Is.EqualTo(0.95).Within(1e-12));
        for (int i = 0; i < 4; i++)
        {
            s.Step();
        }
        Assert.That(opt.ParamGroups[0].Lr, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(opt.ParamGroups[0]["momentum"], Is.EqualTo(0.85).Within(1e-12));
    }

    [Test]
    public void ClipGradNormScalesAllGradientsTogether()
    {
        var a = Tensor.Zeros(new[] { 2 }).RequiresGrad_();
        var b = Tensor.Zeros(new[] { 1 }).RequiresGrad_();
        a.Grad = Tensor.FromArray(new float[] { 3, 0 });
        b.Grad = Tensor.FromArray(new float[] { 4 });
        double norm = ClipGrad.ClipGradNorm_(new[] { a, b }, 1.0);
        Assert.That(norm, Is.EqualTo(5.0).Within(1e-6));
        double scale = 1.0 / (5 + 1e-6);
        Assert.That(a.Grad.ToDoubleArray()[0], Is.EqualTo(3 * scale).Within(1e-6));
        Assert.That(b.Grad.ToDoubleArray()[0], Is.EqualTo(4 * scale).Within(1e-6));
        // Below the limit nothing changes.
        double again = ClipGrad.ClipGradNorm_(new[] { a, b }, 10.0);
        Assert.That(again, Is.EqualTo(1.0).Within(1e-5));
        Assert.That(b.Grad.ToDoubleArray()[0], Is.EqualTo(4 * scale).Within(1e-6));
        Assert.That(ClipGrad.ClipGradNorm_(new[] { a, b }, 0.1, double.PositiveInfinity), Is.EqualTo(4 * scale).Within(1e-6));
    }

    [Test]
    public void RejectsBadSettings()
    {
        var p = Tensor.Zeros(new[] { 1 }).RequiresGrad_();
        Assert.Throws<ArgumentException>(() => new SGD(new[] { p }, lr: 0.1, nesterov: true));
        Assert.Throws<ArgumentException>(() => new Adam(new[] { p }, lr: -1));
        Assert.Throws<ArgumentException>(() => new Adam(new[] { p, p }));
        Assert.Throws<ArgumentException>(() => new Adam(Array.Empty<Tensor>()));
    }
}
