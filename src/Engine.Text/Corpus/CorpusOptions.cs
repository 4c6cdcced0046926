using Engine.Text.Tokenization;

namespace Engine.Text.Corpus;

/// <summary>How a corpus is read: tokenizer settings, encoding policy and sentence splitting.</summary>
public sealed record CorpusOptions
{
    /// <summary>Tokenizer settings (default: lowercase letters and apostrophes).</summary>
    public TokenizerOptions Tokenizer { get; init; } = TokenizerOptions.Default;

    /// <summary>Decode files that are not valid UTF-8 as ISO-8859-1 instead of failing (the failure names the file and line).</summary>
    public bool AllowLatin1Fallback { get; init; }

    /// <summary>Each line is one sentence; longer lines are cut into pieces of at most this many tokens (gensim's limit is 10,000).</summary>
    public int MaxSentenceLength { get; init; } = 10_000;

    /// <summary>Called with a message when a file is decoded with the ISO-8859-1 fallback.</summary>
    public Action<string>? Warning { get; init; }
}
