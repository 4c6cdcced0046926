using Engine.Multimodal.Benchmarks;
using Engine.Multimodal.Data;
using Engine.Multimodal.Model;
using Engine.Multimodal.Training;

namespace Engine.Multimodal.Tests;

public class EncoderTests
{
    private static Preprocessing SmallPrep() => SyntheticBatch.Preprocessing(classes: 3, imageSize: 12, frames: 16, nMfcc: 5, vocab: 12);

    [Test]
    public void ResNetAndBiLstmEncodersGiveEmbeddingsOfTheConfiguredSize()
    {
        var g = new Generator(1);
        var image = new ResNetImageEncoder(dim: 10, dropout: 0, g, width: 4);
        var audio = new BiLstmAudioEncoder(nMfcc: 5, dim: 7, dropout: 0, g, hidden: 6);
        Assert.That(image.Forward(Tensor.Randn(new[] { 3, 12, 12, 1 }, g)).Shape, Is.EqualTo(new[] { 3, 10 }));
        Assert.That(audio.Forward(Tensor.Randn(new[] { 2, 9, 5 }, g)).Shape, Is.EqualTo(new[] { 2, 7 }));
        Assert.Throws<ArgumentException>(() => image.Forward(Tensor.Randn(new[] { 3, 12, 12, 2 }, g)));
        Assert.Throws<ArgumentException>(() => audio.Forward(Tensor.Randn(new[] { 2, 9 }, g)));
    }

    [Test]
    public void TheDefaultArchitectureIsUnchanged()
    {
        var config = new ModelConfig();
        Assert.That((config.ImageEncoder, config.AudioEncoder, config.TextEncoder), Is.EqualTo(("cnn", "cnn", "bag")));
        var net = new MultimodalNet(config, SmallPrep(), seed: 1);
        var names = net.StateDict().Keys.ToList();
        Assert.That(names, Has.Some.StartsWith("image.conv1."));
        Assert.That(names, Has.Some.StartsWith("audio.conv1."));
        Assert.That(names, Has.None.Contains("resnet").And.None.Contains("lstm").And.None.Contains("text.key"));
    }

    [Test]
    public void EveryParameterOfTheAlternativeEncodersGetsAGradient()
    {
        var prep = SmallPrep();
        var config = new ModelConfig { Dim = 8, TextEmbedDim = 4, ImageEncoder = "resnet", AudioEncoder = "bilstm" };
        var net = new MultimodalNet(config, prep, seed: 3);
        Assert.That(net.StateDict().Keys, Has.Some.StartsWith("image.resnet.layer3.").And.Some.StartsWith("audio.lstm.weight_hh_l0_reverse"));
        var optimizer = new DeviceAdamW(net.Parameters(), 1e-3);
        var batch = SyntheticBatch.Make(prep, config.Used, 4, seed: 9).ToTensors(prep);
        TrainStep.Run(net, optimizer, batch, batch.Mask, config.AuxWeight);
        foreach (var (name, p) in net.NamedParameters())
        {
            Assert.That(p.Grad, Is.Not.Null, name);
            var g = p.Grad!.ToArray<float>();
            Assert.That(g.All(float.IsFinite) && g.Any(v => v != 0), Is.True, $"{name} has a finite, non-zero gradient");
        }
    }

    [TestCase("image", "resnet")]
    [TestCase("audio", "bilstm")]
    [TestCase("text", "attention")]
    [TestCase("text", "bilstm")]
    public void EachAlternativeEncoderLearnsOnItsOwn(string modality, string encoder)
    {
        // One fixed batch of 6 random samples with random labels: an encoder that learns fits it.
        var prep = SmallPrep();
        var config = new ModelConfig
        {
            Modalities = modality, Dim = 16, Dropout = 0,
            ImageEncoder = modality == "image" ? encoder : "cnn",
            AudioEncoder = modality == "audio" ? encoder : "cnn",
            TextEncoder = modality == "text" ? encoder : "bag",
        };
        var net = new MultimodalNet(config, prep, seed: 4);
        var optimizer = new DeviceAdamW(net.Parameters(), 1e-2, weightDecay: 0);
        var data = SyntheticBatch.Make(prep, config.Used, 6, seed: 12, textTokens: config.UsesTextTokens);
        double first = 0, last = 0;
        for (int step = 0; step < 40; step++)
        {
            using var scope = TensorScope.Begin();
            var batch = data.ToTensors(prep);
            var (_, loss) = TrainStep.Run(net, optimizer, batch, batch.Mask, config.AuxWeight);
            last = loss.Item();
            first = step == 0 ? last : first;
        }
        Assert.That(last, Is.LessThan(first * 0.3), $"{modality} via {encoder}: loss {first:F3} -> {last:F3}");
    }

