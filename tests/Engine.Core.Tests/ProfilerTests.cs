using Engine.Autograd;

namespace Engine.Tests;

[NonParallelizable]
public class ProfilerTests
{
    private static Dictionary<string, long> Counts(Profiler p, ProfileKind kind, string? region = null) => p.Entries
        .Where(e => e.Kind == kind && (region is null || e.Region == region))
        .GroupBy(e => e.Name)
        .ToDictionary(g => g.Key, g => g.Sum(e => e.Count));

    private static void KnownSequence()
    {
        var x = Tensor.FromArray(new double[] { 1, 2, 3 }).RequiresGrad_();
        var w = Tensor.FromArray(new double[] { 4, 5, 6 });
        var y = (x * w + x).Sum(); // mul, add, sum
        y.Backward();
    }

    [Test]
    public void CountsForwardOpsAndBackwardFunctionsOfAKnownSequence()
    {
        using var p = Profiler.Start();
        KnownSequence();
        KnownSequence();
        p.Stop();

        // The ops a backward function runs itself (expand, mul, ...) are not counted as forward ops.
        Assert.That(Counts(p, ProfileKind.Forward), Is.EquivalentTo(new Dictionary<string, long> { ["mul"] = 2, ["add"] = 2, ["sum"] = 2 }));
        Assert.That(Counts(p, ProfileKind.Backward), Is.EquivalentTo(new Dictionary<string, long> { ["mulBackward"] = 2, ["addBackward"] = 2, ["sumBackward"] = 2 }));
        Assert.That(Counts(p, ProfileKind.Region), Is.EquivalentTo(new Dictionary<string, long> { ["autograd::backward"] = 2 }));
        Assert.That(p.Entries.All(e => e.TotalSeconds >= 0), Is.True);
        // Every timed row lies inside the session.
        Assert.That(p.Entries.Where(e => e.Kind != ProfileKind.Region).Sum(e => e.TotalSeconds), Is.LessThanOrEqualTo(p.Elapsed.TotalSeconds));
    }

    [Test]
    public void RecordsNothingWhenNoSessionIsActive()
    {
        var p = Profiler.Start();
        p.Stop();
        Assert.That(Profiler.IsActive, Is.False);
        KnownSequence();
        using (Profiler.Region("ignored"))
        {
            KnownSequence();
        }
        Assert.That(p.Entries, Is.Empty);
    }

    [Test]
    public void RegionsAreTimedAndNameTheOpsInside()
    {
        using var p = Profiler.Start();
        var a = Tensor.FromArray(new double[] { 1, 2 }).RequiresGrad_();
        using (Profiler.Region("outer"))
        {
            _ = a.Neg();
            using (Profiler.Region("inner"))
            {
                _ = a.Neg();
                _ = a.Neg();
            }
        }
        _ = a.Neg();
        p.Stop();

        Assert.That(Counts(p, ProfileKind.Forward, "outer"), Is.EquivalentTo(new Dictionary<string, long> { ["neg"] = 1 }));
        Assert.That(Counts(p, ProfileKind.Forward, "inner"), Is.EquivalentTo(new Dictionary<string, long> { ["neg"] = 2 }));
        Assert.That(Counts(p, ProfileKind.Forward, ""), Is.EquivalentTo(new Dictionary<string, long> { ["neg"] = 1 }));
        var inner = p.Entries.Single(e => e.Name == "inner");
        var outer = p.Entries.Single(e => e.Name == "outer");
        Assert.That(inner.Region, Is.EqualTo("outer"));
        Assert.That(outer.Region, Is.EqualTo(""));
        Assert.That(outer.TotalSeconds, Is.GreaterThanOrEqualTo(inner.TotalSeconds));
    }

    [Test]
    public void ForwardOpsUnderNoGradAreCountedToo()
    {
        using var p = Profiler.Start();
        var a = Tensor.FromArray(new double[] { 1, 2 });
        using (GradMode.NoGrad())
        {
            _ = a + a;
        }
        p.Stop();
        Assert.That(Counts(p, ProfileKind.Forward), Is.EquivalentTo(new Dictionary<string, long> { ["add"] = 1 }));
    }

    [Test]
    public void OnlyOneSessionAtATime()
    {
        using var p = Profiler.Start();
        var ex = Assert.Throws<InvalidOperationException>(() => Profiler.Start());
        Assert.That(ex!.Message, Does.Contain("already active"));
        p.Stop();
        using var q = Profiler.Start();
        Assert.That(Profiler.IsActive, Is.True);
    }

    [Test]
    public void ReportListsTheRowsAndTotals()
    {
        using var p = Profiler.Start();
        KnownSequence();
        p.Stop();
        var text = p.Report();
        Assert.That(text, Does.Contain("mulBackward").And.Contain("sum").And.Contain("total forward: 3 calls").And.Contain("total backward: 3 calls").And.Contain("GC:"));
    }
}
