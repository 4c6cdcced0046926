namespace Engine.Nn.Tests;

/// <summary>MultiheadAttention and TransformerEncoderLayer against PyTorch, with masks; outputs, weights and gradients.</summary>
public class AttentionFixtureTests
{
    private static Fixture F => Fixture.Load("attention.safetensors");

    private static Tensor RandomLoss(string c, params (string Name, Tensor Value)[] outputs)
    {
        Tensor? loss = null;
        foreach (var (name, v) in outputs)
        {
            var term = (v * F[$"{c}/r/{name}"]).Sum();
            loss = loss is null ? term : loss + term;
        }
        return loss!;
    }

    [TestCase("mha_self_masks")]
    [TestCase("mha_cross")]
    [TestCase("mha_plain")]
    public void MultiheadAttentionMatchesTorch(string c)
    {
        var cfg = F.Longs($"{c}/config");
        int e = (int)cfg[0], heads = (int)cfg[1];
        bool batchFirst = cfg[2] != 0, selfAttn = cfg[3] != 0, average = cfg[4] != 0;
        var m = new MultiheadAttention(e, heads, batchFirst: batchFirst);
        Assert.That(m.LoadStateDict(F.Group(c + "/param")).IsClean, Is.True);
        var inputs = new Dictionary<string, Tensor> { ["q"] = F.Leaf($"{c}/in/q") };
        if (!selfAttn)
        {
            inputs["k"] = F.Leaf($"{c}/in/k");
            inputs["v"] = F.Leaf($"{c}/in/v");
        }
        var q = inputs["q"];
        var k = selfAttn ? q : inputs["k"];
        var v = selfAttn ? q : inputs["v"];
        var kpm = F.Has($"{c}/in/key_padding_mask") ? F[$"{c}/in/key_padding_mask"] : null;
        var mask = F.Has($"{c}/in/attn_mask") ? F[$"{c}/in/attn_mask"] : null;
        var o = m.Forward(q, k, v, kpm, needWeights: true, attnMask: mask, averageAttnWeights: average);
        Fixture.AssertClose(o.Output, F[$"{c}/out/output"], $"{c} output");
        Fixture.AssertClose(o.Weights, F[$"{c}/out/weights"], $"{c} weights");
        RandomLoss(c, ("output", o.Output), ("weights", o.Weights!)).Backward();
        var grads = F.Group(c + "/grad");
        foreach (var (name, p) in m.NamedParameters())
        {
            Fixture.AssertClose(p.Grad, grads[name], $"{c} grad {name}");
        }
        foreach (var (name, t) in inputs)
        {
            Fixture.AssertClose(t.Grad, grads[name], $"{c} grad {name}");
        }
    }

    [Test]
    public void CausalFlagEqualsExplicitMask()
    {
        var m = new MultiheadAttention(8, 2, generator: new Generator(1));
        var x = Tensor.Randn(new[] { 5, 2, 8 }, new Generator(2));
        var a = m.ForwardSelf(x, isCausal: true);
        var b = m.ForwardSelf(x, attnMask: MultiheadAttention.CausalMask(5, 5));
        Fixture.AssertClose(a.Output, b.Output, "output", 0, 0);
        var w = a.Weights!.ToDoubleArray();
        // Query 0 sees only key 0.
        Assert.That(w[0], Is.EqualTo(1.0).Within(1e-6));
        Assert.That(w[1], Is.EqualTo(0.0));
    }

    [TestCase("enc_post")]
    [TestCase("enc_pre_gelu")]
    public void EncoderLayerMatchesTorch(string c)
    {
        var cfg = F.Longs($"{c}/config");
        var m = new TransformerEncoderLayer((int)cfg[0], (int)cfg[1], (int)cfg[2], dropout: 0, activation: cfg[4] != 0 ? "gelu" : "relu",
            batchFirst: cfg[5] != 0, normFirst: cfg[3] != 0);
        Assert.That(m.LoadStateDict(F.Group(c + "/param")).IsClean, Is.True);
        var x = F.Leaf($"{c}/in/x");
        var kpm = F.Has($"{c}/in/key_padding_mask") ? F[$"{c}/in/key_padding_mask"] : null;
        var y = m.Forward(x, null, kpm);
        Fixture.AssertClose(y, F[$"{c}/out/output"], $"{c} output");
        RandomLoss(c, ("output", y)).Backward();
        var grads = F.Group(c + "/grad");
        foreach (var (name, p) in m.NamedParameters())
        {
            Fixture.AssertClose(p.Grad, grads[name], $"{c} grad {name}");
        }
        Fixture.AssertClose(x.Grad, grads["x"], $"{c} grad x");
    }

    [Test]
    public void EncoderLayerReprLooksLikeTorch()
    {
        var m = new TransformerEncoderLayer(8, 2, 16);
        var repr = m.ToString();
        Assert.That(repr, Does.StartWith("TransformerEncoderLayer(\n  (self_attn): MultiheadAttention(\n    (out_proj): Linear(in_features=8, out_features=8, bias=True)\n  )"));
        Assert.That(repr, Does.Contain("(norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True)"));
        Assert.That(repr, Does.Contain("(dropout1): Dropout(p=0.1, inplace=False)"));
    }
}
