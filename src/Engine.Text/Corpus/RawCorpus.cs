namespace Engine.Text.Corpus;

/// <summary>
/// A tokenized corpus before any vocabulary cut: every distinct word gets an id in order of first
/// appearance, and sentences are runs of ids.
/// </summary>
public sealed class RawCorpus
{
    internal RawCorpus(string[] words, long[] counts, int[] tokens, int[] sentenceStarts, IReadOnlyList<string> files)
    {
        Words = words;
        Counts = counts;
        Tokens = tokens;
        SentenceStarts = sentenceStarts;
        Files = files;
    }

    /// <summary>Distinct words, indexed by raw id (first-appearance order).</summary>
    public string[] Words { get; }

    /// <summary>Occurrences of each word, indexed by raw id.</summary>
    public long[] Counts { get; }

    /// <summary>All tokens as raw ids, sentence after sentence.</summary>
    public int[] Tokens { get; }

    /// <summary>Start offset of each sentence in <see cref="Tokens"/>, plus one final entry equal to the token count.</summary>
    public int[] SentenceStarts { get; }

    /// <summary>The files read, in order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Number of sentences.</summary>
    public int SentenceCount => SentenceStarts.Length - 1;

    /// <summary>Number of tokens.</summary>
    public long TokenCount => Tokens.Length;
}
