using System.CommandLine;
using System.Globalization;
using Engine.Multimodal.Data;
using Engine.Multimodal.Metrics;
using Engine.Multimodal.Training;

namespace Engine.Cli.Commands;

/// <summary><c>engine eval</c>: metrics of a trained model folder on a manifest.</summary>
internal static class EvalCommand
{
    /// <summary>The command.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A model folder written by engine train.", Required = true };
        var data = new Option<string>("--data") { Description = "Manifest to evaluate (CSV id,label,image,audio,text).", Required = true };
        var metrics = new Option<string?>("--metrics") { Description = "Also write the metrics as JSON to this file (atomically)." };
        var strict = new Option<bool>("--strict") { Description = "Stop at the first bad manifest row instead of reporting and skipping it." };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 64 };
        var device = DeviceChoice.Option();
        var command = new Command("eval", "Evaluate a trained model on a manifest: accuracy, per-class and macro precision/recall/F1, confusion matrix.");
        foreach (var o in new Option[] { model, data, device, metrics, strict, batch })
        {
            command.Options.Add(o);
        }
        command.SetAction(parse => CliRun.Guard(() =>
        {
            var (net, config) = ModelFolder.LoadModel(parse.GetValue(model)!, DeviceChoice.Resolve(parse.GetValue(device)!));
            var prep = config.Preprocessing;
            using var dataset = LoadData(parse.GetValue(data)!, config, parse.GetValue(strict));
            var watch = System.Diagnostics.Stopwatch.StartNew();
            int reported = dataset.Problems.Count;
            var predictions = ProgressDisplay.Run("evaluating", report => Evaluator.Predict(net, dataset, prep, parse.GetValue(batch), progress: report));
            ReportSkipped(dataset, reported);
            var m = Evaluator.Metrics(predictions, prep);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"evaluated {m.Count} samples in {watch.Elapsed.TotalSeconds:F2} s; mean cross-entropy {predictions.Loss:F4}"));
            MetricsTable.Print("eval", m, brief: false);
            if (parse.GetValue(metrics) is string path)
            {
                JsonFiles.Write(path, m);
                Console.WriteLine($"saved: {path}");
            }
        }));
        return command;
    }

    /// <summary>
    /// A manifest streamed with a model's labels and preprocessing: samples are decoded batch by batch while the
    /// model runs, so the data set is never held in memory. Rows rejected by the manifest checks go to stderr now,
    /// rows found unreadable while streaming by <see cref="ReportSkipped"/>.
    /// </summary>
    public static StreamingDataset LoadData(string manifestPath, SavedConfig config, bool strict)
    {
        var manifest = Manifest.Load(manifestPath, config.Model.Used, config.Preprocessing.Labels, strict);
        var dataset = new StreamingDataset(manifest, config.Preprocessing, strict);
        foreach (var p in dataset.Problems)
        {
            Console.Error.WriteLine($"skipped: {p}");
        }
        if (dataset.Count == 0)
        {
            throw new InvalidDataException($"'{manifestPath}' has no usable rows ({dataset.Problems.Count} skipped)");
        }
        Console.WriteLine($"data: {dataset.Count} samples from {manifestPath} ({dataset.Problems.Count} skipped); model: {config.Model.Modalities}, {config.Model.Fusion} fusion");
        return dataset;
    }

    /// <summary>Writes the rows that turned out unreadable while streaming (after the first <paramref name="reported"/>) to stderr.</summary>
    public static void ReportSkipped(StreamingDataset dataset, int reported)
    {
        foreach (var p in dataset.Problems.Skip(reported))
        {
            Console.Error.WriteLine($"skipped: {p}");
        }
    }
}
