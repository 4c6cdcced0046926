using System.Globalization;
using System.Text;

namespace Engine.Text.Tokenization;

/// <summary>
/// A Unicode-aware word tokenizer: a token is a maximal run of letters (any script, surrogate pairs
/// included), optionally digits and in-word apostrophes. Everything else separates tokens.
/// </summary>
public sealed class WordTokenizer
{
    /// <summary>Receives each token; the span is only valid during the call.</summary>
    public delegate void TokenSink(ReadOnlySpan<char> token);

    private readonly TokenizerOptions _options;

    /// <summary>Creates a tokenizer with the given settings (null: <see cref="TokenizerOptions.Default"/>).</summary>
    public WordTokenizer(TokenizerOptions? options = null)
    {
        _options = options ?? TokenizerOptions.Default;
    }

    /// <summary>The settings this tokenizer uses.</summary>
    public TokenizerOptions Options => _options;

    /// <summary>Splits one line into tokens and returns them as strings.</summary>
    public List<string> Tokenize(ReadOnlySpan<char> text)
    {
        var list = new List<string>();
        Tokenize(text, t => list.Add(t.ToString()));
        return list;
    }

    /// <summary>Splits text into tokens, handing each one to <paramref name="sink"/> without allocating strings.</summary>
    public void Tokenize(ReadOnlySpan<char> text, TokenSink sink)
    {
        // Tokens are short; a pooled buffer grows only for pathological words.
        Span<char> initial = stackalloc char[128];
        var buffer = new CharBuffer(initial);
        int i = 0;
        while (i < text.Length)
        {
            Rune.DecodeFromUtf16(text[i..], out Rune rune, out int consumed);
            i += consumed;
            var kind = Classify(rune);
            if (kind == CharKind.Word || kind == CharKind.Apostrophe)
            {
                if (kind == CharKind.Apostrophe)
                {
                    rune = new Rune('\'');
                }
                else if (_options.Lowercase)
                {
                    rune = Rune.ToLowerInvariant(rune);
                }
                buffer.Append(rune);
                continue;
            }
            Flush(ref buffer, sink);
            if (kind == CharKind.Punctuation && _options.Punctuation == PunctuationMode.Separate)
            {
                buffer.Append(rune);
                sink(buffer.Span);
                buffer.Clear();
            }
        }
        Flush(ref buffer, sink);
        buffer.Dispose();
    }

    private static void Flush(ref CharBuffer buffer, TokenSink sink)
    {
        var span = buffer.Span;
        // Apostrophes only count inside a word: "'tis" -> "tis", "soldiers'" -> "soldiers".
        span = span.Trim('\'');
        if (span.Length > 0)
        {
            sink(span);
        }
        buffer.Clear();
    }

    private CharKind Classify(Rune rune)
    {
        if (rune.Value == '\'' || rune.Value == '\u2019')
        {
            return _options.KeepApostrophes ? CharKind.Apostrophe : CharKind.Punctuation;
        }
        var category = Rune.GetUnicodeCategory(rune);
        switch (category)
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.LowercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.OtherLetter:
                return CharKind.Word;
            case UnicodeCategory.DecimalDigitNumber:
                return _options.KeepDigits ? CharKind.Word : CharKind.Separator;
            case UnicodeCategory.ConnectorPunctuation:
            case UnicodeCategory.DashPunctuation:
            case UnicodeCategory.OpenPunctuation:
            case UnicodeCategory.ClosePunctuation:
            case UnicodeCategory.InitialQuotePunctuation:
            case UnicodeCategory.FinalQuotePunctuation:
            case UnicodeCategory.OtherPunctuation:
            case UnicodeCategory.MathSymbol:
            case UnicodeCategory.CurrencySymbol:
            case UnicodeCategory.ModifierSymbol:
            case UnicodeCategory.OtherSymbol:
                return CharKind.Punctuation;
            default:
                return CharKind.Separator;
        }
    }

    private enum CharKind
    {
        Separator,
        Word,
        Apostrophe,
        Punctuation,
    }

    /// <summary>A growable char buffer that starts on the stack.</summary>
    private ref struct CharBuffer
    {
        private Span<char> _span;
        private char[]? _rented;
        private int _length;

        public CharBuffer(Span<char> initial)
        {
            _span = initial;
            _rented = null;
            _length = 0;
        }

        public readonly ReadOnlySpan<char> Span => _span[.._length];

        public void Append(Rune rune)
        {
            if (_length + 2 > _span.Length)
            {
                var bigger = System.Buffers.ArrayPool<char>.Shared.Rent(_span.Length * 2);
                _span[.._length].CopyTo(bigger);
                if (_rented != null)
                {
                    System.Buffers.ArrayPool<char>.Shared.Return(_rented);
                }
                _rented = bigger;
                _span = bigger;
            }
            _length += rune.EncodeToUtf16(_span[_length..]);
        }

        public void Clear() => _length = 0;

        public void Dispose()
        {
            if (_rented != null)
            {
                System.Buffers.ArrayPool<char>.Shared.Return(_rented);
                _rented = null;
            }
        }
    }
}
