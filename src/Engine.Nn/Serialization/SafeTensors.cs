using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Engine.Autograd;

namespace Engine.Nn;

/// <summary>The tensors and metadata of a safetensors file.</summary>
public sealed class SafeTensorsContent
{
    /// <summary>Creates the content.</summary>
    public SafeTensorsContent(OrderedDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>Tensors by name, in file order.</summary>
    public OrderedDictionary<string, Tensor> Tensors { get; }

    /// <summary>The free-form string map stored under "__metadata__".</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }
}

/// <summary>Thrown when a safetensors file is corrupt, truncated or unsupported; names the file and the problem.</summary>
public sealed class SafeTensorsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SafeTensorsException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>
/// Reads and writes the safetensors format (as used by PyTorch and Hugging Face): an 8-byte
/// little-endian header length N, N bytes of JSON mapping each name to {dtype, shape,
/// data_offsets: [begin, end)} relative to the data section (plus an optional "__metadata__"
/// string map), then the raw little-endian data. Reading validates the whole file before any
/// tensor is created; writing goes to a temporary file that is then renamed.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeader = 100L << 20;

    /// <summary>Writes tensors (and optional metadata) to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var bytes = Serialize(tensors, metadata);
        AtomicFile.Write(path, bytes);
    }

    /// <summary>The file's bytes for the given tensors.</summary>
    public static byte[] Serialize(IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var names = new HashSet<string>();
        var blobs = new List<byte[]>();
        using var headerStream = new MemoryStream();
        using (var w = new Utf8JsonWriter(headerStream))
        {
            w.WriteStartObject();
            if (metadata is not null && metadata.Count > 0)
            {
                w.WriteStartObject("__metadata__");
                foreach (var kv in metadata)
                {
                    w.WriteString(kv.Key, kv.Value);
                }
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, t) in list)
            {
                if (!names.Add(name) || name == "__metadata__")
                {
                    throw new ArgumentException($"safetensors: tensor name '{name}' is repeated or reserved");
                }
                var blob = ToBytes(t);
                w.WriteStartObject(name);
                w.WriteString("dtype", DTypeCode(t.DType));
                w.WriteStartArray("shape");
                foreach (int d in t.Shape)
                {
                    w.WriteNumberValue(d);
                }
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + blob.Length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += blob.Length;
                blobs.Add(blob);
            }
            w.WriteEndObject();
        }
        var header = headerStream.ToArray();
        // Pad the header with spaces so the data section starts 8-byte aligned (as the reference writer does).
        int padded = (header.Length + 7) / 8 * 8;
        var result = new byte[8 + padded + blobs.Sum(b => (long)b.Length)];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)padded);
        header.CopyTo(result, 8);
        for (int i = 8 + header.Length; i < 8 + padded; i++)
        {
            result[i] = (byte)' ';
        }
        long pos = 8 + padded;
        foreach (var b in blobs)
        {
            b.CopyTo(result, pos);
            pos += b.Length;
        }
        return result;
    }

    /// <summary>Reads a file; throws <see cref="SafeTensorsException"/> naming the file if it is not valid.</summary>
    public static SafeTensorsContent Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new SafeTensorsException($"safetensors: cannot read '{path}': {e.Message}", e);
        }
        return Deserialize(bytes, path);
    }

    /// <summary>Parses a file's bytes (<paramref name="source"/> names it in errors).</summary>
    public static SafeTensorsContent Deserialize(byte[] bytes, string source = "<bytes>")
    {
        if (bytes.Length < 8)
        {
            throw new SafeTensorsException($"safetensors: '{source}' is truncated: {bytes.Length} bytes, less than the 8-byte header length");
        }
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > (ulong)MaxHeader || n > (ulong)(bytes.Length - 8))
        {
            throw new SafeTensorsException($"safetensors: '{source}' declares a header of {n} bytes but the file has only {bytes.Length - 8} bytes after the length (truncated or not a safetensors file)");
        }
        int headerLen = (int)n;
        var entries = new List<(string Name, DType DType, string Code, int[] Shape, long Begin, long End)>();
        var metadata = new Dictionary<string, string>();
        try
        {
            using var doc = JsonDocument.Parse(bytes.AsMemory(8, headerLen));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new SafeTensorsException($"safetensors: '{source}' header is not a JSON object");
            }
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        metadata[m.Name] = m.Value.GetString() ?? "";
                    }
                    continue;
                }
                var e = prop.Value;
                string code = e.GetProperty("dtype").GetString() ?? "";
                var shape = e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
                var offs = e.GetProperty("data_offsets").EnumerateArray().Select(v => v.GetInt64()).ToArray();
                if (offs.Length != 2 || shape.Any(d => d < 0))
                {
                    throw new SafeTensorsException($"safetensors: '{source}' tensor '{prop.Name}' has invalid shape or data_offsets");
                }
                entries.Add((prop.Name, ParseDType(code, prop.Name, source), code, shape, offs[0], offs[1]));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new SafeTensorsException($"safetensors: '{source}' has a malformed JSON header: {e.Message}", e);
        }

        long dataLen = bytes.Length - 8L - headerLen;
        // Offsets must tile the data section exactly, as the reference implementation checks.
        long expectedBegin = 0;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            long need = ElementBytes(e.Code) * e.Shape.Aggregate(1L, (a, b) => a * b);
            if (e.Begin != expectedBegin || e.End < e.Begin || e.End - e.Begin != need)
            {
                throw new SafeTensorsException($"safetensors: '{source}' tensor '{e.Name}' has data_offsets [{e.Begin}, {e.End}) but expected to start at {expectedBegin} and hold {need} bytes for {e.Code} {Shapes.Str(e.Shape)}");
            }
            if (e.End > dataLen)
            {
                throw new SafeTensorsException($"safetensors: '{source}' is truncated: tensor '{e.Name}' ends at byte {e.End} of the data section, which has only {dataLen} bytes");
            }
            expectedBegin = e.End;
        }
        if (expectedBegin != dataLen)
        {
            throw new SafeTensorsException($"safetensors: '{source}' data section has {dataLen} bytes but the tensors cover {expectedBegin}");
        }

        var tensors = new OrderedDictionary<string, Tensor>();
        using var outside = TensorScopeOutside.Begin();
        using var noGrad = GradMode.NoGrad();
        foreach (var e in entries)
        {
            var span = bytes.AsSpan((int)(8 + headerLen + e.Begin), (int)(e.End - e.Begin));
            // Tensor.FromArray reads an empty shape as 1-D, so 0-d tensors are made 1-element and reshaped.
            var t = FromBytes(span, e.Code, e.Shape.Length == 0 ? new[] { 1 } : e.Shape);
            tensors[e.Name] = e.Shape.Length == 0 ? t.Reshape() : t;
        }
        return new SafeTensorsContent(tensors, metadata);
    }

    private static string DTypeCode(DType t) => t switch
    {
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        DType.Int64 => "I64",
        DType.Bool => "BOOL",
        _ => throw new ArgumentException($"safetensors: unsupported dtype {t}"),
    };

    private static DType ParseDType(string code, string name, string source) => code switch
    {
        "F32" or "F16" or "BF16" => DType.Float32,
        "F64" => DType.Float64,
        "I64" or "I32" or "I16" or "I8" or "U8" => DType.Int64,
        "BOOL" => DType.Bool,
        _ => throw new SafeTensorsException($"safetensors: '{source}' tensor '{name}' has unsupported dtype '{code}'"),
    };

    private static int ElementBytes(string code) => code switch
    {
        "F64" or "I64" => 8,
        "F32" or "I32" => 4,
        "F16" or "BF16" or "I16" => 2,
        _ => 1,
    };

    private static byte[] ToBytes(Tensor t)
    {
        // The data is little-endian; .NET on every supported platform here is little-endian too.
        switch (t.DType)
        {
            case DType.Float32:
                return MemoryMarshal.AsBytes(t.ToArray<float>().AsSpan()).ToArray();
            case DType.Float64:
                return MemoryMarshal.AsBytes(t.ToArray<double>().AsSpan()).ToArray();
            case DType.Int64:
                return MemoryMarshal.AsBytes(t.ToArray<long>().AsSpan()).ToArray();
            default:
                return t.ToArray<bool>().Select(b => b ? (byte)1 : (byte)0).ToArray();
        }
    }

    private static Tensor FromBytes(ReadOnlySpan<byte> b, string code, int[] shape)
    {
        switch (code)
        {
            case "F32":
                return Tensor.FromArray(MemoryMarshal.Cast<byte, float>(b).ToArray(), shape);
            case "F64":
                return Tensor.FromArray(MemoryMarshal.Cast<byte, double>(b).ToArray(), shape);
            case "I64":
                return Tensor.FromArray(MemoryMarshal.Cast<byte, long>(b).ToArray(), shape);
            case "F16":
                return Tensor.FromArray(MemoryMarshal.Cast<byte, Half>(b).ToArray().Select(h => (float)h).ToArray(), shape);
            case "BF16":
                return Tensor.FromArray(MemoryMarshal.Cast<byte, ushort>(b).ToArray().Select(u => BitConverter.Int32BitsToSingle(u << 16)).ToArray(), shape);
            case "I32":
                return Tensor.FromArray(MemoryMarshal.Cast<byte, int>(b).ToArray().Select(v => (long)v).ToArray(), shape);
            case "I16":
                return Tensor.FromArray(MemoryMarshal.Cast<byte, short>(b).ToArray().Select(v => (long)v).ToArray(), shape);
            case "I8":
                return Tensor.FromArray(MemoryMarshal.Cast<byte, sbyte>(b).ToArray().Select(v => (long)v).ToArray(), shape);
            case "U8":
                return Tensor.FromArray(b.ToArray().Select(v => (long)v).ToArray(), shape);
            default:
                return Tensor.FromArray(b.ToArray().Select(v => v != 0).ToArray(), shape);
        }
    }
}

/// <summary>Writes files atomically: to a temporary name in the same folder, then renamed over the target.</summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/>; readers see the old file or the new one, never a part.</summary>
    public static void Write(string path, byte[] bytes)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(tmp);
            }
            catch (IOException)
            {
                // Best effort: the temporary file is hidden and uniquely named.
            }
            throw;
        }
    }
}
