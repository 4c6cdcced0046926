extern alias engine;

using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using EngineGenerator = engine::Engine.Generator;
using MData = engine::Engine.Multimodal.Data;
using MMetrics = engine::Engine.Multimodal.Metrics;
using MTraining = engine::Engine.Multimodal.Training;

namespace Engine.Benchmarks.Peers.Multimodal;

/// <summary>What one training run measured.</summary>
/// <param name="EpochSeconds">Wall time of each epoch (training batches plus the validation pass).</param>
/// <param name="EpochCpuSeconds">Process CPU time (user + system, all threads) of each epoch; NaN where not measured.</param>
/// <param name="BestEpoch">Epoch of the best validation accuracy.</param>
/// <param name="TestAccuracy">Test accuracy of the best epoch's weights.</param>
/// <param name="TestMacroF1">Test macro F1 of the best epoch's weights.</param>
public sealed record RunResult(double[] EpochSeconds, double[] EpochCpuSeconds, int BestEpoch, double TestAccuracy, double TestMacroF1);

/// <summary>Hyper-parameters shared by both engines (the defaults of `engine train`).</summary>
public sealed record RunSpec(int Epochs, int BatchSize, double Lr, double WeightDecay, int Patience, double ValidationFraction,
    int Dim, int TextEmbedDim, double Dropout, double AuxWeight, double ModalityDropout);

