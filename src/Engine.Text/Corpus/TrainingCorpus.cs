namespace Engine.Text.Corpus;

/// <summary>A corpus encoded with a vocabulary: out-of-vocabulary tokens are dropped, sentences keep their raw lengths for words/s accounting.</summary>
public sealed class TrainingCorpus
{
    private TrainingCorpus(Vocabulary vocabulary, int[] tokens, int[] sentenceStarts, int[] rawLengths, long rawTokenCount)
    {
        Vocabulary = vocabulary;
        Tokens = tokens;
        SentenceStarts = sentenceStarts;
        RawSentenceLengths = rawLengths;
        RawTokenCount = rawTokenCount;
    }

    /// <summary>The vocabulary the ids refer to.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>In-vocabulary tokens as vocabulary indices, sentence after sentence.</summary>
    public int[] Tokens { get; }

    /// <summary>Start of each sentence in <see cref="Tokens"/>, plus a final entry equal to its length.</summary>
    public int[] SentenceStarts { get; }

    /// <summary>Token count of each sentence before out-of-vocabulary words were dropped.</summary>
    public int[] RawSentenceLengths { get; }

    /// <summary>All tokens of the corpus, out-of-vocabulary ones included ("raw words" as gensim counts them).</summary>
    public long RawTokenCount { get; }

    /// <summary>Number of sentences.</summary>
    public int SentenceCount => SentenceStarts.Length - 1;

    /// <summary>Encodes a raw corpus with a vocabulary (words missing from it are dropped).</summary>
    public static TrainingCorpus Encode(RawCorpus raw, Vocabulary vocabulary)
    {
        var map = new int[raw.Words.Length];
        for (int i = 0; i < map.Length; i++)
        {
            map[i] = vocabulary.IndexOf(raw.Words[i]);
        }
        var tokens = new List<int>(raw.Tokens.Length);
        var starts = new List<int>(raw.SentenceCount + 1) { 0 };
        var rawLengths = new List<int>(raw.SentenceCount);
        int pending = 0;
        for (int s = 0; s < raw.SentenceCount; s++)
        {
            int before = tokens.Count;
            for (int t = raw.SentenceStarts[s]; t < raw.SentenceStarts[s + 1]; t++)
            {
                int id = map[raw.Tokens[t]];
                if (id >= 0)
                {
                    tokens.Add(id);
                }
            }
            // A sentence with no known word still counts as raw words read: it is charged to the next kept one.
            pending += raw.SentenceStarts[s + 1] - raw.SentenceStarts[s];
            if (tokens.Count > before)
            {
                starts.Add(tokens.Count);
                rawLengths.Add(pending);
                pending = 0;
            }
        }
        if (pending > 0 && rawLengths.Count > 0)
        {
            rawLengths[^1] += pending;
        }
        return new TrainingCorpus(vocabulary, [.. tokens], [.. starts], [.. rawLengths], raw.TokenCount);
    }

    /// <summary>Loads, tokenizes and encodes a corpus in one call.</summary>
    public static TrainingCorpus Load(string path, int minCount, CorpusOptions? options = null)
    {
        var raw = CorpusLoader.Load(path, options);
        return Encode(raw, Vocabulary.Build(raw, minCount));
    }
}
