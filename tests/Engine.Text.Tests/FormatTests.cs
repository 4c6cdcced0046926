using System.Text;
using System.Text.Json;
using Engine.Text.Vectors;

namespace Engine.Text.Tests;

public class FormatTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = TestPaths.NewTempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static void AssertSameBits(WordVectors actual, WordVectors expected)
    {
        Assert.That(actual.Words, Is.EqualTo(expected.Words));
        Assert.That(actual.Dim, Is.EqualTo(expected.Dim));
        var a = actual.Data.Select(BitConverter.SingleToInt32Bits).ToArray();
        var e = expected.Data.Select(BitConverter.SingleToInt32Bits).ToArray();
        Assert.That(a, Is.EqualTo(e));
    }

    [TestCase(VectorFileFormat.Text)]
    [TestCase(VectorFileFormat.Binary)]
    public void RoundTripIsBitExact(VectorFileFormat format)
    {
        var v = InteropFixtures.Ours();
        var path = Path.Combine(_dir, format == VectorFileFormat.Text ? "v.txt" : "v.bin");
        Word2VecFormat.Save(v, path, format);
        Assert.That(Word2VecFormat.Detect(path), Is.EqualTo(format));
        AssertSameBits(Word2VecFormat.Load(path), v);
        AssertSameBits(Word2VecFormat.Load(path, format), v);
        // No temporary files are left behind.
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1));
    }

    [Test]
    public void CommittedFixturesAreWhatOurWriterProduces()
    {
        var v = InteropFixtures.Ours();
        var path = Path.Combine(_dir, "ours.txt");
        Word2VecFormat.Save(v, path, VectorFileFormat.Text);
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(File.ReadAllBytes(Path.Combine(TestPaths.Fixtures, "ours.txt"))));
        path = Path.Combine(_dir, "ours.bin");
        Word2VecFormat.Save(v, path, VectorFileFormat.Binary);
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(File.ReadAllBytes(Path.Combine(TestPaths.Fixtures, "ours.bin"))));
    }

    [Test]
    public void GensimReadOurFilesAsWeWroteThem()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Fixtures, "expected.json")));
        var ours = json.RootElement.GetProperty("ours");
        var v = InteropFixtures.Ours();
        Assert.That(ours.GetProperty("words").EnumerateArray().Select(w => w.GetString()), Is.EqualTo(v.Words));
        var gensimRows = ours.GetProperty("vectors").EnumerateArray().ToArray();
        for (int r = 0; r < v.Count; r++)
        {
            var row = gensimRows[r].EnumerateArray().Select(x => BitConverter.SingleToInt32Bits((float)x.GetDouble())).ToArray();
            var mine = v[r].ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
            Assert.That(row, Is.EqualTo(mine), $"row {r} ({v.Words[r]})");
        }
        foreach (var item in ours.GetProperty("similarity").EnumerateArray())
        {
            string a = item[0].GetString()!, b = item[1].GetString()!;
            Assert.That(v.Similarity(a, b), Is.EqualTo(item[2].GetDouble()).Within(1e-6), $"{a} ~ {b}");
        }
    }

    [TestCase("gensim.txt", "vectors_txt")]
    [TestCase("gensim.bin", "vectors_bin")]
    public void WeReadGensimFiles(string file, string key)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Fixtures, "expected.json")));
        var g = json.RootElement.GetProperty("gensim");
        var v = Word2VecFormat.Load(Path.Combine(TestPaths.Fixtures, file));
        Assert.That(v.Words, Is.EqualTo(g.GetProperty("words").EnumerateArray().Select(w => w.GetString())));
        var rows = g.GetProperty(key).EnumerateArray().ToArray();
        for (int r = 0; r < v.Count; r++)
        {
            Assert.That(v[r].ToArray(), Is.EqualTo(rows[r].EnumerateArray().Select(x => (float)x.GetDouble()).ToArray()), $"row {r}");
        }
        foreach (var entry in g.GetProperty("most_similar").EnumerateObject())
        {
            var expected = entry.Value.EnumerateArray().ToArray();
            var mine = v.MostSimilar(entry.Name, expected.Length);
            Assert.That(mine.Select(m => m.Word), Is.EqualTo(expected.Select(e => e[0].GetString())), $"most similar to {entry.Name}");
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.That(mine[i].Similarity, Is.EqualTo(expected[i][1].GetDouble()).Within(1e-5));
            }
        }
        foreach (var q in g.GetProperty("analogy").EnumerateArray())
        {
            Assert.That(v.Analogy(q[0].GetString()!, q[1].GetString()!, q[2].GetString()!), Is.EqualTo(q[3].GetString()));
        }
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    [Test]
    public void TextRowsThatDisagreeWithTheHeaderNameFileAndLine()
    {
        var fewer = Write("fewer.txt", "3 2\na 1 2\nb 3 4\n");
        Assert.That(() => Word2VecFormat.Load(fewer), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains(fewer).And.Message.Contains("line 3").And.Message.Contains("ends after 2 vectors").And.Message.Contains("promises 3"));
        var more = Write("more.txt", "1 2\na 1 2\nb 3 4\n");
        Assert.That(() => Word2VecFormat.Load(more), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains(more).And.Message.Contains("line 3").And.Message.Contains("more vectors"));
        var columns = Write("cols.txt", "2 3\na 1 2 3\nb 1 2\n");
        Assert.That(() => Word2VecFormat.Load(columns, VectorFileFormat.Text), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains(columns).And.Message.Contains("line 3").And.Message.Contains("found 2 numbers"));
        var nan = Write("nan.txt", "1 2\na 1 x\n");
        Assert.That(() => Word2VecFormat.Load(nan, VectorFileFormat.Text), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains("line 2").And.Message.Contains("'x', not a number"));
        var header = Write("header.txt", "hello world\na 1 2\n");
        Assert.That(() => Word2VecFormat.Load(header), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains(header).And.Message.Contains("line 1").And.Message.Contains("header"));
        var duplicate = Write("dup.txt", "2 1\na 1\na 2\n");
        Assert.That(() => Word2VecFormat.Load(duplicate), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains("line 3").And.Message.Contains("appears again"));
        var empty = Write("empty.txt", "");
        Assert.That(() => Word2VecFormat.Load(empty), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("empty"));
        // The C tool writes a trailing space after each row; that is fine.
        var trailing = Write("trailing.txt", "1 2\na 1 2 \n");
        Assert.That(Word2VecFormat.Load(trailing)[0].ToArray(), Is.EqualTo(new[] { 1f, 2f }));
    }

    [Test]
    public void BinaryRowsThatDisagreeWithTheHeaderNameFileAndLine()
    {
        var v = InteropFixtures.Ours();
        var good = Path.Combine(_dir, "good.bin");
        Word2VecFormat.Save(v, good, VectorFileFormat.Binary);
        var bytes = File.ReadAllBytes(good);

        var truncated = Path.Combine(_dir, "truncated.bin");
        File.WriteAllBytes(truncated, bytes[..^30]);
        Assert.That(() => Word2VecFormat.Load(truncated, VectorFileFormat.Binary), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains(truncated).And.Message.Contains($"line {v.Count + 1} (vector {v.Count} of {v.Count}").And.Message.Contains("truncated"));

        var headerTooBig = Path.Combine(_dir, "toobig.bin");
        File.WriteAllBytes(headerTooBig, [.. Encoding.ASCII.GetBytes($"{v.Count + 1} {v.Dim}"), .. bytes.AsSpan(bytes.AsSpan().IndexOf((byte)'\n'))]);
        Assert.That(() => Word2VecFormat.Load(headerTooBig, VectorFileFormat.Binary), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains(headerTooBig).And.Message.Contains($"ends after {v.Count} vectors"));

        var headerTooSmall = Path.Combine(_dir, "toosmall.bin");
        File.WriteAllBytes(headerTooSmall, [.. Encoding.ASCII.GetBytes($"{v.Count - 1} {v.Dim}"), .. bytes.AsSpan(bytes.AsSpan().IndexOf((byte)'\n'))]);
        Assert.That(() => Word2VecFormat.Load(headerTooSmall, VectorFileFormat.Binary), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains(headerTooSmall).And.Message.Contains($"line {v.Count + 1}").And.Message.Contains("more bytes after"));

        var badUtf8 = Path.Combine(_dir, "badword.bin");
        File.WriteAllBytes(badUtf8, [.. "1 1\n"u8, 0xC3, 0x28, (byte)' ', 0, 0, 128, 63]);
        Assert.That(() => Word2VecFormat.Load(badUtf8, VectorFileFormat.Binary), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains("line 2").And.Message.Contains("invalid UTF-8"));
    }

    [Test]
    public void WordsTheFormatCannotHoldAreRejectedOnSave()
    {
        var v = new WordVectors(["new york"], 1, [1f]);
        Assert.That(() => Word2VecFormat.Save(v, Path.Combine(_dir, "x.bin"), VectorFileFormat.Binary),
            Throws.ArgumentException.With.Message.Contains("new york"));
        Assert.That(Directory.GetFiles(_dir), Is.Empty);
    }
}