    [Test]
    public void ASavedResNetBiLstmModelLoadsWithItsRunningStatistics()
    {
        var dir = TestData.TempFolder();
        try
        {
            var prep = SmallPrep();
            var config = new ModelConfig { Dim = 8, TextEmbedDim = 4, ImageEncoder = "resnet", AudioEncoder = "bilstm" };
            var net = new MultimodalNet(config, prep, seed: 6);
            var optimizer = new DeviceAdamW(net.Parameters(), 1e-3);
            var batch = SyntheticBatch.Make(prep, config.Used, 4, seed: 2).ToTensors(prep);
            TrainStep.Run(net, optimizer, batch, batch.Mask, config.AuxWeight);
            ModelFolder.SaveConfig(dir, new SavedConfig { Model = config, Preprocessing = prep, Seed = 6 });
            ModelFolder.SaveModel(dir, net, 1);
            var (loaded, saved) = ModelFolder.LoadModel(dir);
            Assert.That((saved.Model.ImageEncoder, saved.Model.AudioEncoder), Is.EqualTo(("resnet", "bilstm")));
            net.Eval();
            loaded.Eval();
            Assert.That(loaded.Forward(batch).Logits.ToArray<float>(), Is.EqualTo(net.Forward(batch).Logits.ToArray<float>()));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void AttentionTextPoolingIgnoresPaddingAndTakesWord2VecRows()
    {
        var g = new Generator(5);
        var encoder = new AttentionTextEncoder(vocab: 6, embedDim: 2, dim: 3, dropout: 0, g);
        encoder.Eval();
        var mask = Tensor.FromArray(new float[] { 1, 1, 0, 1, 0, 0 }, new[] { 2, 3 });
        var a = encoder.Forward(Tensor.FromArray(new long[] { 1, 2, 0, 3, 0, 0 }, new[] { 2, 3 }), mask).ToArray<float>();
        var b = encoder.Forward(Tensor.FromArray(new long[] { 1, 2, 5, 3, 4, 5 }, new[] { 2, 3 }), mask).ToArray<float>();
        Assert.That(b, Is.EqualTo(a).Within(1e-6), "padded positions do not count");
        var c = encoder.Forward(Tensor.FromArray(new long[] { 1, 4, 0, 3, 0, 0 }, new[] { 2, 3 }), mask).ToArray<float>();
        Assert.That(c.AsSpan(0, 3).ToArray(), Is.Not.EqualTo(a.AsSpan(0, 3).ToArray()), "a present token does count");
        var vectors = new Engine.Text.Vectors.WordVectors(new[] { "one" }, 2, new float[] { 7, 8 });
        Assert.That(encoder.InitFromWordVectors(new[] { "c:one", "w:one" }, vectors), Is.EqualTo(1));
        Assert.That(encoder.Table.ToArray<float>().AsSpan(2, 2).ToArray(), Is.EqualTo(new float[] { 7, 8 }));
    }

    [Test]
    public void BiLstmTextEncoderStopsAtEachRowsLengthAndTakesWord2VecRows()
    {
        var g = new Generator(8);
        var encoder = new BiLstmTextEncoder(vocab: 6, embedDim: 3, dim: 4, dropout: 0, g, hidden: 5);
        encoder.Eval();
        var lengths = new long[] { 2, 1, 0 };
        var a = encoder.Forward(Tensor.FromArray(new long[] { 1, 2, 0, 3, 0, 0, 0, 0, 0 }, new[] { 3, 3 }), lengths).ToArray<float>();
        var b = encoder.Forward(Tensor.FromArray(new long[] { 1, 2, 5, 3, 4, 5, 2, 2, 2 }, new[] { 3, 3 }), lengths).ToArray<float>();
        Assert.That(b, Is.EqualTo(a).Within(1e-6), "tokens past a row's length do not count");
        var alone = encoder.Forward(Tensor.FromArray(new long[] { 1, 2 }, new[] { 1, 2 }), new long[] { 2 }).ToArray<float>();
        Assert.That(alone, Is.EqualTo(a.AsSpan(0, 4).ToArray()).Within(1e-6), "a row padded in a batch encodes like the row alone");
        var swapped = encoder.Forward(Tensor.FromArray(new long[] { 2, 1 }, new[] { 1, 2 }), new long[] { 2 }).ToArray<float>();
        Assert.That(swapped, Is.Not.EqualTo(alone), "the order of the tokens matters");
        var empty = encoder.Forward(Tensor.FromArray(new long[] { 4, 4 }, new[] { 1, 2 }), new long[] { 0 }).ToArray<float>();
        Assert.That(empty, Is.EqualTo(a.AsSpan(8, 4).ToArray()).Within(1e-6), "an empty row encodes the same whatever its padding");
        Assert.Throws<ArgumentException>(() => encoder.Forward(Tensor.FromArray(new long[] { 1, 2 }, new[] { 1, 2 }), new long[] { 3 }));
        Assert.Throws<ArgumentException>(() => encoder.Forward(Tensor.FromArray(new long[] { 1, 2 }, new[] { 1, 2 }), new long[] { 1, 1 }));
        var vectors = new Engine.Text.Vectors.WordVectors(new[] { "one" }, 3, new float[] { 7, 8, 9 });
        Assert.That(encoder.InitFromWordVectors(new[] { "c:one", "w:one" }, vectors), Is.EqualTo(1));
        Assert.That(encoder.Table.ToArray<float>().AsSpan(3, 3).ToArray(), Is.EqualTo(new float[] { 7, 8, 9 }));
    }

    [Test]
    public void TokenBatchesArePaddedToTheLongestTextWithAMaskAndLengths()
    {
        var prep = new Preprocessing { Labels = new[] { "a", "b" }, Vocabulary = new[] { "w:x", "w:y", "w:z" } };
        var samples = new[]
        {
            new Sample("s0", 0, null, null, new[] { 2, 1, 1 }),
            new Sample("s1", 1, null, null, Array.Empty<int>()),
            new Sample("s2", 1, null, null, new[] { 0 }),
        };
        var loader = new BatchLoader(new MultimodalDataset(samples, Array.Empty<RowProblem>()), prep, Modality.Text, 3, shuffle: false, seed: 0, textTokens: true);
        var b = loader.Epoch(0).Single();
        Assert.That(b.TextTokenCount, Is.EqualTo(3));
        Assert.That(b.TextTokens, Is.EqualTo(new long[] { 2, 1, 1, 0, 0, 0, 0, 0, 0 }));
        Assert.That(b.TextTokenMask, Is.EqualTo(new float[] { 1, 1, 1, 0, 0, 0, 1, 0, 0 }));
        Assert.That(b.ToTensors(prep).TextTokenLengths, Is.EqualTo(new long[] { 3, 0, 1 }), "host-side lengths for sequence encoders");
        var plain = new BatchLoader(new MultimodalDataset(samples, Array.Empty<RowProblem>()), prep, Modality.Text, 3, shuffle: false, seed: 0).Epoch(0).Single();
        Assert.That(plain.TextTokens, Is.Null, "the default model gets no token arrays");
    }

    [Test]
    public void UnknownEncoderNamesAreRejected()
    {
        Assert.That(EncoderKinds.ParseImage(" ResNet "), Is.EqualTo("resnet"));
        var e = Assert.Throws<ArgumentException>(() => EncoderKinds.ParseAudio("gru"));
        Assert.That(e!.Message, Does.Contain("gru").And.Contain("bilstm"));
        Assert.Throws<ArgumentException>(() => new MultimodalNet(new ModelConfig { ImageEncoder = "vit" }, SmallPrep(), seed: 1));
        Assert.Throws<ArgumentException>(() => new MultimodalNet(new ModelConfig { TextEncoder = "lstm" }, SmallPrep(), seed: 1));
    }
}
