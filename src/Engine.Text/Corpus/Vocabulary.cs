namespace Engine.Text.Corpus;

/// <summary>Words kept for training (count at least min-count), sorted by descending count; ties keep first-appearance order.</summary>
public sealed class Vocabulary
{
    private readonly Dictionary<string, int> _index;

    /// <summary>Creates a vocabulary from words already in the order wanted, with their counts.</summary>
    public Vocabulary(IReadOnlyList<string> words, IReadOnlyList<long> counts)
    {
        if (words.Count != counts.Count)
        {
            throw new ArgumentException($"Vocabulary: {words.Count} words but {counts.Count} counts.");
        }
        Words = [.. words];
        Counts = [.. counts];
        _index = new Dictionary<string, int>(Words.Length, StringComparer.Ordinal);
        for (int i = 0; i < Words.Length; i++)
        {
            if (!_index.TryAdd(Words[i], i))
            {
                throw new ArgumentException($"Vocabulary: word '{Words[i]}' appears twice (entries {_index[Words[i]]} and {i}).");
            }
        }
        foreach (long c in Counts)
        {
            TotalCount += c;
        }
    }

    /// <summary>The words, most frequent first.</summary>
    public string[] Words { get; }

    /// <summary>Corpus count of each word.</summary>
    public long[] Counts { get; }

    /// <summary>Sum of <see cref="Counts"/>: the number of corpus tokens that are in the vocabulary.</summary>
    public long TotalCount { get; }

    /// <summary>Number of words.</summary>
    public int Count => Words.Length;

    /// <summary>Index of a word, or -1 when it is not in the vocabulary.</summary>
    public int IndexOf(string word) => _index.TryGetValue(word, out int i) ? i : -1;

    /// <summary>Builds the vocabulary of a corpus: words occurring at least <paramref name="minCount"/> times, most frequent first.</summary>
    public static Vocabulary Build(RawCorpus corpus, int minCount)
    {
        if (minCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(minCount), $"Vocabulary: min-count must be at least 1, got {minCount}.");
        }
        var kept = new List<int>();
        for (int i = 0; i < corpus.Words.Length; i++)
        {
            if (corpus.Counts[i] >= minCount)
            {
                kept.Add(i);
            }
        }
        if (kept.Count == 0)
        {
            throw new InvalidDataException(
                $"Vocabulary: no word of the corpus ({corpus.Words.Length} distinct words, {corpus.TokenCount} tokens, first file '{corpus.Files.FirstOrDefault()}') occurs at least {minCount} times.");
        }
        // Stable sort: equal counts stay in first-appearance order, so the result is deterministic.
        var order = kept.ToArray();
        var keys = order.Select(i => -corpus.Counts[i]).ToArray();
        Array.Sort(keys, order);
        StableFix(order, keys);
        return new Vocabulary(order.Select(i => corpus.Words[i]).ToArray(), order.Select(i => corpus.Counts[i]).ToArray());
    }

    /// <summary>Array.Sort is not stable; re-sort each run of equal keys by raw id (first appearance).</summary>
    private static void StableFix(int[] order, long[] keys)
    {
        int start = 0;
        for (int i = 1; i <= order.Length; i++)
        {
            if (i == order.Length || keys[i] != keys[start])
            {
                Array.Sort(order, start, i - start);
                start = i;
            }
        }
    }
}
