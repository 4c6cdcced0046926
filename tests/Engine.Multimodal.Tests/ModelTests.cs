using Engine.Multimodal.Data;
using Engine.Multimodal.Model;
using Engine.Multimodal.Training;

namespace Engine.Multimodal.Tests;

public class ModelTests
{
    [Test]
    public void Conv2dNhwcMatchesADirectConvolution()
    {
        var g = new Generator(3);
        var conv = new Conv2dNhwc(2, 3, 3, g);
        var x = Tensor.Randn(new[] { 2, 5, 4, 2 }, g);
        var y = conv.Forward(x).ToArray<float>();
        var xs = x.ToArray<float>();
        var w = conv.GetSubmodule("proj")!.GetParameter("weight")!.ToArray<float>(); // (3, 3*3*2), patch order (dy, dx, c)
        var b = conv.GetSubmodule("proj")!.GetParameter("bias")!.ToArray<float>();
        int ho = 3, wo = 2;
        for (int n = 0; n < 2; n++)
        {
            for (int i = 0; i < ho; i++)
            {
                for (int j = 0; j < wo; j++)
                {
                    for (int o = 0; o < 3; o++)
                    {
                        double s = b[o];
                        for (int dy = 0; dy < 3; dy++)
                        {
                            for (int dx = 0; dx < 3; dx++)
                            {
                                for (int c = 0; c < 2; c++)
                                {
                                    s += w[o * 18 + (dy * 3 + dx) * 2 + c] * xs[((n * 5 + i + dy) * 4 + j + dx) * 2 + c];
                                }
                            }
                        }
                        Assert.That(y[((n * ho + i) * wo + j) * 3 + o], Is.EqualTo(s).Within(1e-4));
                    }
                }
            }
        }
    }

    [Test]
    public void MaxPoolTakesTheLargestOfEachWindow()
    {
        var x = Tensor.FromArray(new float[] { 1, 5, 2, 0, 3, 4, 9, 1, 7, 8, 6, 2, 0, 0, 0, 0 }, new[] { 1, 4, 4, 1 });
        Assert.That(Pool.MaxPool2x2(x).ToArray<float>(), Is.EqualTo(new float[] { 5, 9, 8, 6 }));
        var t = Tensor.FromArray(new float[] { 1, 3, 2, 0, 5 }, new[] { 1, 5, 1 });
        Assert.That(Pool.MaxPool1d2(t).ToArray<float>(), Is.EqualTo(new float[] { 3, 2 }));
    }

    [Test]
    public void AttentionFusionIgnoresAbsentModalities()
    {
        var g = new Generator(5);
        var fusion = new AttentionFusion(4, 3, 0, g);
        var e = Tensor.Randn(new[] { 2, 3, 4 }, g);
        var mask = Tensor.FromArray(new float[] { 1, 0, 1, 0, 0, 1 }, new[] { 2, 3 });
        var o = fusion.Forward(e, mask);
        var w = o.Weights!.ToArray<float>();
        Assert.That(w[0] + w[2], Is.EqualTo(1f).Within(1e-5));
        Assert.That(w[1], Is.Zero);
        Assert.That(w[5], Is.EqualTo(1f).Within(1e-6));
        // The second sample's joint embedding is its only present modality.
        var joint = o.Joint.ToArray<float>();
        var e2 = e.ToArray<float>();
        for (int d = 0; d < 4; d++)
        {
            Assert.That(joint[4 + d], Is.EqualTo(e2[(1 * 3 + 2) * 4 + d]).Within(1e-5));
        }
    }

    [Test]
    public void CrossAttentionFusionWeighsOnlyPresentModalitiesAndToleratesEmptyRows()
    {
        var g = new Generator(6);
        var fusion = new CrossAttentionFusion(3, 8, 4, 0, g);
        var e = Tensor.Randn(new[] { 2, 3, 8 }, g);
        var mask = Tensor.FromArray(new float[] { 1, 0, 1, 0, 0, 0 }, new[] { 2, 3 });
        var o = fusion.Forward(e, mask);
        var w = o.Weights!.ToArray<float>();
        Assert.That(w[1], Is.Zero);
        Assert.That(w[0] + w[2], Is.EqualTo(1f).Within(1e-5));
        Assert.That(o.Logits.Shape, Is.EqualTo(new[] { 2, 4 }));
        Assert.That(o.Logits.ToArray<float>().All(float.IsFinite), Is.True);
    }

