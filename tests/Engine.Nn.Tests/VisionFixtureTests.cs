namespace Engine.Nn.Tests;

/// <summary>BatchNorm (train and eval), the ResNet block and encoder against PyTorch twins: outputs, gradients, running statistics.</summary>
public class VisionFixtureTests
{
    private static Fixture F => Fixture.Load("vision.safetensors");

    private static void Check(string c, Module<Tensor, Tensor> m, bool train)
    {
        var load = m.LoadStateDict(F.Group(c + "/param"));
        Assert.That(load.IsClean, Is.True);
        m.Train(train);
        var x = F.Leaf($"{c}/in/x");
        var y = m.Forward(x);
        Fixture.AssertClose(y, F[$"{c}/out/output"], $"{c} output");
        (y * F[$"{c}/r/output"]).Sum().Backward();
        var grads = F.Group(c + "/grad");
        foreach (var (name, p) in m.NamedParameters())
        {
            Fixture.AssertClose(p.Grad, grads[name], $"{c} grad {name}", 5e-5, 2e-4);
        }
        Fixture.AssertClose(x.Grad, grads["x"], $"{c} grad x", 5e-5, 2e-4);
        var state = m.StateDict();
        foreach (var (name, expected) in F.Group(c + "/after"))
        {
            Fixture.AssertClose(state[name], expected, $"{c} {name} after forward");
        }
    }

    [TestCase("bn2d", 3, 4)]
    [TestCase("bn1d", 4, 2)]
    [TestCase("bn1d_seq", 3, 3)]
    public void BatchNormMatchesTorch(string c, int features, int rank)
    {
        Module<Tensor, Tensor> Make() => rank == 4 ? new BatchNorm2d(features) : new BatchNorm1d(features);
        Check(c + "_train", Make(), train: true);
        Check(c + "_eval", Make(), train: false);
    }

    [Test]
    public void BasicBlockMatchesTorch()
    {
        Check("block_train", new BasicBlock(4, 8, 2), train: true);
        Check("block_eval", new BasicBlock(4, 8, 2), train: false);
    }

    [Test]
    public void ResNetEncoderMatchesTorch()
    {
        var enc = new ResNetEncoder(1, 4, new[] { 1, 2 });
        Assert.That(enc.OutFeatures, Is.EqualTo(8));
        Check("encoder_train", enc, train: true);
    }

    [Test]
    public void BatchNormReprAndBuffers()
    {
        var bn = new BatchNorm2d(16);
        Assert.That(bn.ToString(), Is.EqualTo("BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"));
        Assert.That(bn.StateDict().Keys, Is.EqualTo(new[] { "weight", "bias", "running_mean", "running_var", "num_batches_tracked" }));
        var conv = new Conv2d(1, 16, 3, padding: 1, bias: false);
        Assert.That(conv.ToString(), Is.EqualTo("Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)"));
        var ex = Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(new[] { 2, 16 })));
        Assert.That(ex!.Message, Does.Contain("BatchNorm2d").And.Contain("4-D"));
    }

    [Test]
    public void CumulativeBatchNormCountsBatchesAcrossALoadedStateDict()
    {
        // momentum None: running_mean = mean of the batch means seen, weighted by 1 / num_batches_tracked.
        var bn = new BatchNorm1d(1, momentum: null);
        Tensor Batch(float v) => Tensor.FromArray(new[] { v, v }, new[] { 2, 1 });
        bn.Forward(Batch(2));
        bn.Forward(Batch(4));
        Assert.That(bn.NumBatchesTracked!.Item(), Is.EqualTo(2));
        Assert.That(bn.RunningMean!.Item(), Is.EqualTo(3).Within(1e-6));
        var state = bn.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        state["num_batches_tracked"] = Tensor.FromArray(new long[] { 9 }, Array.Empty<int>());
        bn.LoadStateDict(state);
        bn.Forward(Batch(13)); // tenth batch: 3 + (13 - 3) / 10
        Assert.That(bn.NumBatchesTracked!.Item(), Is.EqualTo(10));
        Assert.That(bn.RunningMean!.Item(), Is.EqualTo(4).Within(1e-6));
    }
}
