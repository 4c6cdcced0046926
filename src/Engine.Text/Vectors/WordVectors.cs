namespace Engine.Text.Vectors;

/// <summary>A table of word vectors (row i belongs to Words[i]; rows are usually sorted by descending frequency) with similarity queries.</summary>
public sealed class WordVectors
{
    private readonly Dictionary<string, int> _index;
    private float[]? _unit;

    /// <summary>Wraps <paramref name="data"/> (words.Count × dim floats, row-major) without copying.</summary>
    public WordVectors(IReadOnlyList<string> words, int dim, float[] data)
    {
        if (dim < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(dim), $"WordVectors: dim must be >= 1, got {dim}.");
        }
        if ((long)words.Count * dim != data.Length)
        {
            throw new ArgumentException($"WordVectors: {words.Count} words × dim {dim} needs {(long)words.Count * dim} floats, got {data.Length}.");
        }
        Words = [.. words];
        Dim = dim;
        Data = data;
        _index = new Dictionary<string, int>(Words.Length, StringComparer.Ordinal);
        for (int i = 0; i < Words.Length; i++)
        {
            if (!_index.TryAdd(Words[i], i))
            {
                throw new ArgumentException($"WordVectors: word '{Words[i]}' appears twice (rows {_index[Words[i]]} and {i}).");
            }
        }
    }

    /// <summary>The words, one per row.</summary>
    public string[] Words { get; }

    /// <summary>Vector dimension.</summary>
    public int Dim { get; }

    /// <summary>Number of words.</summary>
    public int Count => Words.Length;

    /// <summary>All vectors, row-major (Count × Dim).</summary>
    public float[] Data { get; }

    /// <summary>Row of a word, or -1.</summary>
    public int IndexOf(string word) => _index.TryGetValue(word, out int i) ? i : -1;

    /// <summary>Whether the word has a vector.</summary>
    public bool Contains(string word) => _index.ContainsKey(word);

    /// <summary>The vector of row <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> this[int index] => Data.AsSpan(index * Dim, Dim);

    /// <summary>The vector of a word; throws <see cref="KeyNotFoundException"/> when it is missing.</summary>
    public ReadOnlySpan<float> this[string word] => this[Require(word)];

    /// <summary>Rows scaled to unit length (computed once; zero rows stay zero).</summary>
    public ReadOnlySpan<float> UnitData => _unit ??= Normalize();

    /// <summary>Cosine similarity of two words.</summary>
    public float Similarity(string a, string b)
    {
        var u = UnitData;
        return VectorMath.Dot(u.Slice(Require(a) * Dim, Dim), u.Slice(Require(b) * Dim, Dim));
    }

    /// <summary>The <paramref name="topN"/> words nearest to <paramref name="word"/> by cosine (the word itself excluded).</summary>
    public IReadOnlyList<(string Word, float Similarity)> MostSimilar(string word, int topN = 10, int restrictVocab = 0)
        => MostSimilar([word], [], topN, restrictVocab);

    /// <summary>
    /// Words nearest to the sum of the unit vectors of <paramref name="positive"/> minus those of
    /// <paramref name="negative"/> (3CosAdd), excluding the query words; candidates are limited to the
    /// first <paramref name="restrictVocab"/> rows when it is positive.
    /// </summary>
    public IReadOnlyList<(string Word, float Similarity)> MostSimilar(
        IReadOnlyList<string> positive, IReadOnlyList<string> negative, int topN = 10, int restrictVocab = 0)
    {
        if (positive.Count + negative.Count == 0)
        {
            throw new ArgumentException("WordVectors.MostSimilar: no query words given.");
        }
        var u = UnitData;
        var query = new float[Dim];
        var exclude = new HashSet<int>();
        foreach (var w in positive)
        {
            int i = Require(w);
            exclude.Add(i);
            VectorMath.Axpy(1f, u.Slice(i * Dim, Dim), query);
        }
        foreach (var w in negative)
        {
            int i = Require(w);
            exclude.Add(i);
            VectorMath.Axpy(-1f, u.Slice(i * Dim, Dim), query);
        }
        float norm = MathF.Sqrt(VectorMath.Dot(query, query));
        if (norm > 0)
        {
            VectorMath.Scale(1f / norm, query);
        }
        int limit = restrictVocab > 0 ? Math.Min(restrictVocab, Count) : Count;
        var best = new PriorityQueue<int, float>(topN + 1);
        for (int r = 0; r < limit; r++)
        {
            if (exclude.Contains(r))
            {
                continue;
            }
            float s = VectorMath.Dot(u.Slice(r * Dim, Dim), query);
            if (best.Count < topN)
            {
                best.Enqueue(r, s);
            }
            else if (best.TryPeek(out _, out float worst) && s > worst)
            {
                best.DequeueEnqueue(r, s);
            }
        }
        var result = new List<(string, float)>(best.Count);
        while (best.TryDequeue(out int r, out float s))
        {
            result.Add((Words[r], s));
        }
        result.Reverse();
        return result;
    }

    /// <summary>3CosAdd analogy: the word d (not a, b or c) nearest to b - a + c, i.e. "a is to b as c is to d".</summary>
    public string Analogy(string a, string b, string c, int restrictVocab = 0)
        => MostSimilar([b, c], [a], 1, restrictVocab)[0].Word;

    private int Require(string word)
    {
        if (_index.TryGetValue(word, out int i))
        {
            return i;
        }
        throw new KeyNotFoundException($"WordVectors: '{word}' is not in the vocabulary ({Count} words).");
    }

    private float[] Normalize()
    {
        var unit = new float[Data.Length];
        for (int r = 0; r < Count; r++)
        {
            var src = Data.AsSpan(r * Dim, Dim);
            var dst = unit.AsSpan(r * Dim, Dim);
            float norm = MathF.Sqrt(VectorMath.Dot(src, src));
            if (norm > 0)
            {
                float inv = 1f / norm;
                for (int i = 0; i < Dim; i++)
                {
                    dst[i] = src[i] * inv;
                }
            }
        }
        return unit;
    }
}