    [Test]
    public void LateFusionAveragesPresentModalityLogits()
    {
        var g = new Generator(9);
        var fusion = new LateFusion(2, 4, 3, g);
        var e = Tensor.Randn(new[] { 1, 2, 4 }, g);
        var both = fusion.Forward(e, Tensor.FromArray(new float[] { 1, 1 }, new[] { 1, 2 })).Logits.ToArray<float>();
        var first = fusion.Forward(e, Tensor.FromArray(new float[] { 1, 0 }, new[] { 1, 2 })).Logits.ToArray<float>();
        var second = fusion.Forward(e, Tensor.FromArray(new float[] { 0, 1 }, new[] { 1, 2 })).Logits.ToArray<float>();
        for (int c = 0; c < 3; c++)
        {
            Assert.That(both[c], Is.EqualTo((first[c] + second[c]) / 2).Within(1e-5));
        }
    }

    [Test]
    public void ModalityDropoutKeepsAtLeastOneModality()
    {
        var mask = Enumerable.Repeat(1f, 300).ToArray();
        var g = new Generator(1);
        var m = Trainer.DropModalities(mask, 100, Modality.All, 0.9, g).ToArray<float>();
        int dropped = 0;
        for (int i = 0; i < 100; i++)
        {
            float kept = m[i * 3] + m[i * 3 + 1] + m[i * 3 + 2];
            Assert.That(kept, Is.GreaterThanOrEqualTo(1f));
            dropped += 3 - (int)kept;
        }
        Assert.That(dropped, Is.GreaterThan(100), "with p = 0.9 most samples lose modalities");
    }

    [Test]
    public void LearningRateWarmsUpThenDecays()
    {
        Assert.That(Trainer.LearningRate(1, 0, 10, 100), Is.EqualTo(0.1).Within(1e-12));
        Assert.That(Trainer.LearningRate(1, 9, 10, 100), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(Trainer.LearningRate(1, 10, 10, 100), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(Trainer.LearningRate(1, 55, 10, 100), Is.EqualTo(0.05 + 0.95 * 0.5).Within(1e-12));
        Assert.That(Trainer.LearningRate(1, 100, 10, 100), Is.EqualTo(0.05).Within(1e-12));
    }

    [Test]
    public void AdamWMatchesTheReferenceUpdate()
    {
        var p = Tensor.FromArray(new float[] { 1f, -2f }, new[] { 2 }).RequiresGrad_();
        var opt = new Engine.Nn.Optim.AdamW(new[] { p }, lr: 0.1, weightDecay: 0.01);
        p.Grad = Tensor.FromArray(new float[] { 0.5f, -1f }, new[] { 2 });
        opt.Step();
        // Step 1: m = 0.1 g, v = 0.001 g^2, m_hat = g, v_hat = g^2: p = p (1 - lr wd) - lr g / (|g| + eps).
        var v = p.ToArray<float>();
        Assert.That(v[0], Is.EqualTo(1 * (1 - 0.001) - 0.1 * 0.5 / (0.5 + 1e-8)).Within(1e-6));
        Assert.That(v[1], Is.EqualTo(-2 * (1 - 0.001) + 0.1).Within(1e-6));
    }

    [Test]
    public void TextTableTakesWord2VecRowsForKnownWords()
    {
        var encoder = new TextEncoder(3, 2, 4, 0, new Generator(2));
        var vectors = new Engine.Text.Vectors.WordVectors(new[] { "seven", "one" }, 2, new float[] { 1, 2, 3, 4 });
        int set = encoder.InitFromWordVectors(new[] { "c:sev", "w:one", "w:zzz" }, vectors);
        Assert.That(set, Is.EqualTo(1));
        var table = encoder.Table.ToArray<float>();
        Assert.That(table[2], Is.EqualTo(3f));
        Assert.That(table[3], Is.EqualTo(4f));
        Assert.That(encoder.Table.RequiresGrad, Is.True, "the table stays trainable");
        Assert.Throws<ArgumentException>(() => encoder.InitFromWordVectors(new[] { "w:one" }, new Engine.Text.Vectors.WordVectors(new[] { "one" }, 3, new float[3])));
    }

    [Test]
    public void StratifiedSplitKeepsClassProportions()
    {
        var samples = Enumerable.Range(0, 40).Select(i => new Sample($"s{i}", i % 4, null, null, Array.Empty<int>())).ToList();
        var data = new MultimodalDataset(samples, Array.Empty<RowProblem>());
        var (train, val) = Trainer.StratifiedSplit(data, 0.2, 1);
        Assert.That(val, Has.Length.EqualTo(8));
        Assert.That(train.Concat(val).Order(), Is.EqualTo(Enumerable.Range(0, 40)));
        Assert.That(val.GroupBy(i => i % 4).Select(gr => gr.Count()), Is.All.EqualTo(2));
        Assert.That(Trainer.StratifiedSplit(data, 0.2, 1).Val, Is.EqualTo(val), "the split depends only on the seed");
    }
}
