using System.Buffers.Binary;
using NAudio.Wave;

namespace Engine.Audio.Io;

/// <summary>
/// Reads WAV files (PCM 8/16/24/32-bit, IEEE float 32/64-bit, plain or WAVE_FORMAT_EXTENSIBLE) into mono
/// float samples, averaging the channels. Scaling follows torchaudio.load: signed n-bit PCM is divided by
/// 2^(n-1), unsigned 8-bit is (b - 128) / 128.
/// </summary>
public static class WavReader
{
    /// <summary>Decodes the WAV file at <paramref name="path"/>; throws <see cref="AudioFormatException"/> naming the file on bad input.</summary>
    public static AudioClip Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AudioFormatException(path, $"cannot open: {e.Message}", e);
        }
        using (stream)
        {
            return Read(path, stream);
        }
    }

    /// <summary>Decodes a WAV stream (seekable); <paramref name="name"/> labels errors.</summary>
    public static AudioClip Read(string name, Stream stream)
    {
        var layout = WavLayout.Read(name, stream);
        long frames = layout.DataLength / layout.BlockAlign;
        if (frames > Array.MaxLength)
        {
            throw new AudioFormatException(name, $"too long: {frames} sample frames.");
        }
        var bytes = new byte[frames * layout.BlockAlign];
        stream.Position = 0;
        try
        {
            // NAudio walks the chunks again and positions us at the data; the sizes were already checked.
            using var reader = new WaveFileReader(stream);
            if (reader.WaveFormat.Channels != layout.Channels || reader.WaveFormat.SampleRate != layout.SampleRate)
            {
                throw new AudioFormatException(name, $"inconsistent header: NAudio reads {reader.WaveFormat.Channels} channels at {reader.WaveFormat.SampleRate} Hz, the fmt chunk says {layout.Channels} at {layout.SampleRate}.");
            }
            int read = reader.Read(bytes, 0, bytes.Length);
            if (read != bytes.Length)
            {
                throw new AudioFormatException(name, $"truncated: read {read} of {bytes.Length} data bytes.");
            }
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or EndOfStreamException or ArgumentException)
        {
            throw new AudioFormatException(name, $"unreadable WAV data: {e.Message}", e);
        }
        var samples = Decode(bytes, (int)frames, layout);
        return new AudioClip(samples, layout.SampleRate, layout.Channels, layout.BitsPerSample, layout.IsFloat);
    }

    private static float[] Decode(byte[] bytes, int frames, WavLayout layout)
    {
        int ch = layout.Channels, bps = layout.BitsPerSample / 8;
        var output = new float[frames];
        var span = bytes.AsSpan();
        double inv = 1.0 / ch;
        for (int f = 0; f < frames; f++)
        {
            double acc = 0;
            int at = f * layout.BlockAlign;
            for (int c = 0; c < ch; c++, at += bps)
            {
                acc += Sample(span.Slice(at, bps), layout);
            }
            output[f] = (float)(ch == 1 ? acc : acc * inv);
        }
        return output;
    }

    private static double Sample(ReadOnlySpan<byte> b, WavLayout layout)
    {
        if (layout.IsFloat)
        {
            return layout.BitsPerSample == 32 ? BinaryPrimitives.ReadSingleLittleEndian(b) : BinaryPrimitives.ReadDoubleLittleEndian(b);
        }
        return layout.BitsPerSample switch
        {
            8 => (b[0] - 128) / 128.0,
            16 => BinaryPrimitives.ReadInt16LittleEndian(b) / 32768.0,
            24 => ((b[0] | (b[1] << 8) | (b[2] << 16)) << 8 >> 8) / 8388608.0,
            _ => BinaryPrimitives.ReadInt32LittleEndian(b) / 2147483648.0,
        };
    }
}
