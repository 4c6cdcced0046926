namespace Engine.Text.Word2Vec;

/// <summary>Which Word2Vec model to train.</summary>
public enum Word2VecArchitecture
{
    /// <summary>Skip-gram: each word predicts the words around it.</summary>
    SkipGram,

    /// <summary>Continuous bag of words: the mean of the context predicts the word.</summary>
    Cbow,
}

/// <summary>Hyper-parameters of Word2Vec training (defaults: those of gensim and the word2vec C tool for skip-gram).</summary>
public sealed record Word2VecOptions
{
    /// <summary>Vector dimension.</summary>
    public int Dim { get; init; } = 100;

    /// <summary>Maximum context window; each position draws its effective window uniformly from 1..Window.</summary>
    public int Window { get; init; } = 5;

    /// <summary>Negative samples per positive example (0 turns negative sampling off).</summary>
    public int Negative { get; init; } = 5;

    /// <summary>Train with hierarchical softmax over a Huffman tree (may be combined with negative sampling).</summary>
    public bool HierarchicalSoftmax { get; init; }

    /// <summary>Skip-gram or CBOW.</summary>
    public Word2VecArchitecture Architecture { get; init; } = Word2VecArchitecture.SkipGram;

    /// <summary>CBOW: average the context vectors (true) or sum them.</summary>
    public bool CbowMean { get; init; } = true;

    /// <summary>Passes over the corpus.</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Subsampling threshold t for frequent words (0 disables).</summary>
    public double Sample { get; init; } = 1e-3;

    /// <summary>Learning rate at the start; it decays linearly to <see cref="MinAlpha"/> over all epochs.</summary>
    public float Alpha { get; init; } = 0.025f;

    /// <summary>Learning rate at the end of training.</summary>
    public float MinAlpha { get; init; } = 0.0001f;

    /// <summary>Worker threads (lock-free "Hogwild" updates when above 1; results are reproducible only with 1).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Seed of initialisation and sampling.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Exponent of the unigram distribution for negative samples.</summary>
    public double NegativePower { get; init; } = 0.75;

    /// <summary>Words per unit of work handed to a thread.</summary>
    public int JobWords { get; init; } = 10_000;

    /// <summary>How often the progress callback is called.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        static void Require(bool ok, string name, object value, string rule)
        {
            if (!ok)
            {
                throw new ArgumentOutOfRangeException(name, value, $"Word2Vec: {name} must be {rule}, got {value}.");
            }
        }
        Require(Dim >= 1 && Dim <= 100_000, nameof(Dim), Dim, "in 1..100000");
        Require(Window >= 1, nameof(Window), Window, ">= 1");
        Require(Negative >= 0 && Negative <= 1000, nameof(Negative), Negative, "in 0..1000");
        Require(Negative > 0 || HierarchicalSoftmax, nameof(Negative), Negative, "> 0 unless hierarchical softmax is on");
        Require(Epochs >= 1, nameof(Epochs), Epochs, ">= 1");
        Require(Sample >= 0, nameof(Sample), Sample, ">= 0");
        Require(Alpha > 0 && float.IsFinite(Alpha), nameof(Alpha), Alpha, "a positive number");
        Require(MinAlpha >= 0 && MinAlpha <= Alpha, nameof(MinAlpha), MinAlpha, "in 0..Alpha");
        Require(Threads >= 1 && Threads <= 1024, nameof(Threads), Threads, "in 1..1024");
        Require(JobWords >= 1, nameof(JobWords), JobWords, ">= 1");
    }
}
