using Engine.Text.Corpus;

namespace Engine.Text.Word2Vec;

/// <summary>Trains Word2Vec (skip-gram or CBOW, negative sampling and/or hierarchical softmax) on an encoded corpus.</summary>
public static class Word2VecTrainer
{
    /// <summary>
    /// Trains on <paramref name="corpus"/> with <paramref name="options"/>; <paramref name="progress"/> is
    /// called on the calling thread every <see cref="Word2VecOptions.ProgressInterval"/> and once at the end.
    /// With one thread and a fixed seed the result is bit-for-bit reproducible.
    /// </summary>
    public static Word2VecModel Train(TrainingCorpus corpus, Word2VecOptions options,
        Action<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (corpus.Tokens.Length == 0)
        {
            throw new InvalidDataException("Word2Vec: the corpus has no in-vocabulary tokens; nothing to train on.");
        }
        using var run = new TrainingRun(corpus, options);
        return run.Run(progress, cancellationToken);
    }
}
