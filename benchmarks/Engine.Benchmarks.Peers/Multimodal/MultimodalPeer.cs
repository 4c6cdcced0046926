extern alias engine;

using System.Globalization;
using System.Text.Json;
using MData = engine::Engine.Multimodal.Data;
using MModel = engine::Engine.Multimodal.Model;
using MTraining = engine::Engine.Multimodal.Training;

namespace Engine.Benchmarks.Peers.Multimodal;

/// <summary>
/// Issue 8's peer comparison: the default multimodal model trained by our Trainer (the code `engine train` runs)
/// and by <see cref="TorchTrainer"/> (the same model in libtorch through TorchSharp) on the same decoded data, the
/// same epochs and hyper-parameters and the same thread count; prints test accuracy, macro F1 and epoch wall times
/// and appends one JSON line per run to --json. Usage:
/// <c>dotnet bin/Release/net10.0/linux-x64/Engine.Benchmarks.Peers.dll multimodal --train T.csv --test T.csv
/// [--modalities image,audio,text] [--epochs 20] [--batch 32] [--lr 2e-3] [--patience 6] [--seeds 42,1,2]
/// [--engines ours,torch] [--threads 2] [--json FILE] [--profile true]</c>; --profile prints our op profile (Engine.Autograd.Profiler) and the peer's wall time per step phase.
/// </summary>
public static class MultimodalPeer
{
    /// <summary>Runs the comparison; returns the exit code.</summary>
    public static int Main(string[] args)
    {
        var a = Parse(args);
        string train = a.GetValueOrDefault("train") ?? throw new ArgumentException("multimodal: --train is required");
        string test = a.GetValueOrDefault("test") ?? throw new ArgumentException("multimodal: --test is required");
        var modalities = a.GetValueOrDefault("modalities") ?? "image,audio,text";
        int threads = int.Parse(a.GetValueOrDefault("threads") ?? "2", CultureInfo.InvariantCulture);
        var seeds = (a.GetValueOrDefault("seeds") ?? "42").Split(',').Select(s => ulong.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var engines = (a.GetValueOrDefault("engines") ?? "ours,torch").Split(',');
        string? json = a.GetValueOrDefault("json");
        bool profile = a.GetValueOrDefault("profile") is "true" or "1";
        var defaults = new MModel.ModelConfig();
        var defaultTrain = new MTraining.TrainOptions { TrainManifest = "", OutDir = "" };
        var spec = new RunSpec(
            Epochs: int.Parse(a.GetValueOrDefault("epochs") ?? defaultTrain.Epochs.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            BatchSize: int.Parse(a.GetValueOrDefault("batch") ?? defaultTrain.BatchSize.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            Lr: double.Parse(a.GetValueOrDefault("lr") ?? defaultTrain.Lr.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            WeightDecay: defaultTrain.WeightDecay,
            Patience: int.Parse(a.GetValueOrDefault("patience") ?? defaultTrain.Patience.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            ValidationFraction: defaultTrain.ValidationFraction,
            Dim: defaults.Dim, TextEmbedDim: defaults.TextEmbedDim, Dropout: defaults.Dropout, AuxWeight: defaults.AuxWeight, ModalityDropout: defaults.ModalityDropout);
        if (defaults.Fusion != "attention")
        {
            throw new InvalidOperationException($"multimodal peer: the default fusion is now '{defaults.Fusion}'; the peer implements attention fusion only");
        }

        Engine.Kernels.Parallelism.MaxThreads = threads;
        Engine.Kernels.Gemm.MaxThreads = threads;
        TorchSharp.torch.set_num_threads(threads);
        Console.WriteLine($"multimodal peer: {train} / {test}, modalities {modalities}, {spec}, threads {threads}, seeds {string.Join(",", seeds)}");
        var used = MData.Modalities.Parse(modalities);
        var loadWatch = System.Diagnostics.Stopwatch.StartNew();
        var data = PeerData.Load(train, test, used);
        Console.WriteLine($"decoded {data.All.Count} training-manifest and {data.Test.Count} test samples in {loadWatch.Elapsed.TotalSeconds:F1} s (load average {PeerData.LoadAverage():F2})");

        foreach (ulong seed in seeds)
        {
            foreach (string engineName in engines)
            {
                double loadBefore = PeerData.LoadAverage();
                var phases = profile ? new PhaseTimes() : null;
                var profiler = profile && engineName == "ours" ? engine::Engine.Autograd.Profiler.Start() : null;
                var result = engineName switch
                {
                    "ours" => RunOurs(train, test, modalities, spec, seed),
                    "torch" => TorchTrainer.Run(data, spec, seed, Console.WriteLine, phases),
                    _ => throw new ArgumentException($"multimodal: unknown engine '{engineName}' (ours or torch)"),
                };
                if (profiler is not null)
                {
                    profiler.Stop();
                    Console.Write(profiler.Report(top: 40));
                }
                if (phases is not null)
                {
                    Console.WriteLine($"{engineName} phases (training epochs):");
                    Console.WriteLine(phases.Report());
                }
                double loadAfter = PeerData.LoadAverage();
                var sorted = result.EpochSeconds.OrderBy(x => x).ToArray();
                double median = sorted[sorted.Length / 2];
                double mean = result.EpochSeconds.Average();
                double min = sorted[0];
                var cpuSorted = result.EpochCpuSeconds.Skip(1).Where(double.IsFinite).OrderBy(x => x).ToArray();
                double cpuMedian = cpuSorted.Length == 0 ? double.NaN : cpuSorted[cpuSorted.Length / 2];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"RESULT {engineName,-5} seed {seed,3}: test acc {result.TestAccuracy * 100:F2} %, macro F1 {result.TestMacroF1:F3}, best epoch {result.BestEpoch}/{result.EpochSeconds.Length}, epoch s min {min:F2} median {median:F2} mean {mean:F2}, CPU s/epoch (epochs 2+) median {cpuMedian:F2}, load {loadBefore:F2} -> {loadAfter:F2}"));
                if (json is not null)
                {
                    var line = JsonSerializer.Serialize(new
                    {
                        engine = engineName, train, modalities, seed, threads, spec.Epochs, spec.BatchSize, spec.Lr,
                        testAccuracy = result.TestAccuracy, testMacroF1 = result.TestMacroF1, bestEpoch = result.BestEpoch,
                        epochSeconds = result.EpochSeconds, epochCpuSeconds = result.EpochCpuSeconds.Select(x => double.IsFinite(x) ? x : -1).ToArray(), loadBefore, loadAfter,
                    });
                    File.AppendAllText(json, line + Environment.NewLine);
                }
            }
        }
        return 0;
    }

    /// <summary>Our side: Engine.Multimodal's Trainer.Run with the same settings `engine train` passes.</summary>
    private static RunResult RunOurs(string train, string test, string modalities, RunSpec spec, ulong seed)
    {
        string outDir = Path.Combine(Path.GetTempPath(), $"mm-peer-ours-{Environment.ProcessId}-{seed}");
        try
        {
            var options = new MTraining.TrainOptions
            {
                TrainManifest = train,
                TestManifest = test,
                OutDir = outDir,
                Model = new MModel.ModelConfig { Modalities = modalities, Fusion = "attention" },
                Epochs = spec.Epochs,
                BatchSize = spec.BatchSize,
                Lr = spec.Lr,
                Patience = spec.Patience,
                Seed = seed,
            };
            // CPU time between consecutive epoch callbacks (epoch 1's span would include decoding the data, so it is
            // not measured); each span also holds the previous epoch's checkpoint writes.
            var cpu = new List<double>();
            var process = System.Diagnostics.Process.GetCurrentProcess();
            TimeSpan? last = null;
            var progress = new MTraining.TrainProgress
            {
                Epoch = (r, best) =>
                {
                    process.Refresh();
                    var now = process.TotalProcessorTime;
                    cpu.Add(last is null ? double.NaN : (now - last.Value).TotalSeconds);
                    last = now;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  ours  epoch {r.Epoch}: train loss {r.TrainLoss:F4}, val acc {r.ValAccuracy:P1}, val loss {r.ValLoss:F4}, {r.Seconds:F2} s{(best ? " *" : "")}"));
                },
            };
            var result = MTraining.Trainer.Run(options, progress);
            var test1 = result.Test ?? throw new InvalidOperationException("ours: no test metrics");
            return new RunResult(result.State.History.Select(h => h.Seconds).ToArray(), cpu.ToArray(), result.State.BestEpoch, test1.Accuracy, test1.MacroF1);
        }
        finally
        {
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, recursive: true);
            }
        }
    }

    private static Dictionary<string, string> Parse(string[] args)
    {
        var d = new Dictionary<string, string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"multimodal: expected --name value pairs, got '{args[i]}'");
            }
            d[args[i][2..]] = args[++i];
        }
        return d;
    }
}
