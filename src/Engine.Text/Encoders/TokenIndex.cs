namespace Engine.Text.Encoders;

/// <summary>
/// The id space of a text encoder's embedding table: id 0 is padding, id 1 the unknown word, ids 2.. the
/// known words in the order given (usually a Word2Vec vocabulary, optionally extended with extra words).
/// </summary>
public sealed class TokenIndex
{
    /// <summary>The padding id (its embedding row is zero and gets no gradient).</summary>
    public const int PadId = 0;

    /// <summary>The unknown-word id.</summary>
    public const int UnkId = 1;

    /// <summary>The name of the padding row in <see cref="Tokens"/>.</summary>
    public const string PadToken = "<pad>";

    /// <summary>The name of the unknown-word row in <see cref="Tokens"/>.</summary>
    public const string UnkToken = "<unk>";

    private readonly Dictionary<string, int> _ids;

    /// <summary>Builds the index from words (duplicates after the first are ignored; the reserved names are rejected).</summary>
    public TokenIndex(IEnumerable<string> words)
    {
        var tokens = new List<string> { PadToken, UnkToken };
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var w in words)
        {
            if (w is PadToken or UnkToken)
            {
                throw new ArgumentException($"TokenIndex: the word '{w}' is reserved for the padding/unknown rows");
            }
            if (string.IsNullOrEmpty(w))
            {
                throw new ArgumentException($"TokenIndex: empty word at position {tokens.Count - 2}");
            }
            if (_ids.TryAdd(w, tokens.Count))
            {
                tokens.Add(w);
            }
        }
        Tokens = tokens.ToArray();
    }

    /// <summary>Row names: "&lt;pad&gt;", "&lt;unk&gt;", then the words.</summary>
    public string[] Tokens { get; }

    /// <summary>Number of rows (words + 2).</summary>
    public int Count => Tokens.Length;

    /// <summary>The id of a word, or <see cref="UnkId"/> when it is not known.</summary>
    public int IdOf(string word) => _ids.TryGetValue(word, out int id) ? id : UnkId;

    /// <summary>Whether the word has its own row.</summary>
    public bool Contains(string word) => _ids.ContainsKey(word);

    /// <summary>
    /// The index of a Word2Vec vocabulary (rows in the vectors' order), extended with
    /// <paramref name="extraWords"/> that have no vector (they get randomly initialised rows).
    /// </summary>
    public static TokenIndex FromWordVectors(Vectors.WordVectors vectors, IEnumerable<string>? extraWords = null)
        => new(extraWords is null ? vectors.Words : vectors.Words.Concat(extraWords));
}
