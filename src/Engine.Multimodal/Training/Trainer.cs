using System.Diagnostics;
using Engine.Multimodal.Data;
using Engine.Multimodal.Metrics;
using Engine.Autograd;
using Engine.Multimodal.Model;
using Engine.Nn.Optim;

namespace Engine.Multimodal.Training;

/// <summary>Callbacks a front end uses to show progress (all optional).</summary>
public sealed class TrainProgress
{
    /// <summary>A line of information (data summary, skipped rows, resume).</summary>
    public Action<string>? Info { get; init; }

    /// <summary>Decoding progress: phase name, done, total.</summary>
    public Action<string, int, int>? Loading { get; init; }

    /// <summary>Batch progress within an epoch: epoch, batch, batches, running loss.</summary>
    public Action<int, int, int, double>? Batch { get; init; }

    /// <summary>An epoch finished: its record and whether it is the new best.</summary>
    public Action<EpochRecord, bool>? Epoch { get; init; }
}

/// <summary>The outcome of a training run.</summary>
/// <param name="State">Final training state with the history.</param>
/// <param name="Validation">Metrics of the best checkpoint on the validation split.</param>
/// <param name="Test">Metrics of the best checkpoint on the test manifest, if one was given.</param>
/// <param name="Labels">Class labels.</param>
/// <param name="Skipped">Rows skipped in the manifests.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record TrainResult(TrainingState State, ClassificationMetrics? Validation, ClassificationMetrics? Test, string[] Labels, IReadOnlyList<RowProblem> Skipped, double Seconds);

