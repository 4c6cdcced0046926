using Engine.Text.Corpus;
using Engine.Text.Evaluation;
using Engine.Text.Sampling;
using Engine.Text.Word2Vec;

namespace Engine.Text.Tests;

public class TrainingTests
{
    private static TrainingCorpus? _book;

    /// <summary>One Gutenberg book (Persuasion, about 98,000 words) for quick runs.</summary>
    private static TrainingCorpus Book => _book ??= TrainingCorpus.Load(
        Path.Combine(TestPaths.TextCorpus, "gutenberg_nltk", "texts", "austen-persuasion.txt"), minCount: 5);

    private static readonly Word2VecOptions Small = new() { Dim = 24, Epochs = 1, Seed = 7 };

    [TestCase(Word2VecArchitecture.SkipGram, 5, false)]
    [TestCase(Word2VecArchitecture.Cbow, 5, false)]
    [TestCase(Word2VecArchitecture.SkipGram, 0, true)]
    [TestCase(Word2VecArchitecture.Cbow, 3, true)]
    public void OneThreadWithASeedIsReproducible(Word2VecArchitecture architecture, int negative, bool hs)
    {
        var options = Small with { Architecture = architecture, Negative = negative, HierarchicalSoftmax = hs };
        var a = Word2VecTrainer.Train(Book, options);
        var b = Word2VecTrainer.Train(Book, options);
        var c = Word2VecTrainer.Train(Book, options with { Seed = 8 });
        Assert.That(a.Vectors.Data, Is.EqualTo(b.Vectors.Data));
        Assert.That(a.Vectors.Data, Is.Not.EqualTo(c.Vectors.Data));
        Assert.That(a.Vectors.Data.All(float.IsFinite), Is.True);
        Assert.That(a.NegativeWeights != null, Is.EqualTo(negative > 0));
        Assert.That(a.SoftmaxWeights != null, Is.EqualTo(hs));
        // Training moved the vectors away from their initialisation (|x| <= 0.5 / dim).
        Assert.That(a.Vectors.Data.Max(MathF.Abs), Is.GreaterThan(0.5f / options.Dim * 4));
    }

    [Test]
    public void SubsamplingKeepsTheExpectedNumberOfWordsAndTheLearningRateDecays()
    {
        var progress = new List<TrainingProgress>();
        var options = Small with { Epochs = 3, Threads = 2, ProgressInterval = TimeSpan.FromMilliseconds(20) };
        var model = Word2VecTrainer.Train(Book, options, progress.Add);
        var keep = new Subsampler(Book.Vocabulary.Counts, options.Sample).KeepProbability;
        double expected = options.Epochs * Book.Vocabulary.Counts.Select((c, i) => c * keep[i]).Sum();
        double sd = Math.Sqrt(options.Epochs * Book.Vocabulary.Counts.Select((c, i) => c * keep[i] * (1 - keep[i])).Sum());
        Assert.That(model.Stats.EffectiveWords, Is.EqualTo(expected).Within(6 * sd));
        Assert.That(model.Stats.RawWords, Is.EqualTo(options.Epochs * Book.RawTokenCount));
        Assert.That(progress, Is.Not.Empty);
        Assert.That(progress.Select(p => p.RawWords), Is.Ordered);
        var last = progress[^1];
        Assert.That(last.Fraction, Is.EqualTo(1.0));
        Assert.That(last.Alpha, Is.EqualTo(options.MinAlpha).Within(1e-6f));
        Assert.That(last.WordsPerSecond, Is.GreaterThan(0));
    }

    [Test]
    public void BadOptionsAndEmptyCorporaAreClearErrors()
    {
        Assert.That(() => Word2VecTrainer.Train(Book, Small with { Negative = 0 }),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Negative"));
        Assert.That(() => Word2VecTrainer.Train(Book, Small with { Window = 0 }),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Window"));
    }

    [Test]
    public void ShortRunOnTheCorpusReachesANonTrivialWordSimScore()
    {
        // All of text_corpus (2.86 M words), 3 epochs on 2 threads: about 10 s.
        var corpus = TrainingCorpus.Load(TestPaths.TextCorpus, 5, new CorpusOptions { AllowLatin1Fallback = true });
        Assert.That(corpus.Vocabulary.Count, Is.InRange(18_000, 19_000));
        var model = Word2VecTrainer.Train(corpus, new Word2VecOptions { Epochs = 3, Threads = 2, Seed = 3 });
        var ws = WordPairSet.LoadWordSim353(Path.Combine(TestPaths.WordSim, "wordsim353", "combined.tab"));
        var score = WordVectorEvaluator.Similarity(model.Vectors, ws);
        TestContext.Out.WriteLine($"WordSim-353 Spearman {score.Spearman:F3} on {score.Pairs} pairs ({score.OutOfVocabulary} OOV); {model.Stats.WordsPerSecond:F0} words/s");
        Assert.That(score.Pairs, Is.EqualTo(250));
        // Random vectors score about 0 (standard error ~0.06 on 250 pairs); gensim scores 0.33 after 5 epochs.
        Assert.That(score.Spearman, Is.GreaterThan(0.25));
        Assert.That(model.Vectors.MostSimilar("war", 5).Select(t => t.Word), Has.Some.AnyOf("wars", "hostilities", "warfare", "conflict", "peace"));
    }
}
