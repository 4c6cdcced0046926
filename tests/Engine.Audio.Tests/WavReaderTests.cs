using System.Buffers.Binary;
using System.Text;
using Engine.Audio.Io;

namespace Engine.Audio.Tests;

public class WavReaderTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "engine-audio-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>Every fixture clip decodes to torchaudio.load's samples (channels averaged).</summary>
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.Named), new object?[] { "decode", null })]
    public void DecodesLikeTorchaudio(string name)
    {
        var c = Fixtures.Case(name);
        var clip = WavReader.Read(Fixtures.Audio(c.GetProperty("file").GetString()!));
        var head = Fixtures.Data(c);
        Assert.Multiple(() =>
        {
            Assert.That(clip.SampleRate, Is.EqualTo(c.GetProperty("sample_rate").GetInt32()));
            Assert.That(clip.Channels, Is.EqualTo(c.GetProperty("channels").GetInt32()));
            Assert.That(clip.Samples, Has.Length.EqualTo(c.GetProperty("length").GetInt32()));
            // sox (inside torchaudio.load) rounds 32-bit and float input by up to one float32 step differently.
            Assert.That(clip.Samples.Take(head.Length), Is.EqualTo(head).Within(6e-8));
            double sum = clip.Samples.Sum(v => (double)v), sumSq = clip.Samples.Sum(v => (double)v * v);
            double sumAbs = clip.Samples.Sum(v => Math.Abs((double)v));
            Assert.That(sum, Is.EqualTo(c.GetProperty("sum").GetDouble()).Within(1e-4));
            Assert.That(sumAbs, Is.EqualTo(c.GetProperty("sum_abs").GetDouble()).Within(1e-6 * clip.Samples.Length));
            Assert.That(sumSq, Is.EqualTo(c.GetProperty("sum_sq").GetDouble()).Within(1e-6 * clip.Samples.Length));
        });
    }

    [Test]
    public void FormatsAreReportedAndAgree()
    {
        var s16 = WavReader.Read(Fixtures.Audio("sweep_s16.wav"));
        foreach (var (file, bits, isFloat) in new[] { ("sweep_s24.wav", 24, false), ("sweep_s32.wav", 32, false),
                     ("sweep_f32.wav", 32, true), ("sweep_f64.wav", 64, true), ("sweep_u8.wav", 8, false),
                     ("sweep_s16_tail_chunks.wav", 16, false) })
        {
            var clip = WavReader.Read(Fixtures.Audio(file));
            Assert.That((clip.BitsPerSample, clip.IsFloat), Is.EqualTo((bits, isFloat)), file);
            // The same synthesized sweep in every format: samples agree to the coarser quantisation.
            double tol = bits == 8 ? 1.0 / 64 : 1.0 / 16384;
            Assert.That(clip.Samples, Is.EqualTo(s16.Samples).Within(tol), file);
        }
    }

    [Test]
    public void ChunksAfterDataAreSkipped()
    {
        var plain = WavReader.Read(Fixtures.Audio("sweep_s16.wav"));
        var tagged = WavReader.Read(Fixtures.Audio("sweep_s16_tail_chunks.wav"));
        Assert.That(tagged.Samples, Is.EqualTo(plain.Samples));
    }

    [Test]
    public void StereoIsAveraged()
    {
        var clip = WavReader.Read(Fixtures.Audio("stereo_s16.wav"));
        var bytes = File.ReadAllBytes(Fixtures.Audio("stereo_s16.wav"));
        int data = IndexOf(bytes, "data") + 8;
        for (int i = 0; i < 50; i++)
        {
            short l = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(data + 4 * i));
            short r = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(data + 4 * i + 2));
            Assert.That(clip.Samples[i], Is.EqualTo((l + r) / 65536.0).Within(1e-7));
        }
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Wav(int formatTag = 1, int channels = 1, int rate = 8000, int bits = 16, uint? dataSize = null, int dataBytes = 64)
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        w.Write(Encoding.ASCII.GetBytes("RIFF"));
        w.Write(0u);
        w.Write(Encoding.ASCII.GetBytes("WAVEfmt "));
        w.Write(16u);
        w.Write((ushort)formatTag);
        w.Write((ushort)channels);
        w.Write(rate);
        w.Write(rate * channels * bits / 8);
        w.Write((ushort)(channels * bits / 8));
        w.Write((ushort)bits);
        w.Write(Encoding.ASCII.GetBytes("data"));
        w.Write(dataSize ?? (uint)dataBytes);
        w.Write(new byte[dataBytes]);
        w.Flush();
        var bytes = ms.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(bytes.Length - 8));
        return bytes;
    }

    private static int IndexOf(byte[] bytes, string tag)
    {
        var t = Encoding.ASCII.GetBytes(tag);
        return bytes.AsSpan().IndexOf(t);
    }

    private void AssertFails(string path, string problem)
    {
        var e = Assert.Throws<AudioFormatException>(() => WavReader.Read(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain(problem));
    }

    [Test]
    public void EmptyFile() => AssertFails(Write("empty.wav", []), "empty");

    [Test]
    public void TooShortForHeader() => AssertFails(Write("short.wav", Encoding.ASCII.GetBytes("RIFF")), "truncated");

    [Test]
    public void NotAWav() => AssertFails(Write("text.wav", Encoding.ASCII.GetBytes("hello, this is plainly not audio at all")), "not a WAV file");

    [Test]
    public void UnsupportedCodec() => AssertFails(Write("adpcm.wav", Wav(formatTag: 2, bits: 4)), "unsupported codec");

    [Test]
    public void UnsupportedBitDepth() => AssertFails(Write("s12.wav", Wav(bits: 12)), "unsupported sample format");

    [Test]
    public void TruncatedData()
    {
        var bytes = Wav(dataBytes: 400);
        AssertFails(Write("cut.wav", bytes[..200]), "truncated");
    }

    [Test]
    public void MissingDataChunk()
    {
        var bytes = Wav();
        AssertFails(Write("nodata.wav", bytes[..36]), "no 'data' chunk");
    }

    [Test]
    public void AbsurdDataSizeFailsWithoutAllocating()
    {
        // A 1 KB file whose data chunk claims 4 GB.
        string path = Write("huge.wav", Wav(dataSize: 0xFFFFFFF0u, dataBytes: 1000));
        long before = GC.GetAllocatedBytesForCurrentThread();
        AssertFails(path, "claims 4294967280 bytes");
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1 << 20));
    }

    [Test]
    public void MissingFileNamesThePath() => AssertFails(Path.Combine(_dir, "nope.wav"), "cannot open");

    [Test]
    public void Rf64IsRejectedClearly()
    {
        var bytes = Wav();
        Encoding.ASCII.GetBytes("RF64").CopyTo(bytes, 0);
        AssertFails(Write("rf64.wav", bytes), "RF64");
    }

    [Test]
    public void OddSizedChunkBeforeDataIsPadded()
    {
        var plain = Wav(dataBytes: 8);
        // Insert a 3-byte 'junk' chunk (plus pad byte) before 'data'.
        int data = IndexOf(plain, "data");
        var junk = new byte[] { (byte)'j', (byte)'u', (byte)'n', (byte)'k', 3, 0, 0, 0, 1, 2, 3, 0 };
        var bytes = plain[..data].Concat(junk).Concat(plain[data..]).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(bytes.Length - 8));
        var clip = WavReader.Read(Write("junk.wav", bytes));
        Assert.That(clip.Samples, Has.Length.EqualTo(4));
    }
}
