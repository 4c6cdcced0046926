using Engine.Autograd;
using Engine.Nn;
using Engine.Nn.Optim;
using Engine.Text.Encoders;
using Engine.Text.Vectors;

namespace Engine.Text.Tests;

public class TextEncoderTests
{
    private static readonly string[] Positive = ["good", "great", "happy", "bright", "kind", "warm", "lovely", "fine"];
    private static readonly string[] Negative = ["bad", "awful", "sad", "dark", "cruel", "cold", "ugly", "poor"];
    private static readonly string[] Filler = ["the", "a", "day", "was", "it", "very", "and", "so", "is", "this", "man", "house"];

    private static WordVectors Vectors(int dim = 8, ulong seed = 3)
    {
        var words = Filler.Concat(Positive).Concat(Negative).ToArray();
        var g = new Generator(seed);
        var data = new float[words.Length * dim];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)(0.5 * g.NextNormal());
        }
        return new WordVectors(words, dim, data);
    }

    private static TextEncoder Encoder(TextPooling pooling, int outputDim = 0, ulong seed = 42)
    {
        var v = Vectors();
        var index = TokenIndex.FromWordVectors(v, ["zebra"]);
        return TextEncoder.FromWordVectors(v, index, new TextEncoderOptions { Pooling = pooling, Hidden = 5, OutputDim = outputDim, Seed = seed });
    }

    private static float[] Row(Tensor t, int r) => t.Select(0, r).Contiguous().ToArray<float>();

    [TestCase(TextPooling.Attention, 0, 8)]
    [TestCase(TextPooling.BiLstmMean, 0, 10)]
    [TestCase(TextPooling.BiLstmLast, 0, 10)]
    [TestCase(TextPooling.Attention, 6, 6)]
    [TestCase(TextPooling.BiLstmMean, 7, 7)]
    public void OutputHasShapeBatchByD(TextPooling pooling, int outputDim, int expectedD)
    {
        var enc = Encoder(pooling, outputDim);
        var batcher = new TextBatcher(TokenIndex.FromWordVectors(Vectors(), ["zebra"]));
        var batch = batcher.Batch(["the day was good", "bad", "a very very cold and dark house indeed"]);
        Assert.That(batch.Ids.Shape, Is.EqualTo(new[] { 3, 8 }));
        Assert.That(batch.Lengths, Is.EqualTo(new long[] { 4, 1, 8 }));
        var y = enc.Forward(batch);
        Assert.That(y.Shape, Is.EqualTo(new[] { 3, expectedD }));
        Assert.That(enc.OutputDim, Is.EqualTo(expectedD));
        Assert.That(y.ToArray<float>().All(float.IsFinite), Is.True);
    }

    [Test]
    public void BatcherMapsUnknownWordsTruncatesAndPads()
    {
        var index = TokenIndex.FromWordVectors(Vectors());
        var batcher = new TextBatcher(index, maxLength: 3);
        var batch = batcher.Batch(["Good, qwerty DAY was fine", "", "sad"]);
        long good = index.IdOf("good"), day = index.IdOf("day"), sad = index.IdOf("sad");
        Assert.That(batch.Ids.ToArray<long>(), Is.EqualTo(new long[] { good, TokenIndex.UnkId, day, 0, 0, 0, sad, 0, 0 }));
        Assert.That(batch.Lengths, Is.EqualTo(new long[] { 3, 0, 1 }));
        Assert.That(batch.PaddingMask().ToArray<bool>(), Is.EqualTo(new[] { false, false, false, true, true, true, false, true, true }));
        Assert.That(index.Tokens[..2], Is.EqualTo(new[] { TokenIndex.PadToken, TokenIndex.UnkToken }));
        Assert.Throws<ArgumentException>(() => _ = new TokenIndex(["ok", "<unk>"]));
    }

    [Test]
    public void EmbeddingRowsAreTheWord2VecVectorsAfterAFileRoundTrip()
    {
        var original = Vectors();
        string path = Path.Combine(Path.GetTempPath(), $"enc-{Guid.NewGuid():N}.bin");
        try
        {
            Word2VecFormat.Save(original, path, VectorFileFormat.Binary);
            var loaded = Word2VecFormat.Load(path);
            var index = TokenIndex.FromWordVectors(loaded, ["zebra", "okapi"]);
            var enc = TextEncoder.FromWordVectors(loaded, index, new TextEncoderOptions { Seed = 7 });
            var w = enc.Embedding.Weight;
            Assert.That(w.Shape, Is.EqualTo(new[] { original.Count + 4, original.Dim }));
            foreach (var word in original.Words)
            {
                Assert.That(Row(w, index.IdOf(word)), Is.EqualTo(original[word].ToArray()), word);
            }
            Assert.That(Row(w, TokenIndex.PadId), Is.All.EqualTo(0f));
            // Unknown and out-of-vocabulary rows: random, not zero, reproducible from the seed, different with another seed.
            var again = TextEncoder.FromWordVectors(loaded, index, new TextEncoderOptions { Seed = 7 }).Embedding.Weight;
            var other = TextEncoder.FromWordVectors(loaded, index, new TextEncoderOptions { Seed = 8 }).Embedding.Weight;
            foreach (int id in new[] { TokenIndex.UnkId, index.IdOf("zebra"), index.IdOf("okapi") })
            {
                Assert.That(Row(w, id).Any(x => x != 0), Is.True);
                Assert.That(Row(again, id), Is.EqualTo(Row(w, id)));
                Assert.That(Row(other, id), Is.Not.EqualTo(Row(w, id)));
            }
            Assert.That(Row(w, index.IdOf("zebra")), Is.Not.EqualTo(Row(w, index.IdOf("okapi"))));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void FreezeKeepsTheTableOutOfTraining()
    {
        var v = Vectors();
        var index = TokenIndex.FromWordVectors(v);
        var frozen = TextEncoder.FromWordVectors(v, index, new TextEncoderOptions { FreezeEmbedding = true });
        var trained = TextEncoder.FromWordVectors(v, index, new TextEncoderOptions());
        Assert.That(frozen.Embedding.Weight.RequiresGrad, Is.False);
        Assert.That(frozen.Parameters().Any(p => ReferenceEquals(p, frozen.Embedding.Weight) && p.RequiresGrad), Is.False);
        Assert.That(trained.Embedding.Weight.RequiresGrad, Is.True);
        var batch = new TextBatcher(index).Batch(["the good day", "sad"]);
        trained.Forward(batch).Sum().Backward();
        var grad = trained.Embedding.Weight.Grad!;
        Assert.That(Row(grad, index.IdOf("good")).Any(x => x != 0), Is.True);
        Assert.That(Row(grad, TokenIndex.PadId), Is.All.EqualTo(0f), "the padding row gets no gradient");
        Assert.That(Row(grad, index.IdOf("bad")), Is.All.EqualTo(0f), "an unused row gets no gradient");
    }

    [TestCase(TextPooling.Attention)]
    [TestCase(TextPooling.BiLstmMean)]
    [TestCase(TextPooling.BiLstmLast)]
    public void PaddingDoesNotChangeTheResult(TextPooling pooling)
    {
        var enc = Encoder(pooling, outputDim: 4);
        enc.Eval();
        var batcher = new TextBatcher(TokenIndex.FromWordVectors(Vectors(), ["zebra"]));
        var alone = enc.Forward(batcher.Batch(["the kind man was happy"]));
        var padded = enc.Forward(batcher.Batch(["a", "the kind man was happy", "it was a very very cold and dark day and so sad", ""]));
        Assert.That(padded.Shape, Is.EqualTo(new[] { 4, 4 }));
        Assert.That(Row(padded, 1), Is.EqualTo(Row(alone, 0)).Within(1e-5f));
        var shortAlone = enc.Forward(batcher.Batch(["a"]));
        Assert.That(Row(padded, 0), Is.EqualTo(Row(shortAlone, 0)).Within(1e-5f));
    }

    [TestCase(TextPooling.Attention)]
    [TestCase(TextPooling.BiLstmMean)]
    [TestCase(TextPooling.BiLstmLast)]
    public void MaskedPositionsAreIgnoredWhateverTheirIds(TextPooling pooling)
    {
        var enc = Encoder(pooling);
        var index = TokenIndex.FromWordVectors(Vectors());
        long a = index.IdOf("good"), b = index.IdOf("day"), c = index.IdOf("awful");
        // Row 0 has 2 real tokens; its padding slots hold real words (not the pad id) and must still be ignored.
        var ids = Tensor.FromArray(new long[] { a, b, c, c, b, a, c, 0 }, new[] { 2, 4 });
        var mask = Tensor.FromArray(new[] { false, false, true, true, false, false, false, true }, new[] { 2, 4 });
        var withMask = enc.Forward(ids, mask);
        var withLengths = enc.Forward(ids, new long[] { 2, 3 });
        var clean = enc.Forward(Tensor.FromArray(new long[] { a, b }, new[] { 1, 2 }), new long[] { 2 });
        var unmasked = enc.Forward(ids, new long[] { 4, 3 });
        Assert.That(withMask.ToArray<float>(), Is.EqualTo(withLengths.ToArray<float>()));
        Assert.That(Row(withMask, 0), Is.EqualTo(Row(clean, 0)).Within(1e-5f));
        Assert.That(Row(unmasked, 0), Is.Not.EqualTo(Row(clean, 0)).Within(1e-4f), "without the mask the extra words do change the result");
        var bad = Tensor.FromArray(new[] { false, true, false, false, false, false, false, true }, new[] { 2, 4 });
        Assert.Throws<ArgumentException>(() => enc.Forward(ids, bad), "a real token after padding is rejected");
    }

    [Test]
    public void AttentionWeightsAreASoftmaxOverRealTokensOnly()
    {
        var g = new Generator(5);
        var pool = new AttentionPooling(3, g);
        var x = Tensor.Randn(new[] { 3, 4, 3 }, g);
        var mask = TokenBatch.PaddingMaskFromLengths([4, 2, 0], 4);
        var (pooled, weights) = pool.Forward(x, mask);
        var w = weights.ToArray<float>();
        Assert.That(w[0] + w[1] + w[2] + w[3], Is.EqualTo(1f).Within(1e-6f));
        Assert.That(w[4] + w[5], Is.EqualTo(1f).Within(1e-6f));
        Assert.That(w[6..8], Is.All.EqualTo(0f));
        Assert.That(w[8..12], Is.All.EqualTo(0f), "an empty sequence has no weights");
        Assert.That(Row(pooled, 2), Is.All.EqualTo(0f), "an empty sequence pools to zeros");
        Assert.That(w.All(v => v >= 0), Is.True);
        // Row 1 equals its explicit weighted sum.
        var xs = x.ToArray<float>();
        var p1 = Row(pooled, 1);
        for (int e = 0; e < 3; e++)
        {
            Assert.That(p1[e], Is.EqualTo(w[4] * xs[12 + e] + w[5] * xs[15 + e]).Within(1e-6f));
        }
    }

    [Test]
    public void AttentionPoolingGradientMatchesFiniteDifferencesInFloat64()
    {
        var g = new Generator(11);
        var x = Tensor.Randn(new[] { 3, 4, 3 }, g, DType.Float64);
        var kw = Tensor.Randn(new[] { 3, 3 }, g, DType.Float64);
        var kb = Tensor.Randn(new[] { 3 }, g, DType.Float64);
        var q = Tensor.Randn(new[] { 3 }, g, DType.Float64);
        foreach (var t in new[] { x, kw, kb, q })
        {
            t.RequiresGrad = true;
        }
        var mask = TokenBatch.PaddingMaskFromLengths([4, 2, 1], 4);
        Assert.That(GradCheck.Check(a => AttentionPooling.Pool(a[0], mask, a[1], a[2], a[3]).Pooled, [x, kw, kb, q]), Is.True);
        // The module in float64 uses the same function.
        var pool = new AttentionPooling(3, g, DType.Float64);
        Assert.That(GradCheck.Check(a => AttentionPooling.Pool(a[0], mask, pool.Key.Weight, pool.Key.Bias, pool.Query).Weights, [x]), Is.True);
    }

    [TestCase(TextPooling.Attention)]
    [TestCase(TextPooling.BiLstmMean)]
    public void LearnsToSeparateTwoClassesOfSentences(TextPooling pooling)
    {
        var v = Vectors();
        var index = TokenIndex.FromWordVectors(v);
        var batcher = new TextBatcher(index);
        var enc = TextEncoder.FromWordVectors(v, index, new TextEncoderOptions { Pooling = pooling, Hidden = 8, Seed = 1 });
        var head = new Linear(enc.OutputDim, 2, generator: new Generator(2));
        var opt = new Adam(enc.Parameters().Concat(head.Parameters()), lr: 0.02);
        var rng = new Random(4);
        (string[] Texts, long[] Labels) Make(int n)
        {
            var texts = new string[n];
            var labels = new long[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = i % 2;
                var cls = labels[i] == 0 ? Positive : Negative;
                var words = Enumerable.Range(0, rng.Next(2, 7)).Select(_ => Filler[rng.Next(Filler.Length)]).ToList();
                words.Insert(rng.Next(words.Count + 1), cls[rng.Next(cls.Length)]);
                texts[i] = string.Join(' ', words);
            }
            return (texts, labels);
        }
        var (trainTexts, trainLabels) = Make(64);
        var (testTexts, testLabels) = Make(64);
        var trainBatch = batcher.Batch(trainTexts);
        var y = Tensor.FromArray(trainLabels, new[] { 64 });
        double first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            var loss = Functional.CrossEntropy(head.Forward(enc.Forward(trainBatch)), y);
            opt.ZeroGrad();
            loss.Backward();
            opt.Step();
            last = loss.Item();
            if (step == 0)
            {
                first = last;
            }
        }
        enc.Eval();
        var pred = head.Forward(enc.Forward(batcher.Batch(testTexts))).ArgMax(1).ToArray<long>();
        double acc = pred.Zip(testLabels).Count(p => p.First == p.Second) / 64.0;
        Assert.That(last, Is.LessThan(first * 0.2), $"loss {first:F3} -> {last:F3}");
        Assert.That(acc, Is.GreaterThanOrEqualTo(0.95), $"held-out accuracy {acc:P1}");
    }
}
