using Engine.Multimodal.Metrics;

namespace Engine.Multimodal.Tests;

public class MetricsTests
{
    [Test]
    public void MatchesHandComputedValues()
    {
        // truth:     a a a b b c
        // predicted: a a b b c c
        var truth = new[] { 0, 0, 0, 1, 1, 2 };
        var pred = new[] { 0, 0, 1, 1, 2, 2 };
        var m = ClassificationMetrics.Compute(truth, pred, new[] { "a", "b", "c" });
        Assert.That(m.Accuracy, Is.EqualTo(4.0 / 6).Within(1e-12));
        // a: TP 2, FP 0, FN 1 -> P 1, R 2/3, F1 0.8
        // b: TP 1, FP 1, FN 1 -> P 1/2, R 1/2, F1 1/2
        // c: TP 1, FP 1, FN 0 -> P 1/2, R 1, F1 2/3
        Assert.That(m.PerClass[0].Precision, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(m.PerClass[0].Recall, Is.EqualTo(2.0 / 3).Within(1e-12));
        Assert.That(m.PerClass[0].F1, Is.EqualTo(0.8).Within(1e-12));
        Assert.That(m.PerClass[1].F1, Is.EqualTo(0.5).Within(1e-12));
        Assert.That(m.PerClass[2].Precision, Is.EqualTo(0.5).Within(1e-12));
        Assert.That(m.PerClass[2].Recall, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(m.PerClass[2].F1, Is.EqualTo(2.0 / 3).Within(1e-12));
        Assert.That(m.MacroPrecision, Is.EqualTo((1 + 0.5 + 0.5) / 3).Within(1e-12));
        Assert.That(m.MacroRecall, Is.EqualTo((2.0 / 3 + 0.5 + 1) / 3).Within(1e-12));
        Assert.That(m.MacroF1, Is.EqualTo((0.8 + 0.5 + 2.0 / 3) / 3).Within(1e-12));
        Assert.That(m.PerClass.Select(c => c.Support), Is.EqualTo(new[] { 3, 2, 1 }));
        Assert.That(m.Confusion, Is.EqualTo(new[] { new[] { 2, 1, 0 }, new[] { 0, 1, 1 }, new[] { 0, 0, 1 } }));
    }

    [Test]
    public void ClassesNeverPredictedOrAbsentScoreZeroNotNaN()
    {
        var m = ClassificationMetrics.Compute(new[] { 0, 0 }, new[] { 0, 0 }, new[] { "x", "y" });
        Assert.That(m.PerClass[1].Precision, Is.Zero);
        Assert.That(m.PerClass[1].Recall, Is.Zero);
        Assert.That(m.PerClass[1].F1, Is.Zero);
        Assert.That(m.MacroF1, Is.EqualTo(0.5).Within(1e-12));
        Assert.That(m.Accuracy, Is.EqualTo(1.0));
    }

    [Test]
    public void RejectsMismatchedOrOutOfRangeInput()
    {
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute(new[] { 0 }, new[] { 0, 1 }, new[] { "a", "b" }));
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute(new[] { 2 }, new[] { 0 }, new[] { "a", "b" }));
    }

    [Test]
    public void JsonIsWrittenAtomicallyAndReadsBack()
    {
        var dir = TestData.TempFolder();
        var path = Path.Combine(dir, "metrics.json");
        var m = ClassificationMetrics.Compute(new[] { 0, 1 }, new[] { 0, 0 }, new[] { "a", "b" });
        JsonFiles.Write(path, m);
        var back = JsonFiles.Read<ClassificationMetrics>(path);
        Assert.That(back.Accuracy, Is.EqualTo(0.5));
        Assert.That(back.Confusion, Is.EqualTo(m.Confusion));
        Assert.That(Directory.GetFiles(dir), Has.Length.EqualTo(1), "no temporary file is left behind");
        File.WriteAllText(path, "{ not json");
        Assert.Throws<InvalidDataException>(() => JsonFiles.Read<ClassificationMetrics>(path));
        Directory.Delete(dir, true);
    }
}
