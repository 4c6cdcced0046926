namespace Engine.Nn.Tests;

/// <summary>
/// The fused whole-sequence LSTM node in float64 (it runs for both float types on every device):
/// outputs and every gradient agree with the composed per-step graph to near machine precision,
/// forward and reverse, with and without lengths.
/// </summary>
public class FusedLstmFloat64Tests
{
    [TestCase(false, false, 3)]
    [TestCase(true, false, 3)]
    [TestCase(true, true, 3)]
    // 19 rows on 2 threads: the CPU runs the recurrence in two blocks of rows (8 and 11), one per core.
    [TestCase(false, false, 19)]
    [TestCase(true, true, 19)]
    public void FusedMatchesComposedInFloat64(bool bidirectional, bool withLengths, int batch)
    {
        (Tensor[] Outs, Tensor[] Grads) Run(bool fused)
        {
            var m = new LSTM(5, 6, numLayers: 2, bidirectional: bidirectional, generator: new Generator(21), dtype: DType.Float64) { UseFusedKernels = fused };
            int dirs = bidirectional ? 2 : 1;
            var x = Tensor.Randn(new[] { 7, batch, 5 }, new Generator(22), DType.Float64).RequiresGrad_();
            var h0 = Tensor.Randn(new[] { 2 * dirs, batch, 6 }, new Generator(23), DType.Float64).RequiresGrad_();
            var c0 = Tensor.Randn(new[] { 2 * dirs, batch, 6 }, new Generator(24), DType.Float64).RequiresGrad_();
            var lengths = Enumerable.Range(0, batch).Select(i => (long)new[] { 7, 2, 5, 0, 6 }[i % 5]).ToArray();
            var o = m.Forward(x, (h0, c0), withLengths ? lengths : null);
            var r = Tensor.Randn(o.Output.Shape, new Generator(25), DType.Float64);
            ((o.Output * r).Sum() + o.H.Sum() * 0.3 + o.C.Square().Sum()).Backward();
            return (new[] { o.Output, o.H, o.C }, m.Parameters().Append(x).Append(h0).Append(c0).Select(p => p.Grad!).ToArray());
        }
        int threads = Kernels.Parallelism.MaxThreads, gemmThreads = Kernels.Gemm.MaxThreads;
        (Tensor[] Outs, Tensor[] Grads) a;
        try
        {
            Kernels.Parallelism.MaxThreads = 2;
            Kernels.Gemm.MaxThreads = 2;
            a = Run(true);
        }
        finally
        {
            Kernels.Parallelism.MaxThreads = threads;
            Kernels.Gemm.MaxThreads = gemmThreads;
        }
        var b = Run(false);
        for (int i = 0; i < a.Outs.Length; i++)
        {
            Assert.That(a.Outs[i].DType, Is.EqualTo(DType.Float64));
            Fixture.AssertClose(a.Outs[i], b.Outs[i], $"output {i}", 1e-12, 1e-10);
        }
        for (int i = 0; i < a.Grads.Length; i++)
        {
            Fixture.AssertClose(a.Grads[i], b.Grads[i], $"gradient {i}", 1e-12, 1e-10);
        }
    }
}
