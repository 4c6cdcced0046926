using Engine.Multimodal.Data;
using Engine.Multimodal.Model;
using Engine.Multimodal.Training;

namespace Engine.Multimodal.Tests;

public class StreamingTests
{
    private string _dir = "";
    private string _manifest = "";

    [SetUp]
    public void SetUp()
    {
        _dir = TestData.TempFolder();
        _manifest = TestData.SampleSubset(_dir, 24);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void StreamedSamplesAndFittedPreprocessingEqualTheInMemoryOnes()
    {
        var manifest = Manifest.Load(_manifest);
        var (prep, memory) = DatasetBuilder.FitAndLoad(manifest, Modality.All, strict: false);
        var (streamPrep, problems) = DatasetBuilder.Fit(manifest, Modality.All, strict: false);
        Assert.That(problems, Is.Empty);
        Assert.That(streamPrep.AudioMean, Is.EqualTo(prep.AudioMean));
        Assert.That(streamPrep.AudioStd, Is.EqualTo(prep.AudioStd));
        Assert.That(streamPrep.Vocabulary, Is.EqualTo(prep.Vocabulary));
        Assert.That(streamPrep.Labels, Is.EqualTo(prep.Labels));
        using var stream = new StreamingDataset(manifest, streamPrep);
        Assert.That(stream.Count, Is.EqualTo(memory.Count));
        for (int i = 0; i < stream.Count; i++)
        {
            var a = memory.Samples[i];
            var b = stream.Get(i)!;
            Assert.That((b.Id, b.Label, stream.LabelOf(i)), Is.EqualTo((a.Id, a.Label, a.Label)));
            Assert.That(b.Image, Is.EqualTo(a.Image));
            Assert.That(b.Audio, Is.EqualTo(a.Audio));
            Assert.That(b.Text, Is.EqualTo(a.Text));
        }
    }

    [Test]
    public void StreamedEpochsAreTheInMemoryBatchesInTheSameSeededOrder()
    {
        var manifest = Manifest.Load(_manifest);
        var (prep, memory) = DatasetBuilder.FitAndLoad(manifest, Modality.All, strict: false);
        using var stream = new StreamingDataset(manifest, prep);
        var a = new BatchLoader(memory, prep, Modality.All, 5, shuffle: true, seed: 8).Epoch(3).ToList();
        var b = new BatchLoader(stream, prep, Modality.All, 5, shuffle: true, seed: 8).Epoch(3).ToList();
        var c = new BatchLoader(stream, prep, Modality.All, 5, shuffle: true, seed: 8).Epoch(3).ToList();
        Assert.That(b.Select(x => x.Ids), Is.EqualTo(a.Select(x => x.Ids)));
        Assert.That(c.Select(x => x.Ids), Is.EqualTo(b.Select(x => x.Ids)), "the order depends only on seed and epoch");
        for (int i = 0; i < a.Count; i++)
        {
            Assert.That(b[i].Image, Is.EqualTo(a[i].Image));
            Assert.That(b[i].Audio, Is.EqualTo(a[i].Audio));
            Assert.That(b[i].Text, Is.EqualTo(a[i].Text));
            Assert.That(b[i].Labels, Is.EqualTo(a[i].Labels));
        }
    }

    [Test]
    public void ThePrefetchQueueIsBounded()
    {
        var source = new CountingSource(200);
        var prep = new Preprocessing { Labels = new[] { "a", "b" }, Vocabulary = new[] { "w:x" } };
        var loader = new BatchLoader(source, prep, Modality.Text, 4, shuffle: true, seed: 1, prefetch: 2);
        using var e = loader.Epoch(0).GetEnumerator();
        Assert.That(e.MoveNext(), Is.True);
        // Wait until the worker blocks on the full queue: it may hold the queue's 2 batches plus the one it is adding.
        int last = -1;
        for (int i = 0; i < 100 && source.Fetched != last; i++)
        {
            last = source.Fetched;
            Thread.Sleep(30);
        }
        Assert.That(source.Fetched, Is.LessThanOrEqualTo(4 * (1 + 2 + 1)), "no more than the batch in hand, the queue and the one being added");
        int consumed = 1;
        while (e.MoveNext())
        {
            consumed++;
        }
        Assert.That(consumed, Is.EqualTo(50));
        Assert.That(source.Fetched, Is.EqualTo(200));
    }

    [Test]
    public void AFileThatBecomesUnreadableIsSkippedOrStopsAStrictRun()
    {
        var manifest = Manifest.Load(_manifest);
        var (prep, problems) = DatasetBuilder.Fit(manifest, Modality.All, strict: false);
        Assert.That(problems, Is.Empty);
        // Copy one image next to the manifest, point a row at it, then break it after fitting.
        var lines = File.ReadAllLines(_manifest);
        var parts = lines[3].Split(',', 5);
        var copy = Path.Combine(_dir, "copy.png");
        File.Copy(parts[2], copy);
        parts[2] = copy;
        lines[3] = string.Join(",", parts);
        File.WriteAllLines(_manifest, lines);
        manifest = Manifest.Load(_manifest);
        File.WriteAllText(copy, "not a png");
        using var lenient = new StreamingDataset(manifest, prep);
        var ids = new BatchLoader(lenient, prep, Modality.All, 7, shuffle: false, seed: 0).Epoch(0).SelectMany(b => b.Ids).ToList();
        Assert.That(ids, Has.Count.EqualTo(23));
        Assert.That(ids, Has.No.Member(parts[0]));
        Assert.That(lenient.Problems, Has.Count.EqualTo(1));
        Assert.That(lenient.Problems[0].Id, Is.EqualTo(parts[0]));
        using var strict = new StreamingDataset(manifest, prep, strict: true);
        var e = Assert.Throws<ManifestException>(() => new BatchLoader(strict, prep, Modality.All, 7, shuffle: false, seed: 0).Epoch(0).ToList());
        Assert.That(e!.Message, Does.Contain("copy.png").Or.Contain(parts[0]));
    }

    [Test]
    public void AStreamedTrainingRunEqualsTheInMemoryOne()
    {
        TrainOptions Options(string name, bool streaming) => new()
        {
            TrainManifest = _manifest,
            TestManifest = _manifest,
            OutDir = Path.Combine(_dir, name),
            Epochs = 2,
            BatchSize = 8,
            Seed = 5,
            ValidationFraction = 0.25,
            Streaming = streaming,
            Model = new ModelConfig(),
        };
        var memory = Trainer.Run(Options("memory", false));
        var streamed = Trainer.Run(Options("stream", true));
        Assert.That(streamed.State.History.Select(h => h.TrainLoss), Is.EqualTo(memory.State.History.Select(h => h.TrainLoss)));
        Assert.That(streamed.State.History.Select(h => h.ValLoss), Is.EqualTo(memory.State.History.Select(h => h.ValLoss)));
        Assert.That(streamed.Test!.Confusion, Is.EqualTo(memory.Test!.Confusion));
    }

    /// <summary>An in-memory source that counts how many samples were fetched.</summary>
    private sealed class CountingSource : ISampleSource
    {
        private readonly Sample[] _samples;
        private int _fetched;

        public CountingSource(int n) => _samples = Enumerable.Range(0, n).Select(i => new Sample($"s{i}", i % 2, null, null, new[] { 0 })).ToArray();

        public int Fetched => Volatile.Read(ref _fetched);

        public int Count => _samples.Length;

        public IReadOnlyList<RowProblem> Problems => Array.Empty<RowProblem>();

        public int LabelOf(int index) => _samples[index].Label;

        public Sample? Get(int index)
        {
            Interlocked.Increment(ref _fetched);
            return _samples[index];
        }

        public ISampleSource Subset(IReadOnlyList<int> indices) => throw new NotSupportedException();
    }
}