/// <summary>
/// Trains a <see cref="MultimodalNet"/>: stratified validation split, AdamW with a warm-up + cosine learning-rate
/// schedule, early stopping on validation accuracy, the best weights and the last checkpoint saved atomically
/// after every epoch, --resume from the last checkpoint, everything drawn from one seed.
/// </summary>
public static class Trainer
{
    /// <summary>Runs training and writes the model folder (config.json, model.safetensors, checkpoint.safetensors, metrics.json).</summary>
    public static TrainResult Run(TrainOptions options, TrainProgress? progress = null)
    {
        options.Validate();
        progress ??= new TrainProgress();
        var watch = Stopwatch.StartNew();
        var used = options.Model.Used;
        Directory.CreateDirectory(options.OutDir);

        var trainManifest = Manifest.Load(options.TrainManifest, used, strict: options.Strict);
        SavedConfig? saved = null;
        if (options.Resume)
        {
            // The saved preprocessing must be reused so the resumed weights see the same inputs.
            saved = ModelFolder.LoadConfig(options.OutDir);
            if (saved.Model.Modalities != options.Model.Modalities || saved.Model.Fusion != options.Model.Fusion || saved.Seed != options.Seed
                || saved.Model.ImageEncoder != options.Model.ImageEncoder || saved.Model.AudioEncoder != options.Model.AudioEncoder || saved.Model.TextEncoder != options.Model.TextEncoder)
            {
                throw new ArgumentException($"--resume: the folder was trained with modalities {saved.Model.Modalities}, fusion {saved.Model.Fusion}, encoders {saved.Model.ImageEncoder}/{saved.Model.AudioEncoder}/{saved.Model.TextEncoder}, seed {saved.Seed}; this run asks for {options.Model.Modalities}, {options.Model.Fusion}, encoders {options.Model.ImageEncoder}/{options.Model.AudioEncoder}/{options.Model.TextEncoder}, seed {options.Seed}");
            }
        }
        var (config, all) = LoadTrainingData(options, trainManifest, saved, progress);
        var prep = config.Preprocessing;
        var (trainIdx, valIdx) = StratifiedSplit(all, options.ValidationFraction, options.Seed);
        var train = all.Subset(trainIdx);
        var val = all.Subset(valIdx);
        progress.Info?.Invoke($"data: {train.Count} training, {val.Count} validation samples, {prep.Labels.Length} classes, {all.Problems.Count} row(s) skipped; text vocabulary {prep.Vocabulary.Length} features{(options.Streaming ? "; streamed from the files every epoch" : "")}");

        Engine.Text.Vectors.WordVectors? vectors = null;
        if (options.WordVectors is not null && !options.Resume && (used & Modality.Text) != 0)
        {
            vectors = Engine.Text.Vectors.Word2VecFormat.Load(options.WordVectors);
            config.Model.TextEmbedDim = vectors.Dim;
        }
        var net = new MultimodalNet(config.Model, prep, options.Seed);
        if (vectors is not null)
        {
            int set = net.Text!.InitFromWordVectors(prep.Vocabulary, vectors);
            int words = prep.Vocabulary.Count(v => v.StartsWith("w:", StringComparison.Ordinal));
            progress.Info?.Invoke($"text: {set} of {words} vocabulary words initialised from {options.WordVectors} (dimension {vectors.Dim})");
        }
        var device = options.Device;
        net.To(device);
        var optimizer = NewOptimizer(net, device, options.Lr, options.WeightDecay);
        var state = new TrainingState();
        if (options.Resume)
        {
            state = ModelFolder.LoadCheckpoint(options.OutDir, net, optimizer);
            progress.Info?.Invoke($"resumed from {ModelFolder.CheckpointFile}: {state.Epoch} epoch(s) done, best validation accuracy {state.BestValAccuracy:P1} at epoch {state.BestEpoch}");
        }
        else
        {
            ModelFolder.SaveConfig(options.OutDir, config);
        }

        var loader = new BatchLoader(train, prep, used, options.BatchSize, shuffle: true, seed: options.Seed, textTokens: config.Model.UsesTextTokens);
        int batches = loader.BatchCount;
        int totalSteps = options.Epochs * batches;
        int warmup = Math.Min(batches, totalSteps / 10);
        while (state.Epoch < options.Epochs && !state.Stopped)
        {
            int epoch = state.Epoch + 1;
            var epochWatch = Stopwatch.StartNew();
            net.Train();
            // Dropout and modality dropout are re-seeded per epoch, so a resumed run draws what an uninterrupted one would.
            net.ReseedDropout(options.Seed * 7919UL + (ulong)epoch);
            var maskRng = new Generator(options.Seed * 104729UL + (ulong)epoch);
            // Loss and accuracy are summed on the device; the host reads them only when it reports progress
            // (every batch on the CPU, every few batches on a GPU, where each read waits for the queue to drain).
            using var lossAcc = NewAccumulator(device);
            using var correctAcc = NewAccumulator(device);
            int readEvery = device.Kind == DeviceKind.Cpu ? 1 : 10;
            double lossSum = 0, correctSum = 0;
            int seen = 0, b = 0;
            using var batchesOfEpoch = loader.Epoch(epoch).GetEnumerator();
            while (true)
            {
                BatchData bd;
                using (Profiler.Region("data"))
                {
                    if (!batchesOfEpoch.MoveNext())
                    {
                        break;
                    }
                    bd = batchesOfEpoch.Current;
                }
                using var scope = TensorScope.Begin();
                optimizer.ParamGroups[0].Lr = LearningRate(options.Lr, state.Step, warmup, totalSteps);
                Batch batch;
                using (Profiler.Region("data"))
                {
                    // Modality dropout edits the host mask, so each batch goes to the device in one upload per array.
                    var dropped = DropModalityMask(bd.Mask, bd.Size, used, config.Model.ModalityDropout, maskRng);
                    batch = bd.WithMask(dropped).ToTensors(prep, device);
                }
                var (output, loss) = TrainStep.Run(net, optimizer, batch, batch.Mask, config.Model.AuxWeight);
                state.Step++;
                using (Profiler.Region("metrics"))
                using (GradMode.NoGrad())
                {
                    lossAcc.AddInPlace(loss.Detach(), bd.Size);
                    correctAcc.AddInPlace(output.Logits.ArgMax(1).Eq(batch.Labels).To(DType.Float32).Sum());
                }
                seen += bd.Size;
                b++;
                if (b % readEvery == 0 || b == batches)
                {
                    lossSum = lossAcc.Item();
                    correctSum = correctAcc.Item();
                    if (!double.IsFinite(lossSum))
                    {
                        throw new InvalidOperationException($"train: the loss became {lossSum} at epoch {epoch}, by batch {b}; lower --lr");
                    }
                    progress.Batch?.Invoke(epoch, b, batches, lossSum / seen);
                }
                optimizer.ZeroGrad();
            }
            int correct = (int)Math.Round(correctSum);
            Predictions? valPred;
            using (Profiler.Region("validation"))
            {
                valPred = val.Count > 0 ? Evaluator.Predict(net, val, prep) : null;
            }
            var valMetrics = valPred is null ? null : Evaluator.Metrics(valPred, prep);
            var record = new EpochRecord(epoch, optimizer.ParamGroups[0].Lr, lossSum / Math.Max(seen, 1), (double)correct / Math.Max(seen, 1),
                valPred?.Loss ?? double.NaN, valMetrics?.Accuracy ?? double.NaN, valMetrics?.MacroF1 ?? double.NaN, epochWatch.Elapsed.TotalSeconds);
            state.History.Add(record);
            state.Epoch = epoch;
            // Without a validation split the last epoch is the best one.
            double acc = valMetrics?.Accuracy ?? epoch;
            double vloss = valPred?.Loss ?? 0;
            bool better = acc > state.BestValAccuracy || (acc == state.BestValAccuracy && vloss < state.BestValLoss);
            if (better)
            {
                state.BestValAccuracy = acc;
                state.BestValLoss = vloss;
                state.BestEpoch = epoch;
                state.EpochsWithoutImprovement = 0;
                using var saving = Profiler.Region("checkpoint");
                ModelFolder.SaveModel(options.OutDir, net, epoch);
            }
            else if (++state.EpochsWithoutImprovement >= options.Patience)
            {
                state.Stopped = true;
                progress.Info?.Invoke($"early stopping: no better validation accuracy for {options.Patience} epochs (best {state.BestValAccuracy:P1} at epoch {state.BestEpoch})");
            }
            using (Profiler.Region("checkpoint"))
            {
                ModelFolder.SaveCheckpoint(options.OutDir, net, optimizer, state);
            }
            progress.Epoch?.Invoke(record, better);
        }

        var (best, _) = ModelFolder.LoadModel(options.OutDir, device);
        var validation = val.Count > 0 ? Evaluator.Metrics(Evaluator.Predict(best, val, prep), prep) : null;
        var skipped = new List<RowProblem>(all.Problems);
        ClassificationMetrics? test = null;
        if (options.TestManifest is not null)
        {
            var testManifest = Manifest.Load(options.TestManifest, used, prep.Labels, options.Strict);
            ISampleSource testData = options.Streaming
                ? new StreamingDataset(testManifest, prep, options.Strict)
                : DatasetBuilder.Load(testManifest, prep, options.Strict, (d, n) => progress.Loading?.Invoke("test data", d, n));
            test = Evaluator.Metrics(Evaluator.Predict(best, testData, prep), prep);
            skipped.AddRange(testData.Problems);
            (testData as IDisposable)?.Dispose();
        }
        (all as IDisposable)?.Dispose();
        var result = new TrainResult(state, validation, test, prep.Labels, skipped, watch.Elapsed.TotalSeconds);
        JsonFiles.Write(Path.Combine(options.OutDir, ModelFolder.MetricsFile), MetricsReport.From(result, options));
        return result;
    }

