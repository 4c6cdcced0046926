using Engine.Gpu;
using Engine.Multimodal.Benchmarks;
using Engine.Multimodal.Data;
using Engine.Multimodal.Model;
using Engine.Multimodal.Training;
using Engine.Nn.Optim;

namespace Engine.Multimodal.Tests;

/// <summary>
/// Training on ILGPU's CPU accelerator (the GPU kernels run as .NET code) gives what the CPU path gives. Sizes
/// are small because that accelerator simulates every GPU thread with an OS thread.
/// </summary>
public class DeviceTrainingTests
{
    private static Preprocessing SmallPrep() => SyntheticBatch.Preprocessing(classes: 3, imageSize: 10, frames: 14, nMfcc: 4, vocab: 12);

    private static ModelConfig SmallConfig(string fusion = "attention") => new()
    {
        Fusion = fusion,
        Dim = 8,
        TextEmbedDim = 4,
    };

    /// <summary>Losses of <paramref name="steps"/> training steps on <paramref name="device"/>, and the first step's gradients.</summary>
    internal static (double[] Losses, float[][] Grads) Train(Device device, ModelConfig config, Preprocessing prep, int steps, int batch = 2)
    {
        var net = new MultimodalNet(config, prep, seed: 5).To(device);
        var optimizer = new DeviceAdamW(net.Parameters(), 5e-3, weightDecay: 1e-4);
        var losses = new double[steps];
        float[][] grads = Array.Empty<float[]>();
        for (int s = 0; s < steps; s++)
        {
            using var scope = TensorScope.Begin();
            var tensors = SyntheticBatch.Make(prep, config.Used, batch, seed: 100 + (ulong)s, textTokens: config.UsesTextTokens).ToTensors(prep, device);
            Assert.That(tensors.Image!.Device, Is.EqualTo(device));
            var (output, loss) = TrainStep.Run(net, optimizer, tensors, tensors.Mask, config.AuxWeight);
            Assert.That(output.Logits.Device, Is.EqualTo(device), "the step runs on the chosen device");
            losses[s] = loss.Item();
            if (s == 0)
            {
                grads = net.Parameters().Select(p => p.Grad!.ToArray<float>()).ToArray();
            }
        }
        return (losses, grads);
    }

    internal static void AssertSameTraining(ModelConfig config, Preprocessing prep, int steps)
    {
        var cpu = Train(Device.Cpu, config, prep, steps);
        var gpu = Train(Devices.IlgpuCpu(), config, prep, steps);
        for (int s = 0; s < steps; s++)
        {
            Assert.That(gpu.Losses[s], Is.EqualTo(cpu.Losses[s]).Within(1e-4 * Math.Abs(cpu.Losses[s])), $"loss of step {s + 1}");
        }
        Assert.That(cpu.Losses[^1], Is.Not.EqualTo(cpu.Losses[0]), "the parameters changed");
        // Gradients of the first step, before Adam's normalisation amplifies rounding in near-zero gradients: each
        // element within 1e-4 of its tensor's largest gradient (float32 sums in a different order), 1e-3 relative,
        // and 1e-5 of the largest gradient anywhere (a tensor whose exact gradient is zero, such as a bias under a
        // softmax that ignores shifts, holds only rounding noise).
        float global = cpu.Grads.Max(g => g.Max(MathF.Abs));
        for (int i = 0; i < cpu.Grads.Length; i++)
        {
            float scale = cpu.Grads[i].Max(MathF.Abs);
            for (int j = 0; j < cpu.Grads[i].Length; j++)
            {
                Assert.That(gpu.Grads[i][j], Is.EqualTo(cpu.Grads[i][j]).Within(1e-4 * scale + 1e-3 * Math.Abs(cpu.Grads[i][j]) + 1e-5 * global), $"gradient of parameter {i}[{j}]");
            }
        }
    }

