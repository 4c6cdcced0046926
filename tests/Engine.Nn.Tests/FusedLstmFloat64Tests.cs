namespace Engine.Nn.Tests;

/// <summary>
/// The fused whole-sequence LSTM node in float64 (it runs for both float types on every device):
/// outputs and every gradient agree with the composed per-step graph to near machine precision,
/// forward and reverse, with and without lengths.
/// </summary>
public class FusedLstmFloat64Tests
{
    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(true, true)]
    public void FusedMatchesComposedInFloat64(bool bidirectional, bool withLengths)
    {
        (Tensor[] Outs, Tensor[] Grads) Run(bool fused)
        {
            var m = new LSTM(5, 6, numLayers: 2, bidirectional: bidirectional, generator: new Generator(21), dtype: DType.Float64) { UseFusedKernels = fused };
            int dirs = bidirectional ? 2 : 1;
            var x = Tensor.Randn(new[] { 7, 3, 5 }, new Generator(22), DType.Float64).RequiresGrad_();
            var h0 = Tensor.Randn(new[] { 2 * dirs, 3, 6 }, new Generator(23), DType.Float64).RequiresGrad_();
            var c0 = Tensor.Randn(new[] { 2 * dirs, 3, 6 }, new Generator(24), DType.Float64).RequiresGrad_();
            var o = m.Forward(x, (h0, c0), withLengths ? new long[] { 7, 2, 5 } : null);
            var r = Tensor.Randn(o.Output.Shape, new Generator(25), DType.Float64);
            ((o.Output * r).Sum() + o.H.Sum() * 0.3 + o.C.Square().Sum()).Backward();
            return (new[] { o.Output, o.H, o.C }, m.Parameters().Append(x).Append(h0).Append(c0).Select(p => p.Grad!).ToArray());
        }
        var a = Run(true);
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