/// <summary>
/// The training loop of Engine.Multimodal's Trainer, with the TorchSharp model: the same stratified validation
/// split, the same shuffled batches (Engine.Multimodal's BatchLoader), the same modality-dropout masks, AdamW with
/// the same warm-up + cosine schedule per step, the same fused + auxiliary loss, early stopping on validation
/// accuracy (ties to the lower validation loss), and the best epoch's weights evaluated on the test set.
/// </summary>
public static class TorchTrainer
{
    /// <summary>Trains and evaluates one seed.</summary>
    public static RunResult Run(PeerData data, RunSpec spec, ulong seed, Action<string>? log = null, PhaseTimes? phases = null)
    {
        torch.manual_seed((long)seed);
        var prep = data.Prep;
        var used = data.Used;
        var (trainIdx, valIdx) = MTraining.Trainer.StratifiedSplit(data.All, spec.ValidationFraction, seed);
        var train = data.All.Subset(trainIdx);
        var val = data.All.Subset(valIdx);
        bool img = (used & MData.Modality.Image) != 0, aud = (used & MData.Modality.Audio) != 0, txt = (used & MData.Modality.Text) != 0;
        using var net = new TorchMultimodalNet(img, aud, txt, prep.ImageSize, prep.NMfcc, prep.Vocabulary.Length, spec.TextEmbedDim, spec.Dim, prep.Labels.Length, spec.Dropout);
        var parameters = net.parameters().ToArray();
        using var optimizer = torch.optim.AdamW(parameters, spec.Lr, weight_decay: spec.WeightDecay);

        var loader = new MData.BatchLoader(train, prep, used, spec.BatchSize, shuffle: true, seed: seed);
        int batches = loader.BatchCount;
        int totalSteps = spec.Epochs * batches;
        int warmup = Math.Min(batches, totalSteps / 10);
        long step = 0;
        var epochSeconds = new List<double>();
        var epochCpu = new List<double>();
        var process = Process.GetCurrentProcess();
        double bestAcc = -1, bestLoss = double.PositiveInfinity;
        int bestEpoch = 0, sinceBest = 0;
        Tensor[]? best = null;
        for (int epoch = 1; epoch <= spec.Epochs; epoch++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            net.train();
            var maskRng = new EngineGenerator(seed * 104729UL + (ulong)epoch);
            double lossSum = 0;
            int seen = 0;
            foreach (var bd in loader.Epoch(epoch))
            {
                using var scope = torch.NewDisposeScope();
                double lr = MTraining.Trainer.LearningRate(spec.Lr, step, warmup, totalSteps);
                foreach (var group in optimizer.ParamGroups)
                {
                    group.LearningRate = lr;
                }
                long t0 = Stopwatch.GetTimestamp();
                var inputs = Inputs(bd, prep);
                float[] maskData;
                using (var m = MTraining.Trainer.DropModalities(bd.Mask, bd.Size, used, spec.ModalityDropout, maskRng))
                {
                    maskData = m.ToArray<float>();
                }
                var mask = torch.tensor(maskData, new long[] { bd.Size, 3 });
                var labels = torch.tensor(bd.Labels, new long[] { bd.Size });
                long t1 = Stopwatch.GetTimestamp();
                var (logits, unimodal, present) = net.Forward(inputs, mask);
                long t2 = Stopwatch.GetTimestamp();
                var loss = Loss(logits, unimodal, present, labels, spec.AuxWeight);
                long t3 = Stopwatch.GetTimestamp();
                optimizer.zero_grad();
                loss.backward();
                long t4 = Stopwatch.GetTimestamp();
                optimizer.step();
                long t5 = Stopwatch.GetTimestamp();
                phases?.Add("data", t0, t1);
                phases?.Add("forward", t1, t2);
                phases?.Add("loss", t2, t3);
                phases?.Add("backward (with zero_grad)", t3, t4);
                phases?.Add("optimizer.step", t4, t5);
                step++;
                double l = loss.item<float>();
                if (!double.IsFinite(l))
                {
                    throw new InvalidOperationException($"torch peer: the loss became {l} at epoch {epoch}");
                }
                lossSum += l * bd.Size;
                seen += bd.Size;
            }
            long v0 = Stopwatch.GetTimestamp();
            var (valAcc, valLoss, _) = Evaluate(net, val, prep, used);
            phases?.Add("validation", v0, Stopwatch.GetTimestamp());
            watch.Stop();
            process.Refresh();
            epochSeconds.Add(watch.Elapsed.TotalSeconds);
            epochCpu.Add((process.TotalProcessorTime - cpu0).TotalSeconds);
            bool better = valAcc > bestAcc || (valAcc == bestAcc && valLoss < bestLoss);
            log?.Invoke($"  torch epoch {epoch}: train loss {lossSum / Math.Max(seen, 1):F4}, val acc {valAcc:P1}, val loss {valLoss:F4}, {watch.Elapsed.TotalSeconds:F2} s{(better ? " *" : "")}");
            if (better)
            {
                bestAcc = valAcc;
                bestLoss = valLoss;
                bestEpoch = epoch;
                sinceBest = 0;
                if (best is not null)
                {
                    foreach (var t in best)
                    {
                        t.Dispose();
                    }
                }
                best = parameters.Select(p => p.detach().clone()).ToArray();
            }
            else if (++sinceBest >= spec.Patience)
            {
                break;
            }
        }
        using (torch.no_grad())
        {
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i].copy_(best![i]);
            }
        }
        var (_, _, testMetrics) = Evaluate(net, data.Test, prep, used);
        return new RunResult(epochSeconds.ToArray(), epochCpu.ToArray(), bestEpoch, testMetrics.Accuracy, testMetrics.MacroF1);
    }

    private static Tensor?[] Inputs(MData.BatchData bd, MData.Preprocessing prep)
    {
        int b = bd.Size, s = prep.ImageSize;
        return new[]
        {
            bd.Image is null ? null : torch.tensor(bd.Image, new long[] { b, s, s, 1 }),
            bd.Audio is null ? null : torch.tensor(bd.Audio, new long[] { b, prep.AudioFrames, prep.NMfcc }),
            bd.Text is null ? null : torch.tensor(bd.Text, new long[] { b, prep.Vocabulary.Length }),
        };
    }

    /// <summary>Fused cross-entropy plus auxWeight times the mean over modalities of each head's cross-entropy over samples where it is present.</summary>
    private static Tensor Loss(Tensor logits, List<Tensor> unimodal, Tensor present, Tensor labels, double auxWeight)
    {
        var loss = nn.functional.cross_entropy(logits, labels);
        if (auxWeight > 0 && unimodal.Count > 0)
        {
            Tensor? aux = null;
            for (int m = 0; m < unimodal.Count; m++)
            {
                var p = present.select(1, m);
                var per = nn.functional.cross_entropy(unimodal[m], labels, reduction: nn.Reduction.None);
                var term = (per * p).sum() / p.sum().clamp_min(1.0);
                aux = aux is null ? term : aux + term;
            }
            loss = loss + aux! * (auxWeight / unimodal.Count);
        }
        return loss;
    }

    /// <summary>Accuracy, mean fused cross-entropy and metrics over a dataset (dropout off, no modality dropout, batches of 64).</summary>
    private static (double Accuracy, double Loss, MMetrics.ClassificationMetrics Metrics) Evaluate(TorchMultimodalNet net, MData.MultimodalDataset data, MData.Preprocessing prep, MData.Modality used)
    {
        net.eval();
        var loader = new MData.BatchLoader(data, prep, used, 64, shuffle: false, seed: 0);
        var truth = new List<int>();
        var pred = new List<int>();
        double lossSum = 0;
        using (torch.no_grad())
        {
            foreach (var bd in loader.Epoch(0))
            {
                using var scope = torch.NewDisposeScope();
                var mask = torch.tensor(bd.Mask, new long[] { bd.Size, 3 });
                var labels = torch.tensor(bd.Labels, new long[] { bd.Size });
                var (logits, _, _) = net.Forward(Inputs(bd, prep), mask);
                lossSum += nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum).item<float>();
                var argmax = logits.argmax(1).data<long>().ToArray();
                truth.AddRange(bd.Labels.Select(l => (int)l));
                pred.AddRange(argmax.Select(a => (int)a));
            }
        }
        net.train();
        var metrics = MMetrics.ClassificationMetrics.Compute(truth, pred, prep.Labels);
        return (metrics.Accuracy, data.Count == 0 ? double.NaN : lossSum / data.Count, metrics);
    }
}

/// <summary>Wall time per phase of the peer's training step (forward, loss, backward, optimizer step, ...), summed over a run.</summary>
public sealed class PhaseTimes
{
    private readonly Dictionary<string, (long Count, long Ticks)> _phases = new();

    /// <summary>Adds the span between two <see cref="Stopwatch.GetTimestamp"/> readings to a phase.</summary>
    public void Add(string phase, long start, long end)
    {
        _phases.TryGetValue(phase, out var p);
        _phases[phase] = (p.Count + 1, p.Ticks + end - start);
    }

    /// <summary>One line per phase: calls, total ms, mean us.</summary>
    public string Report() => string.Join(Environment.NewLine, _phases.OrderByDescending(kv => kv.Value.Ticks).Select(kv => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"  {kv.Key,-28}{kv.Value.Count,8}{kv.Value.Ticks * 1e3 / Stopwatch.Frequency,12:F1} ms{kv.Value.Ticks * 1e6 / Stopwatch.Frequency / Math.Max(kv.Value.Count, 1),10:F1} us")));
}
