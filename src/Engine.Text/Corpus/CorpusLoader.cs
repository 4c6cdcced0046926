using Engine.Text.Tokenization;

namespace Engine.Text.Corpus;

/// <summary>Reads and tokenizes a corpus (a file or a folder of .txt files), one sentence per line.</summary>
public static class CorpusLoader
{
    /// <summary>Loads the corpus at <paramref name="path"/>; throws <see cref="InvalidDataException"/> for an empty corpus or unreadable files.</summary>
    public static RawCorpus Load(string path, CorpusOptions? options = null)
    {
        options ??= new CorpusOptions();
        var files = TextFileReader.FindCorpusFiles(path);
        var builder = new Builder(options);
        foreach (var file in files)
        {
            string text = TextFileReader.ReadAllText(file, options.AllowLatin1Fallback, options.Warning);
            builder.AddText(text);
        }
        if (builder.TokenCount == 0)
        {
            throw new InvalidDataException(
                $"Corpus: '{path}' has no tokens ({files.Count} file(s) read, all empty or without words); nothing to train on.");
        }
        return builder.Build(files);
    }

    /// <summary>Tokenizes in-memory lines (one sentence per line) into a corpus; <paramref name="name"/> names it in errors.</summary>
    public static RawCorpus FromLines(IEnumerable<string> lines, CorpusOptions? options = null, string name = "<memory>")
    {
        options ??= new CorpusOptions();
        var builder = new Builder(options);
        foreach (var line in lines)
        {
            builder.AddLine(line);
        }
        if (builder.TokenCount == 0)
        {
            throw new InvalidDataException($"Corpus: '{name}' has no tokens; nothing to train on.");
        }
        return builder.Build([name]);
    }

    private sealed class Builder
    {
        private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
        private readonly List<string> _words = [];
        private readonly List<long> _counts = [];
        private readonly List<int> _starts = [0];
        private readonly WordTokenizer _tokenizer;
        private readonly int _maxSentence;
        private readonly WordTokenizer.TokenSink _sink;
        private int[] _tokens = new int[1 << 16];
        private int _count;
        private int _sentenceLength;

        public Builder(CorpusOptions options)
        {
            if (options.MaxSentenceLength < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(options), $"Corpus: MaxSentenceLength must be at least 1, got {options.MaxSentenceLength}.");
            }
            _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
            _tokenizer = new WordTokenizer(options.Tokenizer);
            _maxSentence = options.MaxSentenceLength;
            _sink = AddToken;
        }

        public int TokenCount => _count;

        public void AddText(string text)
        {
            var span = text.AsSpan();
            foreach (var range in span.Split('\n'))
            {
                AddLine(span[range]);
            }
        }

        public void AddLine(ReadOnlySpan<char> line)
        {
            _tokenizer.Tokenize(line, _sink);
            EndSentence();
        }

        private void AddToken(ReadOnlySpan<char> token)
        {
            if (!_lookup.TryGetValue(token, out int id))
            {
                id = _words.Count;
                string word = token.ToString();
                _ids.Add(word, id);
                _words.Add(word);
                _counts.Add(0);
            }
            _counts[id]++;
            if (_count == _tokens.Length)
            {
                Array.Resize(ref _tokens, _tokens.Length * 2);
            }
            _tokens[_count++] = id;
            if (++_sentenceLength == _maxSentence)
            {
                EndSentence();
            }
        }

        private void EndSentence()
        {
            if (_sentenceLength > 0)
            {
                _starts.Add(_count);
                _sentenceLength = 0;
            }
        }

        public RawCorpus Build(IReadOnlyList<string> files)
        {
            return new RawCorpus([.. _words], [.. _counts], _tokens[.._count], [.. _starts], files);
        }
    }
}
