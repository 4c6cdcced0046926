using System.Buffers.Binary;
using System.Text;
using Engine.Vision.AvMnist;
using NUnit.Framework;

namespace Engine.Vision.Tests;

/// <summary>Checks the committed built-in sample in src/Engine.Cli/SampleData.</summary>
public class SampleDataTests
{
    private static readonly string[] Words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    private static string SampleDir()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Engine.sln")))
            {
                return Path.Combine(dir.FullName, "src", "Engine.Cli", "SampleData");
            }
        }

        Assert.Fail("repository root (Engine.sln) not found above the test directory");
        return string.Empty;
    }

    // Minimal RFC 4180 reader: commas, double quotes, "" escapes; no newlines inside fields in this data.
    private static List<string[]> ReadCsv(string path)
    {
        var rows = new List<string[]>();
        foreach (string line in File.ReadAllLines(path, Encoding.UTF8))
        {
            var fields = new List<string>();
            var sb = new StringBuilder();
            bool quoted = false;
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                    {
                        sb.Append('"');
                        i++;
                    }
                    else if (c == '"')
                    {
                        quoted = false;
                    }
                    else
                    {
                        sb.Append(c);
                    }
                }
                else if (c == '"')
                {
                    quoted = true;
                }
                else if (c == ',')
                {
                    fields.Add(sb.ToString());
                    sb.Clear();
                }
                else
                {
                    sb.Append(c);
                }
            }

            Assert.That(quoted, Is.False, $"unterminated quote in {path}: {line}");
            fields.Add(sb.ToString());
            rows.Add([.. fields]);
        }

        return rows;
    }

    private static (int Rate, int Channels, int Bits, int DataBytes) WavFormat(string path)
    {
        byte[] b = File.ReadAllBytes(path);
        Assert.That(Encoding.ASCII.GetString(b, 0, 4) + Encoding.ASCII.GetString(b, 8, 4), Is.EqualTo("RIFFWAVE"), path);
        int pos = 12, rate = 0, channels = 0, bits = 0, data = -1;
        while (pos + 8 <= b.Length)
        {
            string id = Encoding.ASCII.GetString(b, pos, 4);
            int size = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(pos + 4));
            if (id == "fmt ")
            {
                channels = BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(pos + 10));
                rate = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(pos + 12));
                bits = BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(pos + 22));
            }
            else if (id == "data")
            {
                data = size;
            }

            pos += 8 + size + (size & 1);
        }

        return (rate, channels, bits, data);
    }

    [TestCase("train", 600)]
    [TestCase("test", 200)]
    public void Manifest_IsWellFormed_Balanced_AndPointsAtReadableFiles(string split, int expectedRows)
    {
        string dir = SampleDir();
        List<string[]> rows = ReadCsv(Path.Combine(dir, split + ".csv"));
        Assert.That(rows[0], Is.EqualTo(new[] { "id", "label", "image", "audio", "text" }));
        rows.RemoveAt(0);
        Assert.That(rows, Has.Count.EqualTo(expectedRows));
        IReadOnlyList<string> speakers = split == "train" ? AvMnistPairing.TrainSpeakers : AvMnistPairing.TestSpeakers;
        var perLabel = new int[10];
        int empty = 0, namesLabel = 0, numerals = 0;
        foreach (string[] r in rows)
        {
            Assert.That(r, Has.Length.EqualTo(5), string.Join("|", r));
            Assert.That(r[0], Does.StartWith(split + "_"));
            int label = int.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(label, Is.InRange(0, 9));
            perLabel[label]++;

            ImageData img = ImageReader.Read(Path.Combine(dir, r[2]), ColorMode.Grayscale);
            Assert.That(img.Shape, Is.EqualTo((1, 28, 28)), r[2]);
            Assert.That(img.Data.Sum(), Is.GreaterThan(10f), $"{r[2]} has ink");

            FsddRecording rec = FsddRecording.Parse(r[3]);
            Assert.That(rec.Digit, Is.EqualTo(label), $"{r[0]}: audio digit matches the label");
            Assert.That(speakers, Does.Contain(rec.Speaker), $"{r[0]}: speaker belongs to the {split} split");
            (int rate, int channels, int bits, int dataBytes) = WavFormat(Path.Combine(dir, r[3]));
            Assert.That((rate, channels, bits), Is.EqualTo((8000, 1, 16)), r[3]);
            Assert.That(dataBytes, Is.GreaterThan(8000 / 10 * 2), $"{r[3]} lasts over 0.1 s");

            string text = r[4];
            empty += text.Length == 0 ? 1 : 0;
            string[] tokens = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            namesLabel += tokens.Contains(Words[label]) || tokens.Contains(r[1]) ? 1 : 0;
            numerals += tokens.Any(t => t.Length == 1 && char.IsAsciiDigit(t[0])) ? 1 : 0;
        }

        Assert.That(perLabel, Is.All.EqualTo(expectedRows / 10), "balanced classes");
        Assert.That(rows.Select(r => r[0]).Distinct().Count(), Is.EqualTo(expectedRows), "unique ids");
        Assert.That(rows.Select(r => r[3]).Distinct().Count(), Is.EqualTo(expectedRows), "every recording used once");
        // The text is informative but imperfect: some empty, most name the label, few are numerals.
        Assert.That(empty, Is.InRange(expectedRows / 20, expectedRows / 5));
        Assert.That(namesLabel, Is.InRange(expectedRows * 2 / 5, expectedRows * 4 / 5));
        Assert.That(numerals, Is.GreaterThan(0).And.LessThan(expectedRows / 5));
    }

    [Test]
    public void Folder_HoldsOnlyReferencedFiles_AndItsLicences()
    {
        string dir = SampleDir();
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (string split in new[] { "train", "test" })
        {
            foreach (string[] r in ReadCsv(Path.Combine(dir, split + ".csv")).Skip(1))
            {
                referenced.Add(r[2]);
                referenced.Add(r[3]);
            }
        }

        string[] onDisk = Directory.GetFiles(Path.Combine(dir, "images")).Concat(Directory.GetFiles(Path.Combine(dir, "audio")))
            .Select(p => Path.GetRelativePath(dir, p).Replace('\\', '/')).ToArray();
        Assert.That(onDisk, Is.EquivalentTo(referenced));
        long bytes = Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Sum(p => new FileInfo(p).Length);
        Assert.That(bytes, Is.LessThan(6_500_000), "the sample stays small");

        string licence = File.ReadAllText(Path.Combine(dir, "LICENSE.txt"));
        Assert.That(licence, Does.Contain("CC BY-SA 4.0").And.Contain("CC BY-SA 3.0").And.Contain("Free Spoken Digit Dataset").And.Contain("MNIST"));
        Assert.That(File.Exists(Path.Combine(dir, "README.md")), Is.True);
    }

    [Test]
    public void TrainAndTestSpeakers_DoNotOverlap()
    {
        string dir = SampleDir();
        HashSet<string> Speakers(string split) =>
            ReadCsv(Path.Combine(dir, split + ".csv")).Skip(1).Select(r => FsddRecording.Parse(r[3]).Speaker).ToHashSet();
        HashSet<string> train = Speakers("train"), test = Speakers("test");
        Assert.That(train, Is.EquivalentTo(AvMnistPairing.TrainSpeakers));
        Assert.That(test, Is.EquivalentTo(AvMnistPairing.TestSpeakers));
        Assert.That(train.Overlaps(test), Is.False);
    }
}
