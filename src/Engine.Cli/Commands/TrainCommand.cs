using System.CommandLine;
using System.Globalization;
using Engine.Autograd;
using Engine.Multimodal.Data;
using Engine.Multimodal.Metrics;
using Engine.Multimodal.Model;
using Engine.Multimodal.Training;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary><c>engine train</c>: multimodal training on a manifest (default: the built-in sample).</summary>
internal static class TrainCommand
{
    /// <summary>The command.</summary>
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Training manifest (CSV id,label,image,audio,text; paths relative to it). Default: the built-in sample (SampleData/train.csv)." };
        var test = new Option<string?>("--test") { Description = "Test manifest evaluated with the best model at the end. Default: SampleData/test.csv when --data is not given." };
        var modalities = new Option<string>("--modalities") { Description = "Modalities to use: any of image,audio,text.", DefaultValueFactory = _ => "image,audio,text" };
        var fusion = new Option<string>("--fusion") { Description = "Fusion: attention, concat, late or xattention (Engine.Nn cross-modal attention).", DefaultValueFactory = _ => "attention" };
        var imageEncoder = new Option<string>("--image-encoder") { Description = "Image encoder: cnn (two conv + max-pool blocks) or resnet (the small ResNet).", DefaultValueFactory = _ => "cnn" };
        var audioEncoder = new Option<string>("--audio-encoder") { Description = "Audio encoder on MFCCs: cnn (two 1-D convolutions) or bilstm (a bidirectional LSTM).", DefaultValueFactory = _ => "cnn" };
        var textEncoder = new Option<string>("--text-encoder") { Description = "Text encoder: bag (mean of feature embeddings), attention (attention pooling over the words and character trigrams) or bilstm (a bidirectional LSTM over them in text order).", DefaultValueFactory = _ => "bag" };
        var epochs = new Option<int>("--epochs") { Description = "Maximum epochs (early stopping may end sooner).", DefaultValueFactory = _ => 20 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 32 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate (AdamW, warm-up then cosine decay).", DefaultValueFactory = _ => 2e-3 };
        var device = DeviceChoice.Option();
        var seed = new Option<ulong>("--seed") { Description = "The one seed: init, validation split, shuffling, dropout.", DefaultValueFactory = _ => 42UL };
        var output = new Option<string>("--out") { Description = "Model folder (config.json, model.safetensors, checkpoint.safetensors, metrics.json, plots).", DefaultValueFactory = _ => "engine-model" };
        var strict = new Option<bool>("--strict") { Description = "Stop at the first bad manifest row instead of reporting and skipping it." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the model folder's last checkpoint." };
        var patience = new Option<int>("--patience") { Description = "Early stopping: epochs without a better validation accuracy.", DefaultValueFactory = _ => 6 };
        var wordVectors = new Option<string?>("--word-vectors") { Description = "Word2Vec vectors (e.g. from engine word2vec) that initialise the text encoder's word embeddings." };
        var stream = new Option<bool>("--stream") { Description = "Decode samples from their files batch by batch every epoch (background prefetch) instead of holding the decoded data set in memory." };
        var profile = new Option<bool>("--profile") { Description = "Profile the run: print a table of time per op (forward and backward) and per region (data, forward, loss, optimizer, validation, checkpoint) at the end." };
        var valFraction = new Option<double>("--val-fraction") { Description = "Fraction of the training manifest held out for validation.", DefaultValueFactory = _ => 0.1 };

        var command = new Command("train", "Train a multimodal (image, audio, text) classifier with fusion; prints and saves metrics, plots and the best checkpoint.");
        foreach (var o in new Option[] { data, test, modalities, fusion, imageEncoder, audioEncoder, textEncoder, epochs, batch, lr, device, seed, output, strict, resume, patience, valFraction, wordVectors, stream, profile })
        {
            command.Options.Add(o);
        }
        command.SetAction(parse => CliRun.Guard(() =>
        {
            string? dataPath = parse.GetValue(data);
            string? testPath = parse.GetValue(test);
            if (dataPath is null)
            {
                dataPath = SampleData.Path("train.csv");
                testPath ??= SampleData.Path("test.csv");
                Console.WriteLine($"data: the built-in sample ({dataPath})");
            }
            var chosen = DeviceChoice.Resolve(parse.GetValue(device)!);
            var model = new ModelConfig
            {
                Modalities = Modalities.Format(Modalities.Parse(parse.GetValue(modalities)!)),
                Fusion = FusionModule.Parse(parse.GetValue(fusion)!).ToString().ToLowerInvariant(),
                ImageEncoder = EncoderKinds.ParseImage(parse.GetValue(imageEncoder)!),
                AudioEncoder = EncoderKinds.ParseAudio(parse.GetValue(audioEncoder)!),
                TextEncoder = EncoderKinds.ParseText(parse.GetValue(textEncoder)!),
            };
            var options = new TrainOptions
            {
                TrainManifest = dataPath,
                TestManifest = testPath,
                OutDir = parse.GetValue(output)!,
                Model = model,
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batch),
                Lr = parse.GetValue(lr),
                Seed = parse.GetValue(seed),
                Strict = parse.GetValue(strict),
                Resume = parse.GetValue(resume),
                Patience = parse.GetValue(patience),
                ValidationFraction = parse.GetValue(valFraction),
                WordVectors = parse.GetValue(wordVectors),
                Device = chosen,
                Streaming = parse.GetValue(stream),
            };
            Console.WriteLine($"model: {model.Modalities}, {model.Fusion} fusion, {model.ImageEncoder} image, {model.AudioEncoder} audio and {model.TextEncoder} text encoders; {options.Epochs} epochs max, batch {options.BatchSize}, lr {options.Lr.ToString(CultureInfo.InvariantCulture)}, seed {options.Seed}; device {chosen}; out {options.OutDir}");
            using var profiler = parse.GetValue(profile) ? Profiler.Start() : null;
            var result = RunWithProgress(options);
            profiler?.Stop();
            foreach (var p in result.Skipped)
            {
                Console.Error.WriteLine($"skipped: {p}");
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"trained {result.State.Epoch} epoch(s) in {result.Seconds:F1} s; best epoch {result.State.BestEpoch}{(result.State.Stopped ? " (early stopping)" : "")}"));
            if (result.Validation is not null)
            {
                MetricsTable.Print("validation (best model)", result.Validation, brief: true);
            }
            if (result.Test is not null)
            {
                MetricsTable.Print("test (best model)", result.Test, brief: false);
            }
            TrainingPlots.Write(options.OutDir, result.State.History, result.Test ?? result.Validation);
            Console.WriteLine($"saved: {Path.Combine(options.OutDir, ModelFolder.ModelFile)}, {ModelFolder.MetricsFile}, {TrainingPlots.CurvesFile}, {TrainingPlots.ConfusionFile}");
            if (profiler is not null)
            {
                Console.WriteLine();
                Console.Write(profiler.Report(top: 60));
            }
        }));
        return command;
    }

    private static TrainResult RunWithProgress(TrainOptions options)
    {
        if (Console.IsOutputRedirected)
        {
            int lastLoad = -1;
            return Trainer.Run(options, new TrainProgress
            {
                Info = Console.WriteLine,
                Loading = (phase, d, n) =>
                {
                    if (d == n && lastLoad != n)
                    {
                        lastLoad = n;
                        Console.WriteLine($"{phase}: decoded {n} rows");
                    }
                },
                Epoch = (r, best) => Console.WriteLine(EpochLine(r, best, options.Epochs)),
            });
        }
        TrainResult? result = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                ProgressTask Task(string name, double max)
                {
                    if (!tasks.TryGetValue(name, out var t))
                    {
                        t = ctx.AddTask(Markup.Escape(name), maxValue: max);
                        tasks[name] = t;
                    }
                    return t;
                }
                var progress = new TrainProgress
                {
                    Info = line => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]"),
                    Loading = (phase, d, n) => Task(phase, n).Value = d,
                    Batch = (epoch, b, n, loss) =>
                    {
                        var t = Task("training", (double)options.Epochs * n);
                        t.Value = (epoch - 1) * (double)n + b;
                        t.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{options.Epochs} loss {loss:F3}"));
                    },
                    Epoch = (r, best) => AnsiConsole.MarkupLine(Markup.Escape(EpochLine(r, best, options.Epochs))),
                };
                result = Trainer.Run(options, progress);
                if (tasks.TryGetValue("training", out var done))
                {
                    done.Value = done.MaxValue;
                }
            });
        return result!;
    }

    private static string EpochLine(EpochRecord r, bool best, int epochs) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {r.Epoch}/{epochs}: train loss {r.TrainLoss:F4} acc {r.TrainAccuracy:P1} | val loss {r.ValLoss:F4} acc {r.ValAccuracy:P1} macro-F1 {r.ValMacroF1:F3} | lr {r.Lr:G3} | {r.Seconds:F1} s{(best ? "  *best" : "")}");
}

