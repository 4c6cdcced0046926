using System.Diagnostics;
using Engine.Multimodal.Data;
using Engine.Multimodal.Model;
using Engine.Multimodal.Training;
using Engine.Nn.Optim;

namespace Engine.Multimodal.Benchmarks;

/// <summary>
/// Times one full training step of the multimodal model (forward, fused + auxiliary loss, backward, AdamW update)
/// on a device, with synthetic inputs of the built-in sample's shapes (28x28 images, 80x13 MFCC frames, a
/// 512-feature text vocabulary, 10 classes) unless a <see cref="Preprocessing"/> is given.
/// </summary>
public static class StepTimer
{
    /// <summary>
    /// Seconds per training step of a model of <paramref name="config"/> on <paramref name="device"/> at batch size
    /// <paramref name="batch"/>: <paramref name="warmup"/> untimed steps (kernel compilation, pools), then the mean of
    /// <paramref name="steps"/> steps, ending with a read of the last loss so queued device work is included.
    /// </summary>
    public static double Measure(Device device, ModelConfig config, int batch, int steps, int warmup = 2, Preprocessing? prep = null)
    {
        if (steps <= 0 || warmup < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), $"StepTimer: steps must be positive and warmup non-negative, got {steps} and {warmup}");
        }
        prep ??= SyntheticBatch.Preprocessing();
        var net = new MultimodalNet(config, prep, seed: 1).To(device);
        var optimizer = Trainer.NewOptimizer(net, device, 1e-3, 1e-4);
        var data = SyntheticBatch.Make(prep, config.Used, batch, seed: 2, textTokens: config.UsesTextTokens);
        for (int i = 0; i < warmup; i++)
        {
            Step(net, optimizer, data, prep, device, config.AuxWeight, read: true);
        }
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
        {
            Step(net, optimizer, data, prep, device, config.AuxWeight, read: i == steps - 1);
        }
        return watch.Elapsed.TotalSeconds / steps;
    }

    private static void Step(MultimodalNet net, Optimizer optimizer, BatchData data, Preprocessing prep, Device device, double auxWeight, bool read)
    {
        using var scope = TensorScope.Begin();
        // The host-to-device copy of the batch is part of a real step, so it is timed too.
        var batch = data.ToTensors(prep, device);
        var (_, loss) = TrainStep.Run(net, optimizer, batch, batch.Mask, auxWeight);
        if (read && !double.IsFinite(loss.Item()))
        {
            throw new InvalidOperationException($"StepTimer: the loss is not finite on {device}");
        }
    }
}