    // The saved (on --resume) or freshly fitted preprocessing and the training samples: decoded into memory, or
    // (streaming) checked once while fitting and then decoded batch by batch every epoch.
    private static (SavedConfig Config, ISampleSource All) LoadTrainingData(TrainOptions options, Manifest manifest, SavedConfig? saved, TrainProgress progress)
    {
        var used = options.Model.Used;
        Action<int, int> loading = (d, n) => progress.Loading?.Invoke("train data", d, n);
        if (options.Streaming)
        {
            if (saved is not null)
            {
                return (saved, new StreamingDataset(manifest, saved.Preprocessing, options.Strict));
            }
            var (prep, problems) = DatasetBuilder.Fit(manifest, used, options.Strict, loading);
            var bad = problems.Select(p => p.Line).ToHashSet();
            return (new SavedConfig { Model = options.Model, Preprocessing = prep, Seed = options.Seed }, new StreamingDataset(manifest, prep, options.Strict, problems, bad));
        }
        if (saved is not null)
        {
            return (saved, DatasetBuilder.Load(manifest, saved.Preprocessing, options.Strict, loading));
        }
        var (fitted, all) = DatasetBuilder.FitAndLoad(manifest, used, options.Strict, loading);
        return (new SavedConfig { Model = options.Model, Preprocessing = fitted, Seed = options.Seed }, all);
    }

