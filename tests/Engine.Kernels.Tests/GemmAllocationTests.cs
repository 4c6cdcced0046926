using Engine.Kernels;
using NUnit.Framework;

namespace Engine.Kernels.Tests;

/// <summary>Steady-state GEMM allocates no managed memory on any thread (workspaces and jobs are reused).</summary>
[TestFixture]
[NonParallelizable]
public class GemmAllocationTests
{
    [TearDown]
    public void Restore() => Gemm.MaxThreads = Environment.ProcessorCount;

    [TestCase(1)]
    [TestCase(2)]
    public void NoAllocationAfterWarmUp(int threads)
    {
        Gemm.MaxThreads = threads;
        var a = new float[300 * 200];
        var b = new float[200 * 250];
        var c = new float[300 * 250];
        var small = new float[32 * 32 * 32];
        void Calls()
        {
            Gemm.Sgemm(300, 250, 200, 1f, a, MatrixView.RowMajor(200), b, MatrixView.RowMajor(250), 0f, c, MatrixView.RowMajor(250));
            Gemm.Sgemm(250, 300, 200, 1f, b, MatrixView.RowMajor(200), a, MatrixView.RowMajor(200).Transposed, 1f, c, MatrixView.RowMajor(300));
            Gemm.Batched(32, 32, 32, 32, 1f, small, MatrixView.RowMajor(32), 1024, small, MatrixView.RowMajor(32), 1024,
                0f, c, MatrixView.RowMajor(32), 1024);
        }
        for (int i = 0; i < 3; i++)
        {
            Calls();
        }
        // The calling thread (which runs part 0 of a split product, the same driver code the workers
        // run) must allocate nothing. Process-wide counts are not used here: the test host's own
        // threads allocate a few hundred bytes per millisecond in the background. The benchmarks'
        // MemoryDiagnoser gives the process-wide figure.
        long mine = GC.GetAllocatedBytesForCurrentThread();
        Calls();
        mine = GC.GetAllocatedBytesForCurrentThread() - mine;
        Assert.That(mine, Is.Zero);
    }
}
