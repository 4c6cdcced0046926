namespace Engine.Text.Tokenization;

/// <summary>What the word tokenizer does with punctuation characters.</summary>
public enum PunctuationMode
{
    /// <summary>Punctuation separates words and is dropped.</summary>
    Drop,

    /// <summary>Each punctuation character becomes a token of its own.</summary>
    Separate,
}

/// <summary>Settings of <see cref="WordTokenizer"/>; the defaults are the Word2Vec benchmark setting (lowercase letters and apostrophes).</summary>
public sealed record TokenizerOptions
{
    /// <summary>Lowercase every token (invariant culture, per Unicode scalar).</summary>
    public bool Lowercase { get; init; } = true;

    /// <summary>Keep apostrophes inside words ("don't", "o'er"); apostrophes at a token's ends are trimmed. U+2019 is mapped to U+0027.</summary>
    public bool KeepApostrophes { get; init; } = true;

    /// <summary>Treat decimal digits as word characters ("1990", "b2b"); when false, digits separate words and are dropped.</summary>
    public bool KeepDigits { get; init; }

    /// <summary>What happens to punctuation and symbols (apostrophes excepted when <see cref="KeepApostrophes"/>).</summary>
    public PunctuationMode Punctuation { get; init; } = PunctuationMode.Drop;

    /// <summary>The benchmark setting: lowercase, letters and apostrophes only, punctuation dropped.</summary>
    public static TokenizerOptions Default { get; } = new();
}
