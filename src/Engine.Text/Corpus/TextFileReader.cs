using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Engine.Text.Corpus;

/// <summary>Reads a text file strictly: binary files and invalid UTF-8 are rejected with the file and line named.</summary>
public static class TextFileReader
{
    /// <summary>Files, searched recursively in sorted ordinal order, that a corpus path stands for: the file itself or every *.txt under a folder.</summary>
    public static IReadOnlyList<string> FindCorpusFiles(string path)
    {
        if (File.Exists(path))
        {
            return [path];
        }
        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException($"Corpus: '{path}' is neither a file nor a folder.", path);
        }
        var files = Directory.GetFiles(path, "*.txt", SearchOption.AllDirectories);
        // Ordinal order of the path relative to the root, so every platform reads files in the same order.
        Array.Sort(files, StringComparer.Ordinal);
        if (files.Length == 0)
        {
            throw new InvalidDataException($"Corpus: folder '{path}' contains no .txt files.");
        }
        return files;
    }

    /// <summary>Reads the whole file as text; throws <see cref="InvalidDataException"/> naming the file and line for binary or non-UTF-8 content.</summary>
    public static string ReadAllText(string path, bool allowLatin1Fallback = false, Action<string>? warning = null)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return Decode(bytes, path, allowLatin1Fallback, warning);
    }

    /// <summary>Decodes file bytes (see <see cref="ReadAllText"/>); <paramref name="name"/> is used in messages.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string name, bool allowLatin1Fallback = false, Action<string>? warning = null)
    {
        CheckNotBinary(bytes, name);
        if (bytes.StartsWith("\xEF\xBB\xBF"u8))
        {
            bytes = bytes[3..];
        }
        char[] chars = ArrayPool<char>.Shared.Rent(Math.Max(1, bytes.Length));
        try
        {
            var status = Utf8.ToUtf16(bytes, chars, out int read, out int written, replaceInvalidSequences: false);
            if (status == OperationStatus.Done)
            {
                return new string(chars, 0, written);
            }
            // Truncated or invalid sequence at `read`.
            int line = LineOf(bytes, read, out int column);
            string where = $"{name}: line {line}, column {column} (byte offset {read})";
            string bad = read < bytes.Length ? $"0x{bytes[read]:X2}" : "end of file";
            if (!allowLatin1Fallback)
            {
                throw new InvalidDataException(
                    $"{where}: invalid UTF-8 ({bad}); the file is not UTF-8 text. Re-encode it as UTF-8, or allow the ISO-8859-1 fallback.");
            }
            warning?.Invoke($"{where}: invalid UTF-8 ({bad}); reading the file as ISO-8859-1.");
            return Encoding.Latin1.GetString(bytes);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>A NUL byte, or many control characters near the start, means a binary file.</summary>
    private static void CheckNotBinary(ReadOnlySpan<byte> bytes, string name)
    {
        int nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
        {
            int line = LineOf(bytes, nul, out int column);
            throw new InvalidDataException(
                $"{name}: line {line}, column {column} (byte offset {nul}): NUL byte; this looks like a binary file, not text.");
        }
        var head = bytes[..Math.Min(bytes.Length, 65536)];
        int controls = 0;
        int firstControl = -1;
        for (int i = 0; i < head.Length; i++)
        {
            byte b = head[i];
            // Tab, LF, VT, FF, CR and ESC occur in real text; other C0 controls are binary noise.
            if (b < 0x20 && b != 9 && b != 10 && b != 11 && b != 12 && b != 13 && b != 27)
            {
                controls++;
                if (firstControl < 0)
                {
                    firstControl = i;
                }
            }
        }
        // One stray control byte is tolerated (real corpora have them); 1% of the head is not text.
        if (controls > 8 && controls * 100 > head.Length)
        {
            int line = LineOf(bytes, firstControl, out int column);
            throw new InvalidDataException(
                $"{name}: line {line}, column {column}: {controls} control bytes in the first {head.Length} bytes; this looks like a binary file, not text.");
        }
    }

    /// <summary>1-based line and column of a byte offset.</summary>
    internal static int LineOf(ReadOnlySpan<byte> bytes, int offset, out int column)
    {
        var before = bytes[..Math.Min(offset, bytes.Length)];
        int line = before.Count((byte)'\n') + 1;
        int lastNewline = before.LastIndexOf((byte)'\n');
        column = offset - lastNewline;
        return line;
    }
}
