using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Engine.Text.Vectors;

/// <summary>The two file formats of the original word2vec tool (also read and written by gensim).</summary>
public enum VectorFileFormat
{
    /// <summary>"count dim" header line, then per word: the word, a space, dim little-endian float32, a newline.</summary>
    Binary,

    /// <summary>"count dim" header line, then one line per word: the word and dim numbers separated by spaces.</summary>
    Text,
}

/// <summary>Saves and loads word vectors in the word2vec text and binary formats (UTF-8 words).</summary>
public static class Word2VecFormat
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The format implied by a file name: .txt/.vec/.text are text, anything else binary.</summary>
    public static VectorFileFormat FormatForPath(string path)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        return ext is ".txt" or ".vec" or ".text" ? VectorFileFormat.Text : VectorFileFormat.Binary;
    }

    /// <summary>Writes the vectors to <paramref name="path"/> (to a temporary name first, then renamed, so no half-written file is left).</summary>
    public static void Save(WordVectors vectors, string path, VectorFileFormat format)
    {
        foreach (var word in vectors.Words)
        {
            if (word.Length == 0 || word.Any(char.IsWhiteSpace))
            {
                throw new ArgumentException($"Word2VecFormat.Save: word '{word}' is empty or contains whitespace, which the word2vec format cannot store.");
            }
        }
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                if (format == VectorFileFormat.Binary)
                {
                    WriteBinary(vectors, stream);
                }
                else
                {
                    WriteText(vectors, stream);
                }
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Reads a vectors file; <paramref name="format"/> null detects text or binary from the content.</summary>
    public static WordVectors Load(string path, VectorFileFormat? format = null)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var fmt = format ?? Detect(bytes, path);
        return fmt == VectorFileFormat.Binary ? ReadBinary(bytes, path) : ReadText(bytes, path);
    }

    /// <summary>Tells text from binary by whether the first vector is written as numbers.</summary>
    public static VectorFileFormat Detect(string path) => Detect(File.ReadAllBytes(path), path);

    private static VectorFileFormat Detect(ReadOnlySpan<byte> bytes, string path)
    {
        var (_, dim, offset) = ReadHeader(bytes, path);
        var rest = bytes[offset..];
        int space = rest.IndexOf((byte)' ');
        if (space < 0)
        {
            return VectorFileFormat.Text; // let the text reader report the malformed first row
        }
        var after = rest[(space + 1)..];
        int newline = after.IndexOf((byte)'\n');
        var line = newline >= 0 ? after[..newline] : after;
        foreach (byte b in line)
        {
            // A binary float row is almost never made only of number characters and spaces.
            if (!(b is (>= (byte)'0' and <= (byte)'9') or (byte)' ' or (byte)'.' or (byte)'-' or (byte)'+' or (byte)'e' or (byte)'E'
                  or (byte)'\r' or (byte)'\t' or (byte)'n' or (byte)'a' or (byte)'N' or (byte)'i' or (byte)'f' or (byte)'I'))
            {
                return VectorFileFormat.Binary;
            }
        }
        return line.Length >= dim * 2 - 1 || dim == 0 ? VectorFileFormat.Text : VectorFileFormat.Binary;
    }

    private static void WriteBinary(WordVectors v, Stream stream)
    {
        var header = Encoding.ASCII.GetBytes($"{v.Count} {v.Dim}\n");
        stream.Write(header);
        var row = new byte[v.Dim * sizeof(float)];
        for (int i = 0; i < v.Count; i++)
        {
            stream.Write(Encoding.UTF8.GetBytes(v.Words[i]));
            stream.WriteByte((byte)' ');
            var vec = v[i];
            for (int k = 0; k < v.Dim; k++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(row.AsSpan(k * sizeof(float)), vec[k]);
            }
            stream.Write(row);
            // The C tool ends each record with a newline; gensim and we skip it when reading.
            stream.WriteByte((byte)'\n');
        }
    }

    private static void WriteText(WordVectors v, Stream stream)
    {
        using var writer = new StreamWriter(stream, StrictUtf8, 1 << 16);
        writer.NewLine = "\n";
        writer.Write($"{v.Count} {v.Dim}\n");
        Span<char> number = stackalloc char[32];
        for (int i = 0; i < v.Count; i++)
        {
            writer.Write(v.Words[i]);
            var vec = v[i];
            for (int k = 0; k < v.Dim; k++)
            {
                writer.Write(' ');
                // Shortest round-trip form: loading gives back the same float bits.
                vec[k].TryFormat(number, out int written, "R", CultureInfo.InvariantCulture);
                writer.Write(number[..written]);
            }
            writer.Write('\n');
        }
    }

    /// <summary>Parses "count dim" on the first line; returns them and the offset after the newline.</summary>
    private static (int Count, int Dim, int Offset) ReadHeader(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.IsEmpty)
        {
            throw new InvalidDataException($"{path}: line 1: the file is empty; expected a '<count> <dim>' header.");
        }
        int newline = bytes.IndexOf((byte)'\n');
        if (newline < 0 || newline > 200)
        {
            throw new InvalidDataException($"{path}: line 1: no '<count> <dim>' header line found; this is not a word2vec vectors file.");
        }
        string header = Encoding.ASCII.GetString(bytes[..newline]).Trim();
        var parts = header.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int dim) || dim < 1)
        {
            throw new InvalidDataException($"{path}: line 1: header must be '<count> <dim>' with dim >= 1, got '{Printable(header)}'.");
        }
        if ((long)count * dim > int.MaxValue)
        {
            throw new InvalidDataException($"{path}: line 1: header '{header}' describes {(long)count * dim} floats, more than one array can hold.");
        }
        return (count, dim, newline + 1);
    }

    private static WordVectors ReadBinary(byte[] bytes, string path)
    {
        var (count, dim, pos) = ReadHeader(bytes, path);
        var words = new string[count];
        var data = new float[count * dim];
        int rowBytes = dim * sizeof(float);
        var seen = new Dictionary<string, int>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            // Skip the newline that ends the previous record (C tool), if any.
            while (pos < bytes.Length && (bytes[pos] == (byte)'\n' || bytes[pos] == (byte)'\r'))
            {
                pos++;
            }
            string where = $"{path}: line {i + 2} (vector {i + 1} of {count}, byte offset {pos})";
            if (pos >= bytes.Length)
            {
                throw new InvalidDataException($"{where}: the file ends after {i} vectors but the header promises {count}; the rows disagree with the header.");
            }
            int space = bytes.AsSpan(pos, Math.Min(bytes.Length - pos, 4096)).IndexOf((byte)' ');
            if (space <= 0)
            {
                throw new InvalidDataException($"{where}: expected a word followed by a space, found none within 4096 bytes.");
            }
            string word = DecodeWord(bytes.AsSpan(pos, space), where);
            pos += space + 1;
            if (bytes.Length - pos < rowBytes)
            {
                throw new InvalidDataException(
                    $"{where}: vector of '{word}' is truncated: {bytes.Length - pos} bytes left, {rowBytes} needed for dim {dim}; the rows disagree with the header.");
            }
            for (int k = 0; k < dim; k++)
            {
                data[i * dim + k] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(pos + k * sizeof(float)));
            }
            pos += rowBytes;
            AddWord(seen, words, i, word, where);
        }
        while (pos < bytes.Length && bytes[pos] is (byte)'\n' or (byte)'\r' or (byte)' ')
        {
            pos++;
        }
        if (pos < bytes.Length)
        {
            throw new InvalidDataException(
                $"{path}: line {count + 2} (byte offset {pos}): {bytes.Length - pos} more bytes after the {count} vectors the header promises; the rows disagree with the header.");
        }
        return new WordVectors(words, dim, data);
    }

    private static WordVectors ReadText(byte[] bytes, string path)
    {
        var (count, dim, offset) = ReadHeader(bytes, path);
        var words = new string[count];
        var data = new float[count * dim];
        var seen = new Dictionary<string, int>(count, StringComparer.Ordinal);
        int row = 0;
        int lineNumber = 1;
        var span = bytes.AsSpan(offset);
        while (!span.IsEmpty)
        {
            lineNumber++;
            int newline = span.IndexOf((byte)'\n');
            var lineBytes = newline >= 0 ? span[..newline] : span;
            span = newline >= 0 ? span[(newline + 1)..] : [];
            string where = $"{path}: line {lineNumber}";
            string line = DecodeWord(lineBytes, where).TrimEnd('\r', ' ', '\t');
            if (line.Length == 0)
            {
                if (span.IsEmpty)
                {
                    break;
                }
                throw new InvalidDataException($"{where}: empty line inside the vectors.");
            }
            if (row == count)
            {
                throw new InvalidDataException($"{where}: more vectors than the {count} the header (line 1) promises; the rows disagree with the header.");
            }
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != dim + 1)
            {
                throw new InvalidDataException(
                    $"{where}: expected a word and {dim} numbers (header dim {dim}), found {parts.Length - 1} numbers after '{Printable(parts[0])}'.");
            }
            for (int k = 0; k < dim; k++)
            {
                if (!float.TryParse(parts[k + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                {
                    throw new InvalidDataException($"{where}: value {k + 1} of '{Printable(parts[0])}' is '{Printable(parts[k + 1])}', not a number.");
                }
                data[row * dim + k] = value;
            }
            AddWord(seen, words, row, parts[0], where);
            row++;
        }
        if (row != count)
        {
            throw new InvalidDataException(
                $"{path}: line {lineNumber}: the file ends after {row} vectors but the header (line 1) promises {count}; the rows disagree with the header.");
        }
        return new WordVectors(words, dim, data);
    }

    private static void AddWord(Dictionary<string, int> seen, string[] words, int row, string word, string where)
    {
        if (!seen.TryAdd(word, row))
        {
            throw new InvalidDataException($"{where}: word '{Printable(word)}' appears again (first as vector {seen[word] + 1}).");
        }
        words[row] = word;
    }

    private static string DecodeWord(ReadOnlySpan<byte> bytes, string where)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"{where}: invalid UTF-8; word2vec files are read as UTF-8.");
        }
    }

    private static string Printable(string s) => s.Length > 40 ? s[..40] + "..." : s;
}