    /// <summary>AdamW for the device: one pass per parameter on the CPU (<see cref="HostAdamW"/>), a multi-tensor kernel updating six parameters per launch on a GPU (<see cref="DeviceAdamW"/>); both keep Engine.Nn AdamW's state.</summary>
    public static Adam NewOptimizer(MultimodalNet net, Device device, double lr, double weightDecay) => device.Kind == DeviceKind.Cpu
        ? new HostAdamW(net.Parameters(), lr, weightDecay: weightDecay)
        : new DeviceAdamW(net.Parameters(), lr, weightDecay: weightDecay);

    private static Tensor NewAccumulator(Device device)
    {
        using var outside = TensorScopeOutside.Begin();
        return Tensor.Zeros(Array.Empty<int>(), DType.Float32, device);
    }

    /// <summary>Linear warm-up to the peak, then cosine decay to 5% of it.</summary>
    public static double LearningRate(double peak, long step, int warmup, int total)
    {
        if (step < warmup)
        {
            return peak * (step + 1) / warmup;
        }
        double t = total <= warmup ? 1 : Math.Min(1.0, (double)(step - warmup) / (total - warmup));
        return peak * (0.05 + 0.95 * 0.5 * (1 + Math.Cos(Math.PI * t)));
    }

    /// <summary>Fused cross-entropy plus the weighted mean of each modality head's cross-entropy over samples where it is present.</summary>
    public static Tensor Loss(NetOutput output, Tensor labels, double auxWeight)
    {
        var loss = Functional.CrossEntropy(output.Logits, labels);
        if (auxWeight > 0 && output.Unimodal.Count > 0)
        {
            Tensor? aux = null;
            for (int m = 0; m < output.Unimodal.Count; m++)
            {
                var present = output.Mask.Select(1, m);
                var per = Functional.CrossEntropy(output.Unimodal[m], labels, reduction: Functional.Reduction.None);
                var term = (per * present).Sum() / present.Sum().Clamp(min: 1.0);
                aux = aux is null ? term : aux + term;
            }
            loss = loss + aux! * (auxWeight / output.Unimodal.Count);
        }
        return loss;
    }

    /// <summary>Hides each present modality with probability p, always keeping at least one; returns the (B, 3) mask on <paramref name="device"/>.</summary>
    public static Tensor DropModalities(float[] mask, int size, Modality used, double p, Generator g, Device? device = null)
        => Tensor.FromArray(DropModalityMask(mask, size, used, p, g), new[] { size, 3 }, device);

    /// <summary>Hides each present modality with probability p, always keeping at least one; returns the new (B, 3) mask values.</summary>
    public static float[] DropModalityMask(float[] mask, int size, Modality used, double p, Generator g)
    {
        var m = (float[])mask.Clone();
        if (p > 0 && System.Numerics.BitOperations.PopCount((uint)used) > 1)
        {
            for (int i = 0; i < size; i++)
            {
                int present = 0;
                for (int c = 0; c < 3; c++)
                {
                    present += m[i * 3 + c] > 0 ? 1 : 0;
                }
                for (int c = 0; c < 3 && present > 1; c++)
                {
                    if (m[i * 3 + c] > 0 && g.NextDouble() < p)
                    {
                        m[i * 3 + c] = 0;
                        present--;
                    }
                }
            }
        }
        return m;
    }

    /// <summary>Splits indices per class: round(fraction * n_class) of each class (shuffled by the seed) go to validation.</summary>
    public static (int[] Train, int[] Val) StratifiedSplit(ISampleSource data, double fraction, ulong seed)
    {
        var train = new List<int>();
        var val = new List<int>();
        var g = new Generator(seed ^ 0x5EED5EEDUL);
        foreach (var group in Enumerable.Range(0, data.Count).GroupBy(data.LabelOf).OrderBy(k => k.Key))
        {
            var idx = group.ToArray();
            for (int i = idx.Length - 1; i > 0; i--)
            {
                int j = (int)g.NextInt64(i + 1);
                (idx[i], idx[j]) = (idx[j], idx[i]);
            }
            int nVal = (int)Math.Round(fraction * idx.Length);
            if (nVal >= idx.Length)
            {
                nVal = idx.Length - 1;
            }
            val.AddRange(idx.Take(nVal));
            train.AddRange(idx.Skip(nVal));
        }
        train.Sort();
        val.Sort();
        return (train.ToArray(), val.ToArray());
    }
}
