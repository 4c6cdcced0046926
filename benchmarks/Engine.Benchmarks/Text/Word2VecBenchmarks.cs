using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Engine.Text.Corpus;
using Engine.Text.Word2Vec;

namespace Engine.Benchmarks.Text;

/// <summary>
/// Word2Vec training throughput on all of shared/data/text_corpus (2,861,263 tokens): skip-gram,
/// dim 100, window 5, negative 5, min-count 5, one epoch per operation, 1 and 2 threads. The
/// "Words/s" column is raw corpus words per second, as gensim's peer reports
/// (benchmarks/peers/gensim_word2vec.py). The full 5-epoch comparison with quality scores is
/// benchmarks/Engine.Benchmarks/Text/compare_word2vec.py.
/// Run: dotnet run -c Release --project benchmarks/Engine.Benchmarks -- --filter *Word2Vec*
/// </summary>
[MemoryDiagnoser]
[Config(typeof(WordsPerSecondConfig))]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class Word2VecBenchmarks
{
    private static TrainingCorpus? _corpus;

    [Params(1, 2)]
    public int Threads { get; set; }

    [Params(Word2VecArchitecture.SkipGram)]
    public Word2VecArchitecture Architecture { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _corpus ??= TrainingCorpus.Load(CorpusPath(), 5, new CorpusOptions { AllowLatin1Fallback = true });
        if (_corpus.RawTokenCount != RawWordsPerOperation)
        {
            // The Words/s column is computed in the host process from this constant; it must be true.
            throw new InvalidOperationException($"Word2VecBenchmarks: corpus has {_corpus.RawTokenCount} tokens, expected {RawWordsPerOperation}.");
        }
    }

    /// <summary>Raw words one operation processes (read by the Words/s column).</summary>
    private const long RawWordsPerOperation = 2_861_263;

    [Benchmark]
    public long TrainOneEpoch()
    {
        var model = Word2VecTrainer.Train(_corpus!, new Word2VecOptions
        {
            Threads = Threads,
            Epochs = 1,
            Architecture = Architecture,
        });
        return model.Stats.RawWords;
    }

    private static string CorpusPath()
    {
        var env = Environment.GetEnvironmentVariable("ENGINE_DATA");
        if (!string.IsNullOrEmpty(env))
        {
            return Path.Combine(env, "text_corpus");
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data", "text_corpus");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        throw new DirectoryNotFoundException("Word2VecBenchmarks: shared/data/text_corpus not found; set ENGINE_DATA.");
    }

    private sealed class WordsPerSecondConfig : BenchmarkDotNet.Configs.ManualConfig
    {
        public WordsPerSecondConfig() => AddColumn(new WordsPerSecondColumn());
    }

    /// <summary>Raw corpus words per second: words per operation / mean time.</summary>
    private sealed class WordsPerSecondColumn : IColumn
    {
        public string Id => nameof(WordsPerSecondColumn);
        public string ColumnName => "Words/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Raw corpus words trained per second (2,861,263 per operation)";
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var stats = summary[benchmarkCase]?.ResultStatistics;
            return stats == null ? "NA" : (RawWordsPerOperation / (stats.Mean * 1e-9)).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
