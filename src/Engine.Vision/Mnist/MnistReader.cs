using System.Buffers.Binary;
using System.IO.Compression;

namespace Engine.Vision.Mnist;

/// <summary>Reads MNIST-style IDX files (images: magic 0x00000803, labels: 0x00000801), gzip'ed or not.</summary>
/// <remarks>
/// Gzip is recognised by its magic bytes (1F 8B), not by the file name. The header sizes are checked
/// against the data actually present: a truncated file or one with trailing bytes is an error.
/// </remarks>
public static class MnistReader
{
    /// <summary>The IDX magic number of an unsigned-byte 3-D array (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>The IDX magic number of an unsigned-byte 1-D array (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    // Far above any real IDX set (MNIST train is 47 MB), small enough to refuse a hostile header early.
    private const long MaxBytes = 1L << 31;

    /// <summary>Reads an IDX image file.</summary>
    /// <exception cref="InvalidDataException">Wrong magic number, bad sizes, truncated or oversized data; the message names the file.</exception>
    public static MnistImages ReadImages(string path)
    {
        byte[] data = ReadAll(path);
        const int header = 16;
        if (data.Length < header)
        {
            throw new InvalidDataException(
                $"MNIST: '{path}' is {data.Length} bytes, too short for a {header}-byte IDX image header.");
        }

        int magic = BinaryPrimitives.ReadInt32BigEndian(data);
        if (magic != ImagesMagic)
        {
            throw new InvalidDataException(
                $"MNIST: '{path}' has magic number 0x{magic:X8}, expected 0x{ImagesMagic:X8} (images)"
                + (magic == LabelsMagic ? "; this is a label file." : "."));
        }

        int count = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
        int rows = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(8));
        int cols = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(12));
        if (count < 0 || rows <= 0 || cols <= 0)
        {
            throw new InvalidDataException(
                $"MNIST: '{path}' declares count={count}, rows={rows}, columns={cols}; all must be positive.");
        }

        long expected = (long)count * rows * cols;
        CheckPayload(path, data.Length - header, expected, $"{count} images of {rows}x{cols}");
        return new MnistImages(count, rows, cols, data.AsSpan(header).ToArray());
    }

    /// <summary>Reads an IDX label file.</summary>
    /// <exception cref="InvalidDataException">Wrong magic number, truncated or oversized data; the message names the file.</exception>
    public static byte[] ReadLabels(string path)
    {
        byte[] data = ReadAll(path);
        const int header = 8;
        if (data.Length < header)
        {
            throw new InvalidDataException(
                $"MNIST: '{path}' is {data.Length} bytes, too short for an {header}-byte IDX label header.");
        }

        int magic = BinaryPrimitives.ReadInt32BigEndian(data);
        if (magic != LabelsMagic)
        {
            throw new InvalidDataException(
                $"MNIST: '{path}' has magic number 0x{magic:X8}, expected 0x{LabelsMagic:X8} (labels)"
                + (magic == ImagesMagic ? "; this is an image file." : "."));
        }

        int count = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
        if (count < 0)
        {
            throw new InvalidDataException($"MNIST: '{path}' declares a negative label count {count}.");
        }

        CheckPayload(path, data.Length - header, count, $"{count} labels");
        return data.AsSpan(header).ToArray();
    }

    /// <summary>Reads an image file and its label file, checking that their counts agree.</summary>
    public static (MnistImages Images, byte[] Labels) Read(string imagesPath, string labelsPath)
    {
        MnistImages images = ReadImages(imagesPath);
        byte[] labels = ReadLabels(labelsPath);
        if (labels.Length != images.Count)
        {
            throw new InvalidDataException(
                $"MNIST: '{imagesPath}' holds {images.Count} images but '{labelsPath}' holds {labels.Length} labels.");
        }

        return (images, labels);
    }

    /// <summary>Reads <c>{prefix}-images-idx3-ubyte[.gz]</c> and <c>{prefix}-labels-idx1-ubyte[.gz]</c> from <paramref name="directory"/> (prefix e.g. "t10k", "train").</summary>
    public static (MnistImages Images, byte[] Labels) ReadSet(string directory, string prefix)
        => Read(
            FindIdx(directory, $"{prefix}-images-idx3-ubyte"),
            FindIdx(directory, $"{prefix}-labels-idx1-ubyte"));

    private static string FindIdx(string directory, string stem)
    {
        foreach (string name in new[] { stem + ".gz", stem })
        {
            string p = Path.Combine(directory, name);
            if (File.Exists(p))
            {
                return p;
            }
        }

        throw new FileNotFoundException(
            $"MNIST: neither '{stem}.gz' nor '{stem}' exists in '{directory}'.", Path.Combine(directory, stem));
    }

    private static void CheckPayload(string path, long actual, long expected, string what)
    {
        if (actual < expected)
        {
            throw new InvalidDataException(
                $"MNIST: '{path}' is truncated: header declares {what} ({expected} bytes) but only {actual} bytes follow.");
        }

        if (actual > expected)
        {
            throw new InvalidDataException(
                $"MNIST: '{path}' has {actual - expected} unexpected trailing bytes after {what}.");
        }
    }

    private static byte[] ReadAll(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"MNIST: file '{path}' does not exist.", path);
        }

        byte[] raw = File.ReadAllBytes(path);
        if (raw.Length < 2 || raw[0] != 0x1F || raw[1] != 0x8B)
        {
            return raw;
        }

        try
        {
            using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[81920];
            int n;
            while ((n = gz.Read(buffer, 0, buffer.Length)) > 0)
            {
                output.Write(buffer, 0, n);
                if (output.Length > MaxBytes)
                {
                    throw new InvalidDataException($"MNIST: '{path}' decompresses to more than {MaxBytes} bytes.");
                }
            }

            return output.ToArray();
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("MNIST:", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"MNIST: '{path}' is not valid gzip data: {e.Message}", e);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"MNIST: '{path}' is a truncated gzip stream: {e.Message}", e);
        }
    }
}
