using Engine.Text.Tokenization;

namespace Engine.Multimodal.Data;

/// <summary>
/// Turns a short text into feature strings: each word ("w:seven") and the character trigrams of the word
/// padded with boundary marks ("c:&lt;se", "c:sev", ...), so a misspelt word still shares most of its features
/// with the correct spelling (the fastText idea).
/// </summary>
public static class TextFeatures
{
    private static readonly WordTokenizer Tokenizer = new(new TokenizerOptions { KeepDigits = true, Lowercase = true });

    /// <summary>The words of <paramref name="text"/> (lowercased; digits kept).</summary>
    public static List<string> Words(string text)
    {
        lock (Tokenizer)
        {
            return Tokenizer.Tokenize(text);
        }
    }

    /// <summary>Feature strings of <paramref name="text"/>, with repeats.</summary>
    public static List<string> Extract(string text)
    {
        var result = new List<string>();
        foreach (var w in Words(text))
        {
            result.Add("w:" + w);
            string padded = "<" + w + ">";
            for (int i = 0; i + 3 <= padded.Length; i++)
            {
                result.Add("c:" + padded.Substring(i, 3));
            }
        }
        return result;
    }

    /// <summary>The sorted set of features seen at least <paramref name="minCount"/> times in <paramref name="texts"/>.</summary>
    public static string[] BuildVocabulary(IEnumerable<string?> texts, int minCount = 1)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in texts)
        {
            if (t is null)
            {
                continue;
            }
            foreach (var f in Extract(t))
            {
                counts[f] = counts.GetValueOrDefault(f) + 1;
            }
        }
        var vocab = counts.Where(kv => kv.Value >= minCount).Select(kv => kv.Key).ToArray();
        Array.Sort(vocab, StringComparer.Ordinal);
        return vocab;
    }
}
