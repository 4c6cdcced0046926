using Engine.Kernels;
using NUnit.Framework;

namespace Engine.Kernels.Tests;

/// <summary>Parallelism.ForRanges on the kernels' shared workers: every index once, nested calls, failures.</summary>
[TestFixture]
[NonParallelizable]
public class ParallelismTests
{
    [TearDown]
    public void Restore() => Parallelism.MaxThreads = Environment.ProcessorCount;

    [TestCase(1)]
    [TestCase(2)]
    public void ForRangesCoversEveryIndexOnce(int threads)
    {
        Parallelism.MaxThreads = threads;
        foreach (long total in new long[] { 0, 1, 7, 100_003, 1 << 20 })
        {
            var hits = new int[total];
            Parallelism.ForRanges(total, 1000, (s, e) =>
            {
                for (long i = s; i < e; i++)
                {
                    Interlocked.Increment(ref hits[i]);
                }
            });
            Assert.That(hits.All(v => v == 1), Is.True, $"total {total}");
        }
    }

    [Test]
    public void NestedCallsRunInline()
    {
        Parallelism.MaxThreads = 2;
        long sum = 0;
        Parallelism.ForRanges(4, 1, (s, e) =>
        {
            for (long i = s; i < e; i++)
            {
                // The workers are taken by the outer call, so this one runs on the calling thread.
                Parallelism.ForRanges(1000, 10, (a, b) => Interlocked.Add(ref sum, b - a));
            }
        });
        Assert.That(sum, Is.EqualTo(4000));
    }

    [Test]
    public void AFailingRangeThrowsAndTheWorkersStayUsable()
    {
        Parallelism.MaxThreads = 2;
        Assert.That(() => Parallelism.ForRanges(1 << 20, 1000, (s, e) =>
        {
            if (s > 0)
            {
                throw new InvalidOperationException("range failed");
            }
        }), Throws.Exception);
        long count = 0;
        Parallelism.ForRanges(1 << 20, 1000, (s, e) => Interlocked.Add(ref count, e - s));
        Assert.That(count, Is.EqualTo(1L << 20));
    }
}
