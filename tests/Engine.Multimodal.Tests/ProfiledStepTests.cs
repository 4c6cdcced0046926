using Engine.Autograd;
using Engine.Multimodal.Benchmarks;
using Engine.Multimodal.Model;
using Engine.Multimodal.Training;

namespace Engine.Multimodal.Tests;

[NonParallelizable]
public class ProfiledStepTests
{
    [Test]
    public void ATrainingStepUnderTheProfilerShowsItsRegionsAndTheFusedOps()
    {
        var config = new ModelConfig { Modalities = "image,audio" };
        var prep = SyntheticBatch.Preprocessing(classes: 3, imageSize: 12, frames: 16, nMfcc: 5, vocab: 12);
        var net = new MultimodalNet(config, prep, seed: 1);
        var optimizer = Trainer.NewOptimizer(net, Device.Cpu, 1e-3, 1e-4);
        var batch = SyntheticBatch.Make(prep, config.Used, 4, seed: 2).ToTensors(prep, Device.Cpu);

        using var p = Profiler.Start();
        TrainStep.Run(net, optimizer, batch, batch.Mask, config.AuxWeight);
        TrainStep.Run(net, optimizer, batch, batch.Mask, config.AuxWeight);
        p.Stop();

        var rows = p.Entries;
        long Count(string name, ProfileKind kind) => rows.Where(e => e.Name == name && e.Kind == kind).Sum(e => e.Count);
        foreach (var region in new[] { "forward", "loss", "optimizer.zero_grad", "optimizer.step", "autograd::backward" })
        {
            Assert.That(Count(region, ProfileKind.Region), Is.EqualTo(2), region);
        }
        // Two image convolutions and one audio one-before-pooling per step: the fused ops run on the CPU.
        Assert.That(Count("im2col2d", ProfileKind.Forward), Is.EqualTo(4));
        Assert.That(Count("im2col1d", ProfileKind.Forward), Is.EqualTo(4));
        Assert.That(Count("relu_max_pool", ProfileKind.Forward), Is.EqualTo(6));
        Assert.That(Count("relu_max_poolBackward", ProfileKind.Backward), Is.EqualTo(6));
        Assert.That(rows.Where(e => e.Name == "im2col2d").All(e => e.Region == "forward"), Is.True);
        Assert.That(optimizer, Is.InstanceOf<HostAdamW>());
    }
}
