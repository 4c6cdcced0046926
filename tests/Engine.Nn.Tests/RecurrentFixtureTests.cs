namespace Engine.Nn.Tests;

/// <summary>LSTM, GRU and their cells against PyTorch: outputs, final states and every gradient.</summary>
public class RecurrentFixtureTests
{
    private static Fixture F => Fixture.Load("recurrent.safetensors");

    private static Tensor RandomLoss(string c, IEnumerable<(string Name, Tensor Value)> outputs)
    {
        Tensor? loss = null;
        foreach (var (name, v) in outputs)
        {
            var term = (v * F[$"{c}/r/{name}"]).Sum();
            loss = loss is null ? term : loss + term;
        }
        return loss!;
    }

    private static void CheckGrads(string c, Module m, Dictionary<string, Tensor> inputs)
    {
        var expected = F.Group(c + "/grad");
        foreach (var (name, p) in m.NamedParameters())
        {
            Fixture.AssertClose(p.Grad, expected[name], $"{c} grad {name}");
        }
        foreach (var (name, t) in inputs)
        {
            Fixture.AssertClose(t.Grad, expected[name], $"{c} grad {name}");
        }
    }

    [TestCase("lstm1")]
    [TestCase("lstm2bi")]
    [TestCase("lstm1bi_len")]
    [TestCase("lstm2bi_len")]
    [TestCase("gru1")]
    [TestCase("gru2bi")]
    [TestCase("gru2bi_len")]
    public void MatchesTorch(string c)
    {
        var cfg = F.Longs($"{c}/config");
        int layers = (int)cfg[0], input = (int)cfg[3], hidden = (int)cfg[4];
        bool bidir = cfg[1] != 0, batchFirst = cfg[2] != 0;
        bool lstm = c.StartsWith("lstm", StringComparison.Ordinal);
        RnnBase m = lstm
            ? new LSTM(input, hidden, layers, batchFirst: batchFirst, bidirectional: bidir)
            : new GRU(input, hidden, layers, batchFirst: batchFirst, bidirectional: bidir);
        var load = m.LoadStateDict(F.Group(c + "/param"));
        Assert.That(load.IsClean, Is.True);

        var inputs = new Dictionary<string, Tensor> { ["x"] = F.Leaf($"{c}/in/x") };
        if (F.Has($"{c}/in/h0"))
        {
            inputs["h0"] = F.Leaf($"{c}/in/h0");
        }
        if (F.Has($"{c}/in/c0"))
        {
            inputs["c0"] = F.Leaf($"{c}/in/c0");
        }
        long[]? lengths = F.Has($"{c}/in/lengths") ? F.Longs($"{c}/in/lengths") : null;

        List<(string, Tensor)> outs;
        if (m is LSTM l)
        {
            var o = l.Forward(inputs["x"], inputs.ContainsKey("h0") ? (inputs["h0"], inputs["c0"]) : null, lengths);
            outs = new() { ("output", o.Output), ("h", o.H), ("c", o.C) };
        }
        else
        {
            var o = ((GRU)m).Forward(inputs["x"], inputs.GetValueOrDefault("h0"), lengths);
            outs = new() { ("output", o.Output), ("h", o.H) };
        }
        foreach (var (name, v) in outs)
        {
            Fixture.AssertClose(v, F[$"{c}/out/{name}"], $"{c} {name}");
        }
        RandomLoss(c, outs).Backward();
        CheckGrads(c, m, inputs);
    }

    [Test]
    public void LstmCellMatchesTorch()
    {
        const string c = "lstmcell";
        var cell = new LSTMCell(4, 5);
        cell.LoadStateDict(F.Group(c + "/param"));
        var inputs = new Dictionary<string, Tensor> { ["x"] = F.Leaf($"{c}/in/x"), ["h"] = F.Leaf($"{c}/in/h"), ["c"] = F.Leaf($"{c}/in/c") };
        var (h, cs) = cell.Forward(inputs["x"], (inputs["h"], inputs["c"]));
        Fixture.AssertClose(h, F[$"{c}/out/h"], "h");
        Fixture.AssertClose(cs, F[$"{c}/out/c"], "c");
        RandomLoss(c, new[] { ("h", h), ("c", cs) }).Backward();
        CheckGrads(c, cell, inputs);
    }

