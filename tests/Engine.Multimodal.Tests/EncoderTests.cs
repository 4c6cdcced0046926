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
        Assert.That((config.ImageEncoder, config.AudioEncoder), Is.EqualTo(("cnn", "cnn")));
        var net = new MultimodalNet(config, SmallPrep(), seed: 1);
        var names = net.StateDict().Keys.ToList();
        Assert.That(names, Has.Some.StartsWith("image.conv1."));
        Assert.That(names, Has.Some.StartsWith("audio.conv1."));
        Assert.That(names, Has.None.Contains("resnet").And.None.Contains("lstm"));
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

    [TestCase("image", "resnet", "cnn")]
    [TestCase("audio", "cnn", "bilstm")]
    public void EachAlternativeEncoderLearnsOnItsOwn(string modality, string image, string audio)
    {
        // One fixed batch of 6 random samples with random labels: an encoder that learns fits it.
        var prep = SmallPrep();
        var config = new ModelConfig { Modalities = modality, Dim = 16, Dropout = 0, ImageEncoder = image, AudioEncoder = audio };
        var net = new MultimodalNet(config, prep, seed: 4);
        var optimizer = new DeviceAdamW(net.Parameters(), 1e-2, weightDecay: 0);
        var data = SyntheticBatch.Make(prep, config.Used, 6, seed: 12);
        double first = 0, last = 0;
        for (int step = 0; step < 40; step++)
        {
            using var scope = TensorScope.Begin();
            var batch = data.ToTensors(prep);
            var (_, loss) = TrainStep.Run(net, optimizer, batch, batch.Mask, config.AuxWeight);
            last = loss.Item();
            first = step == 0 ? last : first;
        }
        Assert.That(last, Is.LessThan(first * 0.3), $"{modality} via {(modality == "image" ? image : audio)}: loss {first:F3} -> {last:F3}");
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
    public void UnknownEncoderNamesAreRejected()
    {
        Assert.That(EncoderKinds.ParseImage(" ResNet "), Is.EqualTo("resnet"));
        var e = Assert.Throws<ArgumentException>(() => EncoderKinds.ParseAudio("gru"));
        Assert.That(e!.Message, Does.Contain("gru").And.Contain("bilstm"));
        Assert.Throws<ArgumentException>(() => new MultimodalNet(new ModelConfig { ImageEncoder = "vit" }, SmallPrep(), seed: 1));
    }
}
