using Engine.Multimodal.Data;

namespace Engine.Multimodal.Tests;

public class ManifestTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = TestData.TempFolder();
        File.Copy(Directory.GetFiles(Path.Combine(TestData.SampleFolder, "images"))[0], Path.Combine(_dir, "a.png"));
        File.Copy(Directory.GetFiles(Path.Combine(TestData.SampleFolder, "audio"))[0], Path.Combine(_dir, "a.wav"));
        File.WriteAllText(Path.Combine(_dir, "broken.png"), "not a png");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string Write(string text)
    {
        var path = Path.Combine(_dir, "m.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Test]
    public void ParsesQuotedInlineTextAndRelativePaths()
    {
        var path = Write("id,label,image,audio,text\r\n" +
                         "s1,3,a.png,a.wav,\"three, or \"\"3\"\"\nsecond line\"\r\n" +
                         "s2,4,,,\"\"\n\n" +
                         "s3,5,a.png,,four\n");
        var m = Manifest.Load(path);
        Assert.That(m.Problems, Is.Empty);
        Assert.That(m.Rows, Has.Count.EqualTo(3));
        Assert.That(m.Rows[0].Text, Is.EqualTo("three, or \"3\"\nsecond line"));
        Assert.That(m.Rows[0].ImagePath, Is.EqualTo(Path.Combine(_dir, "a.png")));
        Assert.That(m.Rows[0].AudioPath, Is.EqualTo(Path.Combine(_dir, "a.wav")));
        Assert.That(m.Rows[1].ImagePath, Is.Null);
        Assert.That(m.Rows[1].Text, Is.Null);
        Assert.That(m.Rows[2].Line, Is.EqualTo(6), "line numbers count the embedded line break and the blank line");
    }

    [Test]
    public void HeaderColumnsMayComeInAnyOrder()
    {
        var m = Manifest.Load(Write("label,text,id,audio,image\n7,seven,x,,a.png\n"));
        Assert.That(m.Rows.Single().Id, Is.EqualTo("x"));
        Assert.That(m.Rows.Single().Label, Is.EqualTo("7"));
        Assert.That(m.Rows.Single().Text, Is.EqualTo("seven"));
    }

    [Test]
    public void BadRowsAreReportedWithFileAndReasonAndSkipped()
    {
        var path = Write("id,label,image,audio,text\n" +
                         "ok,1,a.png,a.wav,one\n" +
                         "nofile,1,missing.png,a.wav,one\n" +
                         "noaudio,1,a.png,gone.wav,one\n" +
                         "nolabel,,a.png,a.wav,one\n" +
                         "unknown,12,a.png,a.wav,one\n" +
                         "short,1,a.png\n" +
                         "ok,2,a.png,a.wav,dup\n");
        var m = Manifest.Load(path, knownLabels: new[] { "1", "2" });
        Assert.That(m.Rows.Select(r => r.Id), Is.EqualTo(new[] { "ok" }));
        Assert.That(m.Problems, Has.Count.EqualTo(6));
        Assert.That(m.Problems[0].File, Does.EndWith("missing.png"));
        Assert.That(m.Problems[0].Reason, Does.Contain("does not exist"));
        Assert.That(m.Problems[0].Line, Is.EqualTo(3));
        Assert.That(m.Problems[1].File, Does.EndWith("gone.wav"));
        Assert.That(m.Problems[2].Reason, Does.Contain("empty label"));
        Assert.That(m.Problems[3].Reason, Does.Contain("unknown label '12'"));
        Assert.That(m.Problems[4].Reason, Does.Contain("expected 5 fields, found 3"));
        Assert.That(m.Problems[5].Reason, Does.Contain("duplicate id"));
        Assert.That(m.Problems[0].ToString(), Does.Contain("m.csv:3 (nofile)"));
    }

    [Test]
    public void StrictModeStopsAtTheFirstBadRow()
    {
        var path = Write("id,label,image,audio,text\nok,1,a.png,,x\nbad,1,missing.png,,x\nworse,1,nope.png,,x\n");
        var e = Assert.Throws<ManifestException>(() => Manifest.Load(path, strict: true));
        Assert.That(e!.Problem!.Id, Is.EqualTo("bad"));
        Assert.That(e.Message, Does.Contain("missing.png"));
    }

    [Test]
    public void UnusedModalitiesAreNotChecked()
    {
        var m = Manifest.Load(Write("id,label,image,audio,text\nx,1,missing.png,a.wav,one\n"), Modality.Audio | Modality.Text);
        Assert.That(m.Problems, Is.Empty);
        Assert.That(m.Rows.Single().ImagePath, Is.Null);
    }

    [Test]
    public void UnreadableFilesAreSkippedWhileDecodingOrStopStrictRuns()
    {
        var path = Write("id,label,image,audio,text\na,1,a.png,a.wav,one\nb,2,broken.png,a.wav,two\nc,2,a.png,a.wav,two\n");
        var (prep, data) = DatasetBuilder.FitAndLoad(Manifest.Load(path), Modality.All, strict: false);
        Assert.That(data.Samples.Select(s => s.Id), Is.EqualTo(new[] { "a", "c" }));
        var problem = data.Problems.Single();
        Assert.That(problem.File, Does.EndWith("broken.png"));
        Assert.That(problem.Reason, Does.StartWith("unreadable"));
        Assert.That(prep.Labels, Is.EqualTo(new[] { "1", "2" }));
        Assert.Throws<ManifestException>(() => DatasetBuilder.FitAndLoad(Manifest.Load(path), Modality.All, strict: true));
    }

    [Test]
    public void MalformedHeaderOrEmptyFileIsAnError()
    {
        Assert.Throws<ManifestException>(() => Manifest.Load(Write("id,label,image,text\n")));
        Assert.Throws<ManifestException>(() => Manifest.Load(Write("")));
        Assert.Throws<FileNotFoundException>(() => Manifest.Load(Path.Combine(_dir, "none.csv")));
    }

    [Test]
    public void LabelsSortNumericallyWhenTheyAreNumbers()
    {
        var sorted = new[] { "10", "9", "2", "b", "a" }.Order(LabelComparer.Instance).ToArray();
        Assert.That(sorted, Is.EqualTo(new[] { "2", "9", "10", "a", "b" }));
    }

    [Test]
    public void ModalitiesParseAndFormat()
    {
        Assert.That(Modalities.Parse("text, IMAGE"), Is.EqualTo(Modality.Image | Modality.Text));
        Assert.That(Modalities.Format(Modality.Audio | Modality.Text), Is.EqualTo("audio,text"));
        Assert.Throws<ArgumentException>(() => Modalities.Parse("video"));
        Assert.Throws<ArgumentException>(() => Modalities.Parse(""));
    }

    [Test]
    public void MisspeltWordsShareTrigramFeatures()
    {
        var good = TextFeatures.Extract("seven").ToHashSet();
        var typo = TextFeatures.Extract("sevn").ToHashSet();
        Assert.That(good, Does.Contain("w:seven").And.Contain("c:<se").And.Contain("c:en>"));
        Assert.That(good.Intersect(typo).Count(), Is.EqualTo(2), "<se and sev");
        Assert.That(TextFeatures.Extract("7"), Does.Contain("w:7"), "digits are kept");
    }
}
