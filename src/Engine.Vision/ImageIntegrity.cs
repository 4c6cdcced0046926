using System.Buffers.Binary;

namespace Engine.Vision;

/// <summary>Detects truncated JPEG, BMP and GIF files, which ImageSharp 2 decodes leniently (filling the missing part).</summary>
/// <remarks>PNG needs no check here: ImageSharp rejects a PNG whose chunks are cut short.</remarks>
internal static class ImageIntegrity
{
    /// <summary>Null when the file looks complete, otherwise the reason it is not.</summary>
    public static string? FindTruncation(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 2 && b[0] == 0xFF && b[1] == 0xD8)
        {
            return CheckJpeg(b);
        }

        if (b.Length >= 2 && b[0] == (byte)'B' && b[1] == (byte)'M')
        {
            return CheckBmp(b);
        }

        if (b.Length >= 6 && b[0] == (byte)'G' && b[1] == (byte)'I' && b[2] == (byte)'F')
        {
            return CheckGif(b);
        }

        return null;
    }

    private static string? CheckJpeg(ReadOnlySpan<byte> b)
    {
        // Walk the marker segments up to the first start-of-scan, then require an end-of-image
        // marker after it. Inside entropy-coded data 0xFF is always followed by 0x00 or a restart
        // marker, so an FF D9 pair there is a real EOI.
        int pos = 2;
        while (true)
        {
            while (pos < b.Length && b[pos] == 0xFF)
            {
                pos++;
            }

            if (pos >= b.Length)
            {
                return "JPEG ends before its first scan";
            }

            byte marker = b[pos++];
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            {
                continue;
            }

            if (marker == 0xD9)
            {
                return "JPEG ends (EOI) before any scan";
            }

            if (pos + 2 > b.Length)
            {
                return "JPEG ends inside a segment header";
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(b[pos..]);
            if (length < 2 || pos + length > b.Length)
            {
                return $"JPEG segment 0xFF{marker:X2} declares {length} bytes past the end of the file";
            }

            pos += length;
            if (marker == 0xDA)
            {
                break;
            }
        }

        for (int i = pos; i + 1 < b.Length; i++)
        {
            if (b[i] == 0xFF && b[i + 1] == 0xD9)
            {
                return null;
            }
        }

        return "JPEG has no end-of-image marker (file cut short)";
    }

    private static string? CheckBmp(ReadOnlySpan<byte> b)
    {
        if (b.Length < 30)
        {
            return "BMP header is incomplete";
        }

        uint offset = BinaryPrimitives.ReadUInt32LittleEndian(b[10..]);
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(b[14..]);
        if (headerSize < 40 || b.Length < 14 + 40)
        {
            // Old OS/2 headers: leave them to the decoder.
            return null;
        }

        long width = BinaryPrimitives.ReadInt32LittleEndian(b[18..]);
        long height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(b[22..]));
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(b[28..]);
        uint compression = BinaryPrimitives.ReadUInt32LittleEndian(b[30..]);
        // Only uncompressed layouts (BI_RGB, BI_BITFIELDS) have a size fixed by the header.
        if ((compression != 0 && compression != 3) || width <= 0 || bits == 0)
        {
            return null;
        }

        long stride = ((width * bits) + 31) / 32 * 4;
        long needed = offset + (stride * height);
        return needed > b.Length
            ? $"BMP pixel data needs {needed} bytes but the file has {b.Length}"
            : null;
    }

    private static string? CheckGif(ReadOnlySpan<byte> b)
    {
        // Walk blocks until the first image's LZW sub-blocks end with their zero terminator.
        const int screenDescriptorEnd = 13;
        if (b.Length < screenDescriptorEnd)
        {
            return "GIF header is incomplete";
        }

        int pos = screenDescriptorEnd;
        byte flags = b[10];
        if ((flags & 0x80) != 0)
        {
            pos += 3 << ((flags & 0x07) + 1);
        }

        while (pos < b.Length)
        {
            byte introducer = b[pos++];
            if (introducer == 0x21)
            {
                pos++; // extension label
                if (!SkipSubBlocks(b, ref pos))
                {
                    return "GIF ends inside an extension block";
                }
            }
            else if (introducer == 0x2C)
            {
                if (pos + 9 > b.Length)
                {
                    return "GIF ends inside the first image descriptor";
                }

                byte imageFlags = b[pos + 8];
                pos += 9;
                if ((imageFlags & 0x80) != 0)
                {
                    pos += 3 << ((imageFlags & 0x07) + 1);
                }

                pos++; // LZW minimum code size
                return SkipSubBlocks(b, ref pos) ? null : "GIF ends inside the first frame's image data";
            }
            else
            {
                return introducer == 0x3B ? "GIF has no image frame" : $"GIF has an unknown block 0x{introducer:X2}";
            }
        }

        return "GIF ends before its first image";
    }

    private static bool SkipSubBlocks(ReadOnlySpan<byte> b, ref int pos)
    {
        while (pos < b.Length)
        {
            int size = b[pos++];
            if (size == 0)
            {
                return true;
            }

            pos += size;
        }

        return false;
    }
}