/// <summary>Where the built-in sample lives.</summary>
internal static class SampleData
{
    /// <summary>A file of the sample shipped next to the program.</summary>
    public static string Path(string file)
    {
        var path = System.IO.Path.Combine(AppContext.BaseDirectory, "SampleData", file);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"the built-in sample '{path}' is missing from the program folder; pass --data MANIFEST", path);
        }
        return path;
    }
}

/// <summary>Runs a command body; bad input becomes one "error:" line and exit code 1.</summary>
internal static class CliRun
{
    /// <summary>Runs <paramref name="body"/>, turning input errors into exit code 1.</summary>
    public static int Guard(Action body)
    {
        try
        {
            body();
            return 0;
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException
            or ArgumentException or KeyNotFoundException or IOException or UnauthorizedAccessException or Engine.Nn.SafeTensorsException or Engine.Nn.StateDictException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}

/// <summary>Prints metrics as Spectre tables.</summary>
internal static class MetricsTable
{
    /// <summary>Prints accuracy and macro figures, and unless brief the per-class table and confusion matrix.</summary>
    public static void Print(string title, ClassificationMetrics m, bool brief)
    {
        var inv = CultureInfo.InvariantCulture;
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(inv,
            $"{title}: {m.Count} samples, accuracy {m.Accuracy:P2}, macro precision {m.MacroPrecision:F4}, recall {m.MacroRecall:F4}, F1 {m.MacroF1:F4}")));
        if (brief)
        {
            return;
        }
        var table = new Table().Title(Markup.Escape(title)).AddColumns("class", "precision", "recall", "F1", "support");
        foreach (var c in m.PerClass)
        {
            table.AddRow(Markup.Escape(c.Label), c.Precision.ToString("F3", inv), c.Recall.ToString("F3", inv), c.F1.ToString("F3", inv), c.Support.ToString(inv));
        }
        table.AddRow("[bold]macro[/]", m.MacroPrecision.ToString("F3", inv), m.MacroRecall.ToString("F3", inv), m.MacroF1.ToString("F3", inv), m.Count.ToString(inv));
        AnsiConsole.Write(table);
        var confusion = new Table().Title("confusion matrix (rows: true, columns: predicted)");
        confusion.AddColumn("");
        foreach (var c in m.PerClass)
        {
            confusion.AddColumn(Markup.Escape(c.Label));
        }
        for (int i = 0; i < m.Confusion.Length; i++)
        {
            var cells = new List<string> { Markup.Escape(m.PerClass[i].Label) };
            cells.AddRange(m.Confusion[i].Select((v, j) => i == j ? $"[green]{v}[/]" : v == 0 ? "[grey]0[/]" : v.ToString(inv)));
            confusion.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(confusion);
    }
}