    [Test]
    public void GruCellMatchesTorch()
    {
        const string c = "grucell";
        var cell = new GRUCell(4, 5);
        cell.LoadStateDict(F.Group(c + "/param"));
        var inputs = new Dictionary<string, Tensor> { ["x"] = F.Leaf($"{c}/in/x"), ["h"] = F.Leaf($"{c}/in/h") };
        var h = cell.Forward(inputs["x"], inputs["h"]);
        Fixture.AssertClose(h, F[$"{c}/out/h"], "h");
        RandomLoss(c, new[] { ("h", h) }).Backward();
        CheckGrads(c, cell, inputs);
    }

    [Test]
    public void ParameterNamesFollowTorch()
    {
        var m = new LSTM(3, 4, numLayers: 2, bidirectional: true);
        var names = m.NamedParameters().Select(p => p.Name).ToArray();
        Assert.That(names, Is.EqualTo(new[]
        {
            "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
            "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
            "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
            "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse",
        }));
        Assert.That(m.GetParameter("weight_ih_l1")!.Shape, Is.EqualTo(new[] { 16, 8 }));
        Assert.That(m.ToString(), Is.EqualTo("LSTM(3, 4, num_layers=2, bidirectional=True)"));
    }

    [Test]
    public void UnbatchedInputMatchesBatchOfOne()
    {
        var m = new GRU(3, 4, generator: new Generator(3));
        var x = Tensor.Randn(new[] { 5, 3 }, new Generator(4));
        var single = m.Forward(x);
        var batched = m.Forward(x.Unsqueeze(1));
        Fixture.AssertClose(single.Output, batched.Output.Squeeze(1), "output", 1e-6, 0);
        Assert.That(single.H.Shape, Is.EqualTo(new[] { 1, 4 }));
    }

    [Test]
    public void BadShapesNameTheProblem()
    {
        var m = new LSTM(3, 4);
        var ex = Assert.Throws<ArgumentException>(() => m.Forward(Tensor.Zeros(new[] { 5, 2, 7 })));
        Assert.That(ex!.Message, Does.Contain("input_size").And.Contain("Expected 3, got 7"));
        ex = Assert.Throws<ArgumentException>(() => m.Forward(Tensor.Zeros(new[] { 5, 2, 3 }), lengths: new long[] { 6, 1 }));
        Assert.That(ex!.Message, Does.Contain("length 6"));
    }

    [Test]
    public void FusedLstmMatchesComposedSteps()
    {
        (Tensor[] Outs, Tensor[] Grads) Run(bool fused)
        {
            var m = new LSTM(6, 7, numLayers: 2, bidirectional: true, generator: new Generator(8)) { UseFusedKernels = fused };
            var x = Tensor.Randn(new[] { 9, 4, 6 }, new Generator(9)).RequiresGrad_();
            var h0 = Tensor.Randn(new[] { 4, 4, 7 }, new Generator(10)).RequiresGrad_();
            var c0 = Tensor.Randn(new[] { 4, 4, 7 }, new Generator(11)).RequiresGrad_();
            var o = m.Forward(x, (h0, c0), new long[] { 9, 3, 0, 6 });
            var r = Tensor.Randn(o.Output.Shape, new Generator(12));
            ((o.Output * r).Sum() + o.H.Sum() * 0.5 + o.C.Square().Sum()).Backward();
            return (new[] { o.Output, o.H, o.C }, m.Parameters().Append(x).Append(h0).Append(c0).Select(p => p.Grad!).ToArray());
        }
        var a = Run(true);
        var b = Run(false);
        for (int i = 0; i < a.Outs.Length; i++)
        {
            Fixture.AssertClose(a.Outs[i], b.Outs[i], $"output {i}", 1e-6, 1e-5);
        }
        for (int i = 0; i < a.Grads.Length; i++)
        {
            Fixture.AssertClose(a.Grads[i], b.Grads[i], $"gradient {i}", 1e-5, 1e-4);
        }
    }
}
