namespace Engine.Text.Word2Vec;

/// <summary>A snapshot of Word2Vec training, handed to the progress callback.</summary>
/// <param name="Epoch">Current epoch, 1-based.</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Fraction">Share of all work done, 0..1.</param>
/// <param name="RawWords">Corpus tokens processed so far (out-of-vocabulary and subsampled ones included, as gensim counts raw words).</param>
/// <param name="EffectiveWords">Tokens actually trained on (in vocabulary, kept by subsampling).</param>
/// <param name="Elapsed">Time since training started.</param>
/// <param name="Alpha">Current learning rate.</param>
public readonly record struct TrainingProgress(
    int Epoch, int Epochs, double Fraction, long RawWords, long EffectiveWords, TimeSpan Elapsed, float Alpha)
{
    /// <summary>Raw words per second so far.</summary>
    public double WordsPerSecond => Elapsed.TotalSeconds > 0 ? RawWords / Elapsed.TotalSeconds : 0;

    /// <summary>Effective (trained) words per second so far.</summary>
    public double EffectiveWordsPerSecond => Elapsed.TotalSeconds > 0 ? EffectiveWords / Elapsed.TotalSeconds : 0;
}