    // Two steps: the second loss is computed from parameters the first update changed.
    [Test]
    public void TrainingStepsOnIlgpuCpuMatchTheCpu() => AssertSameTraining(SmallConfig(), SmallPrep(), steps: 2);

    [Test, Explicit("slow on ILGPU's CPU accelerator; run by hand or on a GPU")]
    public void CrossAttentionFusionStepsOnIlgpuCpuMatchTheCpu() => AssertSameTraining(SmallConfig("xattention"), SmallPrep(), steps: 2);

    [Test]
    public void CrossAttentionFusionTrainingIsReproducibleFromTheSeed()
    {
        // Its attention dropout must come from the net's seeded generator, not the global one.
        var a = Train(Device.Cpu, SmallConfig("xattention"), SmallPrep(), steps: 2);
        Tensor.Rand(new[] { 100 }).Dispose();
        var b = Train(Device.Cpu, SmallConfig("xattention"), SmallPrep(), steps: 2);
        Assert.That(b.Losses, Is.EqualTo(a.Losses));
    }

    // The ResNet, BiLSTM and attention text encoders on the device need the GPU backend's batch-norm, pooling,
    // LSTM and index kernels; explicit because the CPU accelerator takes minutes over them.
    [Test, Explicit("slow on ILGPU's CPU accelerator; run by hand or on a GPU")]
    public void ResNetAndBiLstmStepsOnIlgpuCpuMatchTheCpu()
    {
        var config = SmallConfig();
        config.ImageEncoder = "resnet";
        config.AudioEncoder = "bilstm";
        config.TextEncoder = "attention";
        AssertSameTraining(config, SmallPrep(), steps: 2);
    }

    [Test, Explicit("a whole run on ILGPU's CPU accelerator takes minutes")]
    public void AWholeTrainingRunOnIlgpuCpuMatchesTheCpuRun()
    {
        var dir = TestData.TempFolder();
        try
        {
            var manifest = TestData.SampleSubset(dir, 12);
            TrainResult Run(Device device, string name) => Trainer.Run(new TrainOptions
            {
                TrainManifest = manifest,
                TestManifest = manifest,
                OutDir = Path.Combine(dir, name),
                Epochs = 1,
                BatchSize = 9,
                ValidationFraction = 0.25,
                Seed = 3,
                Device = device,
            });
            var cpu = Run(Device.Cpu, "cpu");
            var gpu = Run(Devices.IlgpuCpu(), "gpu");
            Assert.That(gpu.State.History[0].TrainLoss, Is.EqualTo(cpu.State.History[0].TrainLoss).Within(1e-4 * cpu.State.History[0].TrainLoss));
            Assert.That(gpu.State.History[0].ValLoss, Is.EqualTo(cpu.State.History[0].ValLoss).Within(1e-4 * cpu.State.History[0].ValLoss));
            Assert.That(gpu.Test!.Confusion, Is.EqualTo(cpu.Test!.Confusion));
            Assert.That(File.Exists(Path.Combine(dir, "gpu", ModelFolder.CheckpointFile)), Is.True);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void MovingTheNetKeepsParameterIdentityAndValues()
    {
        var prep = SmallPrep();
        var net = new MultimodalNet(SmallConfig(), prep, seed: 1);
        var before = net.Parameters().ToList();
        var values = before.Select(p => p.ToArray<float>()).ToList();
        var device = Devices.IlgpuCpu();
        net.To(device);
        var after = net.Parameters().ToList();
        Assert.That(net.Device, Is.EqualTo(device));
        for (int i = 0; i < before.Count; i++)
        {
            Assert.That(after[i], Is.SameAs(before[i]), "layers keep their parameter objects");
            Assert.That(after[i].Device, Is.EqualTo(device));
            Assert.That(after[i].RequiresGrad, Is.True);
            Assert.That(after[i].ToArray<float>(), Is.EqualTo(values[i]));
        }
        net.To(Device.Cpu);
        Assert.That(net.Parameters().All(p => p.Device.Equals(Device.Cpu)), Is.True);
    }
}
