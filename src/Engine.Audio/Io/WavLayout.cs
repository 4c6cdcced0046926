using System.Buffers.Binary;

namespace Engine.Audio.Io;

/// <summary>
/// The chunk layout of a RIFF/WAVE file, checked against the file's real length before any sample is read:
/// every chunk must fit in the file, so a header that claims gigabytes fails here instead of allocating them.
/// </summary>
internal sealed record WavLayout(int FormatTag, int Channels, int SampleRate, int BlockAlign, int BitsPerSample,
    long DataOffset, long DataLength)
{
    public const int Pcm = 1;
    public const int IeeeFloat = 3;
    public const int Extensible = 0xFFFE;

    public bool IsFloat => FormatTag == IeeeFloat;

    public static WavLayout Read(string path, Stream s)
    {
        long length = s.Length;
        if (length == 0)
        {
            throw new AudioFormatException(path, "the file is empty (0 bytes).");
        }
        Span<byte> head = stackalloc byte[12];
        if (length < 12 || s.ReadAtLeast(head, 12, throwOnEndOfStream: false) < 12)
        {
            throw new AudioFormatException(path, $"truncated: {length} bytes is shorter than a 12-byte RIFF header.");
        }
        string riff = Ascii(head[..4]);
        if (riff == "RF64" || riff == "BW64")
        {
            throw new AudioFormatException(path, $"unsupported container {riff} (64-bit RIFF); only RIFF/WAVE is read.");
        }
        if (riff != "RIFF" || Ascii(head.Slice(8, 4)) != "WAVE")
        {
            throw new AudioFormatException(path, $"not a WAV file: starts with '{Printable(head[..4])}'...'{Printable(head.Slice(8, 4))}', expected 'RIFF'...'WAVE'.");
        }
        long pos = 12;
        byte[]? fmt = null;
        long dataOffset = -1, dataLength = 0;
        Span<byte> ch = stackalloc byte[8];
        while (pos + 8 <= length)
        {
            s.Position = pos;
            s.ReadExactly(ch);
            string id = Ascii(ch[..4]);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(ch[4..]);
            long remaining = length - pos - 8;
            if (size > remaining)
            {
                string what = id == "data" ? "truncated or corrupt" : "corrupt";
                throw new AudioFormatException(path, $"{what}: chunk '{Printable(ch[..4])}' at byte {pos} claims {size} bytes but only {remaining} remain in the {length}-byte file.");
            }
            if (id == "fmt ")
            {
                if (size < 16 || size > 4096)
                {
                    throw new AudioFormatException(path, $"corrupt: 'fmt ' chunk has {size} bytes (expected 16 to 4096).");
                }
                fmt = new byte[size];
                s.ReadExactly(fmt);
            }
            else if (id == "data" && dataOffset < 0)
            {
                dataOffset = pos + 8;
                dataLength = size;
            }
            // Chunks are word aligned: an odd size is followed by a pad byte.
            pos += 8 + size + (size & 1);
        }
        if (fmt is null)
        {
            throw new AudioFormatException(path, dataOffset < 0 ? "truncated or not a WAV file: no 'fmt ' and no 'data' chunk." : "corrupt: no 'fmt ' chunk.");
        }
        if (dataOffset < 0)
        {
            throw new AudioFormatException(path, "truncated: no 'data' chunk.");
        }
        return FromFormat(path, fmt, dataOffset, dataLength);
    }

    private static WavLayout FromFormat(string path, byte[] fmt, long dataOffset, long dataLength)
    {
        int tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt.AsSpan(2));
        long rate = BinaryPrimitives.ReadUInt32LittleEndian(fmt.AsSpan(4));
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt.AsSpan(12));
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt.AsSpan(14));
        int effective = tag;
        if (tag == Extensible)
        {
            if (fmt.Length < 40)
            {
                throw new AudioFormatException(path, $"corrupt: WAVE_FORMAT_EXTENSIBLE needs a 40-byte 'fmt ' chunk, got {fmt.Length}.");
            }
            // The sub-format GUID starts with the ordinary format code.
            effective = BinaryPrimitives.ReadUInt16LittleEndian(fmt.AsSpan(24));
        }
        if (effective != Pcm && effective != IeeeFloat)
        {
            throw new AudioFormatException(path, $"unsupported codec: format tag 0x{effective:X4} ({CodecName(effective)}); only PCM and IEEE float are read.");
        }
        if (channels < 1 || channels > 256)
        {
            throw new AudioFormatException(path, $"corrupt: {channels} channels.");
        }
        if (rate < 1 || rate > 1_000_000)
        {
            throw new AudioFormatException(path, $"corrupt: sample rate {rate} Hz.");
        }
        bool ok = effective == Pcm ? bits is 8 or 16 or 24 or 32 : bits is 32 or 64;
        if (!ok)
        {
            throw new AudioFormatException(path, $"unsupported sample format: {bits}-bit {(effective == Pcm ? "PCM" : "float")}.");
        }
        if (blockAlign != channels * bits / 8)
        {
            throw new AudioFormatException(path, $"corrupt: block align {blockAlign} does not match {channels} channels of {bits} bits.");
        }
        return new WavLayout(effective, channels, (int)rate, blockAlign, bits, dataOffset, dataLength);
    }

    private static string CodecName(int tag) => tag switch
    {
        0x0002 => "Microsoft ADPCM",
        0x0006 => "A-law",
        0x0007 => "mu-law",
        0x0011 => "IMA ADPCM",
        0x0031 => "GSM 6.10",
        0x0055 => "MPEG layer 3",
        0x0160 or 0x0161 or 0x0162 => "Windows Media Audio",
        0x00FF or 0x1610 => "AAC",
        _ => "unknown",
    };

    private static string Ascii(ReadOnlySpan<byte> b) => System.Text.Encoding.ASCII.GetString(b);

    private static string Printable(ReadOnlySpan<byte> b)
    {
        var chars = new char[b.Length];
        for (int i = 0; i < b.Length; i++)
        {
            chars[i] = b[i] is >= 32 and < 127 ? (char)b[i] : '?';
        }
        return new string(chars);
    }
}
