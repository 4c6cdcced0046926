using Engine.Autograd;
using Engine.Nn.Optim;

namespace Engine.Nn.Tests;

/// <summary>The module registry, modes, repr, init statistics, embeddings and a training run to a known loss.</summary>
public class ModuleTests
{
    [Test]
    public void NamesCountsAndModes()
    {
        var m = new Sequential(new Linear(4, 8), new Dropout(0.5), new Sequential(new Linear(8, 3, bias: false), new ReLU()));
        Assert.That(m.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "0.weight", "0.bias", "2.0.weight" }));
        Assert.That(m.NumParameters(), Is.EqualTo(4 * 8 + 8 + 8 * 3));
        m[0].RequiresGrad_(false);
        Assert.That(m.NumParameters(trainableOnly: true), Is.EqualTo(24));
        Assert.That(m.NamedModules().Select(x => x.Name), Is.EqualTo(new[] { "", "0", "1", "2", "2.0", "2.1" }));
        m.Eval();
        Assert.That(m.Modules().All(x => !x.Training), Is.True);
        var x = Tensor.Randn(new[] { 2, 4 });
        var first = m.Forward(x).ToFloatArray();
        Assert.That(m.Forward(x).ToFloatArray(), Is.EqualTo(first), "eval is deterministic (dropout off)");
        m.Train();
        Assert.That(m[1].Training, Is.True);
    }

    [Test]
    public void ReprLooksLikeTorch()
    {
        var m = new Sequential(new Linear(4, 8), new ReLU(), new Sequential(new Linear(8, 3, bias: false), new Softmax(-1)));
        Assert.That(m.ToString(), Is.EqualTo(
            "Sequential(\n" +
            "  (0): Linear(in_features=4, out_features=8, bias=True)\n" +
            "  (1): ReLU()\n" +
            "  (2): Sequential(\n" +
            "    (0): Linear(in_features=8, out_features=3, bias=False)\n" +
            "    (1): Softmax(dim=-1)\n" +
            "  )\n" +
            ")"));
        Assert.That(new Embedding(10, 3, paddingIdx: 0).ToString(), Is.EqualTo("Embedding(10, 3, padding_idx=0)"));
    }

    [Test]
    public void DefaultInitMatchesTorchBounds()
    {
        var lin = new Linear(400, 300, generator: new Generator(1));
        var w = lin.Weight.ToDoubleArray();
        double bound = 1 / Math.Sqrt(400);
        Assert.That(w.Max(), Is.LessThanOrEqualTo(bound).And.GreaterThan(bound * 0.99));
        Assert.That(w.Min(), Is.GreaterThanOrEqualTo(-bound).And.LessThan(-bound * 0.99));
        // Uniform(-b, b) has variance b^2 / 3.
        Assert.That(w.Select(v => v * v).Average(), Is.EqualTo(bound * bound / 3).Within(bound * bound / 3 * 0.02));

        var k = Init.KaimingNormal_(Tensor.Empty(new[] { 256, 64, 3, 3 }), mode: FanMode.FanOut, nonlinearity: "relu", generator: new Generator(2)).ToDoubleArray();
        Assert.That(k.Select(v => v * v).Average(), Is.EqualTo(2.0 / (256 * 9)).Within(2.0 / (256 * 9) * 0.02));

        var xav = Init.XavierUniform_(Tensor.Empty(new[] { 200, 300 }), generator: new Generator(3)).ToDoubleArray();
        Assert.That(xav.Select(v => v * v).Average(), Is.EqualTo(2.0 / 500).Within(2.0 / 500 * 0.02));

        var e = new Embedding(1000, 50, generator: new Generator(4)).Weight.ToDoubleArray();
        Assert.That(e.Select(v => v * v).Average(), Is.EqualTo(1.0).Within(0.02));
    }

    [TestCase(6, 4)]
    [TestCase(4, 6)]
    [TestCase(5, 5)]
    public void OrthogonalIsOrthogonal(int rows, int cols)
    {
        var q = Init.Orthogonal_(Tensor.Empty(new[] { rows, cols }, DType.Float64), gain: 2, generator: new Generator(9));
        var gram = rows >= cols ? q.T.MatMul(q) : q.MatMul(q.T);
        int n = Math.Min(rows, cols);
        Fixture.AssertClose(gram, Tensor.Eye(n, dtype: DType.Float64) * 4, "Q^T Q", 1e-12, 0);
    }

    [Test]
    public void EmbeddingPaddingRowGetsNoGradient()
    {
        var e = new Embedding(5, 3, paddingIdx: 1, generator: new Generator(1));
        Assert.That(e.Weight.Select(0, 1).ToFloatArray(), Is.All.EqualTo(0f));
        var idx = Tensor.FromArray(new long[] { 0, 1, 3, 1, 3, 4 }, new[] { 2, 3 });
        var y = e.Forward(idx);
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 3, 3 }));
        y.Sum().Backward();
        var g = e.Weight.Grad!.ToFloatArray();
        Assert.That(g.Skip(3).Take(3), Is.All.EqualTo(0f), "padding row");
        Assert.That(g.Skip(9).Take(3), Is.All.EqualTo(2f), "row 3 used twice");
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => e.Forward(Tensor.FromArray(new long[] { 5 })));
        Assert.That(ex!.Message, Does.Contain("Embedding").And.Contain("index 5").And.Contain("5 embeddings"));
        Assert.Throws<ArgumentOutOfRangeException>(() => e.Forward(Tensor.FromArray(new long[] { 0, -1 })));
    }

    [Test]
    public void EmbeddingFromPretrainedCopiesAndFreezes()
    {
        var vectors = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, new[] { 3, 2 });
        var e = Embedding.FromPretrained(vectors);
        Assert.That(e.Weight.RequiresGrad, Is.False);
        Assert.That(e.Forward(Tensor.FromArray(new long[] { 2, 0 })).ToFloatArray(), Is.EqualTo(new float[] { 5, 6, 1, 2 }));
        var trainable = Embedding.FromPretrained(vectors, freeze: false, paddingIdx: 0);
        Assert.That(trainable.Weight.RequiresGrad, Is.True);
        Assert.That(trainable.Forward(Tensor.FromArray(new long[] { 0 })).ToFloatArray(), Is.EqualTo(new float[] { 1, 2 }), "pretrained padding row kept");
    }

    [Test]
    public void LinearAndDropoutGradCheck()
    {
        var lin = new Linear(3, 2, dtype: DType.Float64);
        var x = Tensor.Randn(new[] { 4, 3 }, new Generator(1), DType.Float64).RequiresGrad_();
        Assert.That(GradCheck.Check(i => lin.Forward(i[0]).Tanh(), new[] { x, lin.Weight, lin.Bias! }), Is.True);
        var d = new Dropout(0.3, new Generator(5));
        var y = d.Forward(Tensor.Ones(new[] { 10000 }));
        var v = y.ToDoubleArray();
        double zeros = v.Count(a => a == 0) / 10000.0;
        Assert.That(zeros, Is.EqualTo(0.3).Within(0.02));
        Assert.That(v.Where(a => a != 0), Is.All.EqualTo(1 / 0.7).Within(1e-6));
    }

    /// <summary>The same MLP, init and data as the generator's training fixture; Adam for 60 full-batch steps.</summary>
    [Test]
    public void SmallModelTrainsToTorchLoss()
    {
        var f = Fixture.Load("training.safetensors");
        var m = new Sequential(new Linear(2, 16), new Tanh(), new Linear(16, 2));
        Assert.That(m.LoadStateDict(f.Group("init")).IsClean, Is.True);
        var opt = new Adam(m.Parameters(), lr: 0.05);
        var x = f["x"];
        var labels = f["labels"];
        var expected = f["losses"].ToDoubleArray();
        double last = 0;
        for (int step = 0; step < 60; step++)
        {
            using var scope = TensorScope.Begin();
            opt.ZeroGrad();
            var loss = Functional.CrossEntropy(m.Forward(x), labels);
            loss.Backward();
            opt.Step();
            last = loss.Item();
            Assert.That(last, Is.EqualTo(expected[step]).Within(1e-4 + 1e-3 * expected[step]), $"loss at step {step}");
        }
        Assert.That(last, Is.LessThan(0.5 * expected[0]), "the model learned");
    }
}
