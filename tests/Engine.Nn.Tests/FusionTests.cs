using Engine.Autograd;

namespace Engine.Nn.Tests;

/// <summary>Fusion modules: shapes, masking of absent modalities, weights, and gradients.</summary>
public class FusionTests
{
    private static readonly int[] Dims = { 3, 5, 4 };

    private static Tensor[] Embeddings(ulong seed, DType dtype = DType.Float32) =>
        Dims.Select((d, i) => Tensor.Randn(new[] { 2, d }, new Generator(seed + (ulong)i), dtype)).ToArray();

    private static Tensor Present => Tensor.FromArray(new[] { true, false, true, true, true, true }, new[] { 2, 3 });

    private static FusionOutput Run(Module m, IReadOnlyList<Tensor> e, Tensor? present) => m switch
    {
        AttentionFusion a => a.Forward(e, present),
        ConcatFusion c => c.Forward(e, present),
        LateFusion l => l.Forward(e, present),
        _ => throw new ArgumentException("unknown fusion"),
    };

    private static IEnumerable<TestCaseData> Modules()
    {
        yield return new TestCaseData(new AttentionFusion(Dims, 8, 2, generator: new Generator(1))).SetArgDisplayNames("attention");
        yield return new TestCaseData(new ConcatFusion(Dims, 6, new Generator(1))).SetArgDisplayNames("concat");
        yield return new TestCaseData(new LateFusion(Dims, 4, new Generator(1))).SetArgDisplayNames("late");
    }

    [TestCaseSource(nameof(Modules))]
    public void AbsentModalityHasNoInfluence(Module m)
    {
        var e = Embeddings(10);
        var a = Run(m, e, Present);
        // Change sample 0's absent modality (index 1), even to NaN: nothing may change.
        var changed = e.ToArray();
        var v = e[1].ToFloatArray();
        for (int i = 0; i < 5; i++)
        {
            v[i] = float.NaN;
        }
        changed[1] = Tensor.FromArray(v, new[] { 2, 5 });
        var b = Run(m, changed, Present);
        var ja = a.Joint.ToFloatArray();
        var jb = b.Joint.ToFloatArray();
        int perSample = ja.Length / 2;
        Assert.That(jb, Is.EqualTo(ja), "joint output");
        // A present modality does matter.
        var moved = e.ToArray();
        moved[0] = e[0] + 1.0;
        var c = Run(m, moved, Present).Joint.ToFloatArray();
        Assert.That(c.Take(perSample), Is.Not.EqualTo(ja.Take(perSample)), "sample 0 ignores its present modality");
        if (a.ModalityWeights is not null)
        {
            var w = a.ModalityWeights.ToDoubleArray();
            Assert.That(w[1], Is.EqualTo(0.0));
            Assert.That(w[0] + w[2], Is.EqualTo(1.0).Within(1e-6));
        }
        if (a.AttentionWeights is not null)
        {
            Assert.That(a.AttentionWeights.Shape, Is.EqualTo(new[] { 2, 3, 3 }));
            var att = a.AttentionWeights.ToDoubleArray();
            for (int q = 0; q < 3; q++)
            {
                Assert.That(att[q * 3 + 1], Is.EqualTo(0.0), $"query {q} attends to the absent modality");
            }
        }
    }

    [Test]
    public void ShapesAndAllMissingError()
    {
        var e = Embeddings(3);
        Assert.That(new AttentionFusion(Dims, 8, 2).Forward(e).Joint.Shape, Is.EqualTo(new[] { 2, 8 }));
        Assert.That(new ConcatFusion(Dims).Forward(e).Joint.Shape, Is.EqualTo(new[] { 2, 12 }));
        Assert.That(new LateFusion(Dims, 4).Forward(e).Joint.Shape, Is.EqualTo(new[] { 2, 4 }));
        var none = Tensor.FromArray(new[] { true, true, true, false, false, false }, new[] { 2, 3 });
        var ex = Assert.Throws<ArgumentException>(() => new AttentionFusion(Dims, 8, 2).Forward(e, none));
        Assert.That(ex!.Message, Does.Contain("sample 1 has no modality"));
        ex = Assert.Throws<ArgumentException>(() => new ConcatFusion(Dims).Forward(e.Take(2).ToArray()));
        Assert.That(ex!.Message, Does.Contain("expected 3 modality embeddings"));
    }

    [Test]
    public void AttentionFusionGradientsMatchFiniteDifferences()
    {
        var m = new AttentionFusion(Dims, 4, 2, generator: new Generator(5), dtype: DType.Float64);
        using (GradMode.NoGrad())
        {
            m.ModalityLogits.CopyFrom_(Tensor.FromArray(new[] { 0.3, -0.2, 0.1 }));
        }
        var inputs = Embeddings(20, DType.Float64).Select(t => t.RequiresGrad_()).ToArray();
        Assert.That(GradCheck.Check(x => m.Forward(x, Present).Joint, inputs), Is.True);
        var p = m.ModalityEmbedding;
        Assert.That(GradCheck.Check(x => m.Forward(inputs, Present).Joint, new[] { p }), Is.True);
    }

    [Test]
    public void LateFusionAveragesPresentHeads()
    {
        var m = new LateFusion(Dims, 2, new Generator(2));
        var e = Embeddings(4);
        var joint = m.Forward(e, Present).Joint.ToDoubleArray();
        var heads = m.Children().First().Children().Cast<Linear>().ToArray();
        var h0 = heads[0].Forward(e[0]).ToDoubleArray();
        var h2 = heads[2].Forward(e[2]).ToDoubleArray();
        Assert.That(joint[0], Is.EqualTo((h0[0] + h2[0]) / 2).Within(1e-6));
        Assert.That(joint[1], Is.EqualTo((h0[1] + h2[1]) / 2).Within(1e-6));
    }
}
