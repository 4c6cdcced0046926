using Engine.Multimodal.Data;

namespace Engine.Multimodal.Tests;

public class BatchLoaderTests
{
    private static (MultimodalDataset Data, Preprocessing Prep) Make(int n)
    {
        var prep = new Preprocessing { Labels = new[] { "a", "b" }, Vocabulary = new[] { "w:x", "w:y", "w:z" } };
        var samples = Enumerable.Range(0, n).Select(i => new Sample($"s{i}", i % 2, null, null, i % 3 == 0 ? Array.Empty<int>() : new[] { 0, 2, 2 })).ToList();
        return (new MultimodalDataset(samples, Array.Empty<RowProblem>()), prep);
    }

    [Test]
    public void EveryEpochVisitsEverySampleOnceInASeededOrder()
    {
        var (data, prep) = Make(23);
        var loader = new BatchLoader(data, prep, Modality.Text, 5, shuffle: true, seed: 3);
        var ids = loader.Epoch(1).SelectMany(b => b.Ids).ToList();
        Assert.That(ids, Has.Count.EqualTo(23));
        Assert.That(ids.Distinct().Count(), Is.EqualTo(23));
        Assert.That(loader.Epoch(1).Select(b => b.Size), Is.EqualTo(new[] { 5, 5, 5, 5, 3 }));
        Assert.That(loader.Epoch(1).SelectMany(b => b.Ids), Is.EqualTo(ids), "same seed and epoch, same order");
        Assert.That(loader.Epoch(2).SelectMany(b => b.Ids), Is.Not.EqualTo(ids), "a new epoch reshuffles");
        var other = new BatchLoader(data, prep, Modality.Text, 5, shuffle: true, seed: 4);
        Assert.That(other.Epoch(1).SelectMany(b => b.Ids), Is.Not.EqualTo(ids));
    }

    [Test]
    public void TextIsANormalisedBagAndEmptyTextIsMarkedAbsent()
    {
        var (data, prep) = Make(3);
        var loader = new BatchLoader(data, prep, Modality.Text, 3, shuffle: false, seed: 0);
        var b = loader.Epoch(0).Single();
        Assert.That(b.Image, Is.Null);
        Assert.That(b.Audio, Is.Null);
        // s0 has no known feature; s1 has features 0, 2, 2.
        Assert.That(b.Text!.AsSpan(0, 3).ToArray(), Is.EqualTo(new float[] { 0, 0, 0 }));
        Assert.That(b.Text.AsSpan(3, 3).ToArray(), Is.EqualTo(new[] { 1f / 3, 0, 2f / 3 }).Within(1e-6));
        Assert.That(b.Mask, Is.EqualTo(new float[] { 0, 0, 0, 0, 0, 1, 0, 0, 1 }));
    }

    [Test]
    public void StoppingEarlyEndsThePrefetchThread()
    {
        var (data, prep) = Make(100);
        var loader = new BatchLoader(data, prep, Modality.Text, 2, shuffle: true, seed: 1, prefetch: 1);
        var first = loader.Epoch(0).Take(2).ToList();
        Assert.That(first, Has.Count.EqualTo(2));
        Assert.That(loader.Epoch(0).Count(), Is.EqualTo(50));
    }
}
