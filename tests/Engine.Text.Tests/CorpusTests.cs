using System.Text;
using Engine.Text.Corpus;

namespace Engine.Text.Tests;

public class CorpusTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = TestPaths.NewTempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void FolderIsReadRecursivelyInOrderOneSentencePerLine()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "b"));
        File.WriteAllText(Path.Combine(_dir, "b", "2.txt"), "the cat sat\r\non the mat\n");
        File.WriteAllText(Path.Combine(_dir, "1.txt"), "The dog. The cat!\n\n");
        File.WriteAllText(Path.Combine(_dir, "skip.md"), "not read");
        var raw = CorpusLoader.Load(_dir);
        Assert.That(raw.Files, Has.Count.EqualTo(2));
        Assert.That(raw.SentenceCount, Is.EqualTo(3));
        Assert.That(raw.Words, Is.EqualTo(new[] { "the", "dog", "cat", "sat", "on", "mat" }));
        Assert.That(raw.Counts, Is.EqualTo(new long[] { 4, 1, 2, 1, 1, 1 }));
    }

    [Test]
    public void LongLinesAreCutIntoSentences()
    {
        var raw = CorpusLoader.FromLines([string.Join(' ', Enumerable.Repeat("a b c", 10))], new CorpusOptions { MaxSentenceLength = 7 });
        Assert.That(raw.SentenceCount, Is.EqualTo(5));
        Assert.That(raw.SentenceStarts, Is.EqualTo(new[] { 0, 7, 14, 21, 28, 30 }));
    }

    [Test]
    public void VocabularyAppliesMinCountAndSortsByCountThenFirstAppearance()
    {
        var raw = CorpusLoader.FromLines(["x y z y z w", "z q q x"]);
        var vocab = Vocabulary.Build(raw, minCount: 2);
        Assert.That(vocab.Words, Is.EqualTo(new[] { "z", "x", "y", "q" }));
        Assert.That(vocab.Counts, Is.EqualTo(new long[] { 3, 2, 2, 2 }));
        var corpus = TrainingCorpus.Encode(raw, vocab);
        // "w" is dropped; raw lengths still count it.
        Assert.That(corpus.Tokens, Is.EqualTo(new[] { 1, 2, 0, 2, 0, 0, 3, 3, 1 }));
        Assert.That(corpus.RawSentenceLengths, Is.EqualTo(new[] { 6, 4 }));
        Assert.That(corpus.RawTokenCount, Is.EqualTo(10));
        Assert.That(() => Vocabulary.Build(raw, minCount: 4), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("at least 4 times"));
    }

    [Test]
    public void EmptyCorpusIsAClearError()
    {
        var empty = Path.Combine(_dir, "empty.txt");
        File.WriteAllText(empty, "");
        Assert.That(() => CorpusLoader.Load(empty), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains(empty).And.Message.Contains("no tokens"));
        File.WriteAllText(empty, "123 456 ... !!!\n\n");
        Assert.That(() => CorpusLoader.Load(_dir), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("no tokens"));
        var noText = Path.Combine(_dir, "sub");
        Directory.CreateDirectory(noText);
        Assert.That(() => CorpusLoader.Load(noText), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("no .txt files"));
        Assert.That(() => CorpusLoader.Load(Path.Combine(_dir, "missing")), Throws.InstanceOf<FileNotFoundException>());
    }

    [Test]
    public void BinaryFileIsRejectedWithFileAndLine()
    {
        var path = Path.Combine(_dir, "blob.txt");
        File.WriteAllBytes(path, [.. "line one\nline two\nab"u8, 0, 1, 2, 0xFF, .. "\n"u8]);
        Assert.That(() => CorpusLoader.Load(path), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains(path).And.Message.Contains("line 3, column 3").And.Message.Contains("binary"));
    }

    [Test]
    public void ManyControlBytesWithoutNulAreBinaryButOneStrayByteIsNot()
    {
        var path = Path.Combine(_dir, "ctl.txt");
        var bytes = new byte[400];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i % 3 == 0 ? 0x01 : 'a');
        }
        File.WriteAllBytes(path, bytes);
        Assert.That(() => CorpusLoader.Load(path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("binary"));
        File.WriteAllBytes(path, [.. "a stray \u0002 control byte\n"u8]);
        Assert.That(CorpusLoader.Load(path).TokenCount, Is.EqualTo(4));
    }

    [Test]
    public void NonUtf8FileIsRejectedWithFileAndLineUnlessLatin1IsAllowed()
    {
        var path = Path.Combine(_dir, "latin1.txt");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes("first line\nthe caf\u00e9 is open\n"));
        Assert.That(() => CorpusLoader.Load(path), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains(path).And.Message.Contains("line 2, column 8").And.Message.Contains("0xE9").And.Message.Contains("UTF-8"));
        var warnings = new List<string>();
        var raw = CorpusLoader.Load(path, new CorpusOptions { AllowLatin1Fallback = true, Warning = warnings.Add });
        Assert.That(raw.Words, Does.Contain("café"));
        Assert.That(warnings, Has.Count.EqualTo(1));
        Assert.That(warnings[0], Does.Contain("ISO-8859-1"));
    }

    [Test]
    public void Utf8BomIsSkipped()
    {
        var path = Path.Combine(_dir, "bom.txt");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "Hello world\n"u8]);
        Assert.That(CorpusLoader.Load(path).Words, Is.EqualTo(new[] { "hello", "world" }));
    }
}
