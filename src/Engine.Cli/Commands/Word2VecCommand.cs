using System.CommandLine;
using System.Globalization;
using Engine.Text.Corpus;
using Engine.Text.Evaluation;
using Engine.Text.Vectors;
using Engine.Text.Word2Vec;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary><c>engine word2vec</c> (train vectors on a corpus) and <c>engine word2vec-eval</c> (score a vectors file).</summary>
internal static class Word2VecCommand
{
    /// <summary>The training command.</summary>
    public static Command Create()
    {
        var corpus = new Option<string>("--corpus") { Description = "A UTF-8 text file, or a folder searched recursively for .txt files; one sentence per line.", Required = true };
        var output = new Option<string>("--out") { Description = "Where to write the vectors (.txt/.vec: word2vec text format, otherwise binary).", Required = true };
        var dim = new Option<int>("--dim") { Description = "Vector dimension.", DefaultValueFactory = _ => 100 };
        var window = new Option<int>("--window") { Description = "Maximum context window.", DefaultValueFactory = _ => 5 };
        var negative = new Option<int>("--negative") { Description = "Negative samples (0: hierarchical softmax only).", DefaultValueFactory = _ => 5 };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the corpus.", DefaultValueFactory = _ => 5 };
        var minCount = new Option<int>("--min-count") { Description = "Ignore words rarer than this.", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "Training threads (results are reproducible only with 1).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var cbow = new Option<bool>("--cbow") { Description = "Train CBOW instead of skip-gram." };
        var hs = new Option<bool>("--hs") { Description = "Also use hierarchical softmax." };
        var sample = new Option<double>("--sample") { Description = "Subsampling threshold for frequent words.", DefaultValueFactory = _ => 1e-3 };
        var alpha = new Option<float>("--alpha") { Description = "Initial learning rate.", DefaultValueFactory = _ => 0.025f };
        var seed = new Option<ulong>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1UL };
        var latin1 = new Option<bool>("--latin1") { Description = "Read files that are not valid UTF-8 as ISO-8859-1 instead of stopping." };
        var keepDigits = new Option<bool>("--keep-digits") { Description = "Keep digits in tokens (default: letters and apostrophes only)." };
        var keepCase = new Option<bool>("--keep-case") { Description = "Do not lowercase tokens." };

        var command = new Command("word2vec", "Train Word2Vec vectors (skip-gram or CBOW, negative sampling) on a text corpus.");
        foreach (var option in new Option[] { corpus, output, dim, window, negative, epochs, minCount, threads, cbow, hs, sample, alpha, seed, latin1, keepDigits, keepCase })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            return Run(() =>
            {
                string corpusPath = parse.GetValue(corpus)!;
                string outPath = parse.GetValue(output)!;
                var options = new Word2VecOptions
                {
                    Dim = parse.GetValue(dim),
                    Window = parse.GetValue(window),
                    Negative = parse.GetValue(negative),
                    HierarchicalSoftmax = parse.GetValue(hs),
                    Architecture = parse.GetValue(cbow) ? Word2VecArchitecture.Cbow : Word2VecArchitecture.SkipGram,
                    Epochs = parse.GetValue(epochs),
                    Sample = parse.GetValue(sample),
                    Alpha = parse.GetValue(alpha),
                    Threads = parse.GetValue(threads),
                    Seed = parse.GetValue(seed),
                };
                options.Validate();
                var corpusOptions = new CorpusOptions
                {
                    AllowLatin1Fallback = parse.GetValue(latin1),
                    Tokenizer = new Engine.Text.Tokenization.TokenizerOptions { KeepDigits = parse.GetValue(keepDigits), Lowercase = !parse.GetValue(keepCase) },
                    Warning = message => Console.Error.WriteLine($"warning: {message}"),
                };
                var loadWatch = System.Diagnostics.Stopwatch.StartNew();
                RawCorpus raw;
                try
                {
                    raw = CorpusLoader.Load(corpusPath, corpusOptions);
                }
                catch (InvalidDataException e) when (e.Message.Contains("invalid UTF-8", StringComparison.Ordinal))
                {
                    throw new InvalidDataException(e.Message + " (pass --latin1 to read such files as ISO-8859-1)", e);
                }
                var vocabulary = Vocabulary.Build(raw, parse.GetValue(minCount));
                var training = TrainingCorpus.Encode(raw, vocabulary);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"corpus: {raw.Files.Count} file(s), {raw.SentenceCount:N0} sentences, {raw.TokenCount:N0} tokens, vocabulary {vocabulary.Count:N0} words (min-count {parse.GetValue(minCount)}), read in {loadWatch.Elapsed.TotalSeconds:F1} s"));
                string mode = $"{(options.Architecture == Word2VecArchitecture.SkipGram ? "skip-gram" : "CBOW")}, dim {options.Dim}, window {options.Window}, negative {options.Negative}{(options.HierarchicalSoftmax ? ", hierarchical softmax" : "")}, {options.Epochs} epochs, {options.Threads} thread(s)";
                var cpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                var model = Train(training, options, mode);
                var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
                var stats = model.Stats;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"trained: {stats.RawWords} raw words ({stats.EffectiveWords} effective) in {stats.Elapsed.TotalSeconds:F2} s: {stats.WordsPerSecond:F0} words/s ({stats.EffectiveWordsPerSecond:F0} effective words/s); cpu time {cpu.TotalSeconds:F2} s"));
                var format = Word2VecFormat.FormatForPath(outPath);
                Word2VecFormat.Save(model.Vectors, outPath, format);
                Console.WriteLine($"saved: {model.Vectors.Count:N0} vectors of dim {model.Vectors.Dim} to {outPath} ({format.ToString().ToLowerInvariant()} word2vec format)");
            });
        });
        return command;
    }

    /// <summary>The evaluation command.</summary>
    public static Command CreateEval()
    {
        var vectors = new Option<string>("--vectors") { Description = "A word2vec vectors file (text or binary, detected from the content).", Required = true };
        var data = new Option<string?>("--wordsim") { Description = "Folder holding wordsim353/, simlex999/ and analogy/ (default: shared/data/wordsim found above the current or program folder, or $ENGINE_DATA/wordsim)." };
        var restrict = new Option<int>("--restrict") { Description = "Analogy candidates and questions limited to this many most frequent words.", DefaultValueFactory = _ => WordVectorEvaluator.DefaultAnalogyVocabulary };
        var command = new Command("word2vec-eval", "Score word vectors: WordSim-353 and SimLex-999 Spearman, analogy accuracy (3CosAdd).");
        command.Options.Add(vectors);
        command.Options.Add(data);
        command.Options.Add(restrict);
        command.SetAction(parse =>
        {
            return Run(() =>
            {
                string path = parse.GetValue(vectors)!;
                var v = Word2VecFormat.Load(path);
                Console.WriteLine($"vectors: {path}: {v.Count:N0} words, dim {v.Dim}");
                string folder = parse.GetValue(data) ?? FindWordSimFolder();
                var ws = WordVectorEvaluator.Similarity(v, WordPairSet.LoadWordSim353(Path.Combine(folder, "wordsim353", "combined.tab")));
                var sl = WordVectorEvaluator.Similarity(v, WordPairSet.LoadSimLex999(Path.Combine(folder, "simlex999", "SimLex-999.txt")));
                var an = WordVectorEvaluator.Analogies(v, AnalogySet.Load(Path.Combine(folder, "analogy", "questions-words.txt")), parse.GetValue(restrict));
                var inv = CultureInfo.InvariantCulture;
                Console.WriteLine(string.Create(inv, $"WordSim-353 Spearman: {ws.Spearman:F4} ({ws.Pairs} pairs, {ws.OutOfVocabulary} out of vocabulary)"));
                Console.WriteLine(string.Create(inv, $"SimLex-999 Spearman: {sl.Spearman:F4} ({sl.Pairs} pairs, {sl.OutOfVocabulary} out of vocabulary)"));
                Console.WriteLine(string.Create(inv,
                    $"Analogy accuracy: {an.Accuracy:F4} ({an.Correct}/{an.Questions}; semantic {an.SemanticAccuracy:F4}, syntactic {an.SyntacticAccuracy:F4}; {an.OutOfVocabulary} questions out of the {parse.GetValue(restrict)} most frequent words)"));
            });
        });
        return command;
    }

    private static Word2VecModel Train(TrainingCorpus corpus, Word2VecOptions options, string mode)
    {
        if (Console.IsOutputRedirected)
        {
            Console.WriteLine($"training: {mode}");
            var next = TimeSpan.Zero;
            return Word2VecTrainer.Train(corpus, options, p =>
            {
                // One line every 5 s in logs, not one per tick.
                if (p.Elapsed >= next || p.Fraction >= 1.0)
                {
                    next = p.Elapsed + TimeSpan.FromSeconds(5);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"epoch {p.Epoch}/{p.Epochs} {p.Fraction * 100,5:F1}%  {p.WordsPerSecond,9:F0} words/s  alpha {p.Alpha:F5}"));
                }
            });
        }
        Word2VecModel? model = null;
        AnsiConsole.MarkupLine($"[grey]training: {Markup.Escape(mode)}[/]");
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("word2vec", maxValue: 1.0);
                model = Word2VecTrainer.Train(corpus, options, p =>
                {
                    task.Value = p.Fraction;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch}/{p.Epochs}  {p.WordsPerSecond:N0} words/s");
                });
                task.Value = 1.0;
            });
        return model!;
    }

    /// <summary>Runs a command body; bad input becomes one "error:" line and exit code 1.</summary>
    private static int Run(Action body)
    {
        try
        {
            body();
            return 0;
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException
            or ArgumentException or KeyNotFoundException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static string FindWordSimFolder()
    {
        var env = Environment.GetEnvironmentVariable("ENGINE_DATA");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(Path.Combine(env, "wordsim")))
        {
            return Path.Combine(env, "wordsim");
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data", "wordsim");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        throw new DirectoryNotFoundException("word2vec-eval: no shared/data/wordsim folder found above the current or program folder; pass --wordsim DIR.");
    }
}
