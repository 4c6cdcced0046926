using Engine.Audio.Features;

namespace Engine.Audio.Tests;

public class MfccBatchTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "engine-mfcc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void CsvRoundTripsWithHeader()
    {
        var f = new float[,] { { 1.5f, -2.25f, 1e-7f }, { float.MaxValue, 0f, -0.1f } };
        string path = Path.Combine(_dir, "sub", "x.csv");
        MfccCsv.Write(path, f);
        var lines = File.ReadAllLines(path);
        Assert.That(lines[0], Is.EqualTo("c0,c1,c2"));
        Assert.That(lines, Has.Length.EqualTo(3));
        Assert.That(MfccCsv.Read(path), Is.EqualTo(f));
        Assert.That(Directory.GetFiles(Path.Combine(_dir, "sub")), Has.Length.EqualTo(1), "no temp file left behind");
    }

    [Test]
    public void FolderModeSkipsBadFilesAndGoesOn()
    {
        string input = Path.Combine(_dir, "in");
        Directory.CreateDirectory(input);
        foreach (var name in new[] { "fsdd_3_george_0.wav", "sweep_s24.wav", "stereo_s16.wav" })
        {
            File.Copy(Fixtures.Audio(name), Path.Combine(input, name));
        }
        File.WriteAllText(Path.Combine(input, "broken.wav"), "this is plain text, not audio");
        File.WriteAllBytes(Path.Combine(input, "empty.wav"), []);
        File.WriteAllText(Path.Combine(input, "notes.txt"), "ignored");
        string output = Path.Combine(_dir, "out");
        var seen = new List<int>();
        var results = MfccBatch.ProcessFolder(new MfccExtractor(new MfccOptions()), input, output, (_, done, total) => seen.Add(done * 100 + total));
        Assert.That(results, Has.Count.EqualTo(5));
        Assert.That(seen, Is.EqualTo(new[] { 105, 205, 305, 405, 505 }));
        Assert.That(results.Where(r => !r.Succeeded).Select(r => Path.GetFileName(r.Input)), Is.EquivalentTo(new[] { "broken.wav", "empty.wav" }));
        Assert.That(results.Single(r => r.Input.EndsWith("broken.wav")).Error, Does.Contain("broken.wav").And.Contain("not a WAV file"));
        Assert.That(Directory.GetFiles(output).Select(Path.GetFileName), Is.EquivalentTo(new[] { "fsdd_3_george_0.csv", "sweep_s24.csv", "stereo_s16.csv" }));
        var expected = new MfccExtractor(new MfccOptions()).ComputeFile(Fixtures.Audio("fsdd_3_george_0.wav"));
        Assert.That(MfccCsv.Read(Path.Combine(output, "fsdd_3_george_0.csv")), Is.EqualTo(expected));
    }

    [Test]
    public void ResamplingOptionChangesTheFrameRate()
    {
        var native = new MfccExtractor(new MfccOptions()).ComputeFile(Fixtures.Audio("fsdd_3_george_0.wav"));
        var up = new MfccExtractor(new MfccOptions { SampleRate = 16000 }).ComputeFile(Fixtures.Audio("fsdd_3_george_0.wav"));
        // 8 kHz -> 16 kHz doubles the samples, so about twice the frames at the same hop.
        Assert.That(up.GetLength(0), Is.InRange(2 * native.GetLength(0) - 2, 2 * native.GetLength(0)));
    }
}
