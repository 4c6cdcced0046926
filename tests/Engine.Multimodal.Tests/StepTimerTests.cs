using Engine.Multimodal.Benchmarks;
using Engine.Multimodal.Model;

namespace Engine.Multimodal.Tests;

public class StepTimerTests
{
    [Test]
    public void MeasuresAFullStepOnTheCpu()
    {
        var prep = SyntheticBatch.Preprocessing(classes: 3, imageSize: 10, frames: 14, nMfcc: 4, vocab: 12);
        double seconds = StepTimer.Measure(Device.Cpu, new ModelConfig { Dim = 8, TextEmbedDim = 4 }, batch: 4, steps: 3, warmup: 1, prep: prep);
        Assert.That(seconds, Is.GreaterThan(0).And.LessThan(10));
    }

    [Test]
    public void TheDefaultShapesMatchTheSample()
    {
        var prep = SyntheticBatch.Preprocessing();
        var data = SyntheticBatch.Make(prep, new ModelConfig().Used, 3, seed: 1);
        var batch = data.ToTensors(prep);
        Assert.That(batch.Image!.Shape, Is.EqualTo(new[] { 3, 28, 28, 1 }));
        Assert.That(batch.Audio!.Shape, Is.EqualTo(new[] { 3, 80, 13 }));
        Assert.That(batch.Text!.Shape, Is.EqualTo(new[] { 3, 512 }));
        Assert.That(data.Labels, Is.All.InRange(0L, 9L));
        Assert.That(SyntheticBatch.Make(prep, new ModelConfig().Used, 3, seed: 1).Image, Is.EqualTo(data.Image), "the seed fixes the inputs");
    }

    [Test]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StepTimer.Measure(Device.Cpu, new ModelConfig(), batch: 2, steps: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticBatch.Make(SyntheticBatch.Preprocessing(), new ModelConfig().Used, 0, seed: 1));
    }
}
