using Engine.Text.Corpus;
using Engine.Text.Vectors;

namespace Engine.Text.Word2Vec;

/// <summary>Totals of a finished training run.</summary>
/// <param name="RawWords">Corpus tokens processed over all epochs (out-of-vocabulary and subsampled ones included).</param>
/// <param name="EffectiveWords">Tokens trained on (in vocabulary and kept by subsampling).</param>
/// <param name="Elapsed">Wall time of the training loop (corpus loading excluded).</param>
public readonly record struct TrainingStats(long RawWords, long EffectiveWords, TimeSpan Elapsed)
{
    /// <summary>Raw words per second.</summary>
    public double WordsPerSecond => RawWords / Math.Max(Elapsed.TotalSeconds, 1e-9);

    /// <summary>Effective words per second.</summary>
    public double EffectiveWordsPerSecond => EffectiveWords / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>A trained Word2Vec model: the input vectors (the word vectors) and the output weights.</summary>
public sealed class Word2VecModel
{
    internal Word2VecModel(Vocabulary vocabulary, Word2VecOptions options, WordVectors vectors,
        float[]? negativeWeights, float[]? softmaxWeights, TrainingStats stats)
    {
        Vocabulary = vocabulary;
        Options = options;
        Vectors = vectors;
        NegativeWeights = negativeWeights;
        SoftmaxWeights = softmaxWeights;
        Stats = stats;
    }

    /// <summary>The vocabulary, most frequent word first.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>The settings used.</summary>
    public Word2VecOptions Options { get; }

    /// <summary>The word vectors (input embeddings), one row per vocabulary word.</summary>
    public WordVectors Vectors { get; }

    /// <summary>Output weights of negative sampling (V × Dim, word2vec's syn1neg), or null.</summary>
    public float[]? NegativeWeights { get; }

    /// <summary>Output weights of hierarchical softmax ((V-1) × Dim inner nodes, word2vec's syn1), or null.</summary>
    public float[]? SoftmaxWeights { get; }

    /// <summary>Words processed and time taken.</summary>
    public TrainingStats Stats { get; }
}
