using Engine.Autograd;

namespace Engine.Tests;

/// <summary>
/// Functional.LstmCell, the fused LSTM cell op: finite differences (float64) and agreement with the
/// same equations composed from tensor ops (forward and gradients), in float32 and float64, for
/// hidden sizes that exercise the vector loops and their scalar tails.
/// </summary>
public class LstmCellTests
{
    private static (Tensor H, Tensor C) Composed(Tensor gates, Tensor cPrev)
    {
        var parts = gates.Chunk(4, -1);
        var c = parts[1].Sigmoid() * cPrev + parts[0].Sigmoid() * parts[2].Tanh();
        return (parts[3].Sigmoid() * c.Tanh(), c);
    }

    [TestCase(1, 3)]
    [TestCase(3, 4)]
    [TestCase(2, 5)]
    public void GradCheckBothOutputs(int batch, int hidden)
    {
        var g = new Generator(7);
        var gates = Tensor.Uniform(new[] { batch, 4 * hidden }, -2.5, 2.5, g, DType.Float64).RequiresGrad_();
        var cPrev = Tensor.Uniform(new[] { batch, hidden }, -1.5, 1.5, g, DType.Float64).RequiresGrad_();
        Assert.That(GradCheck.Check(x =>
        {
            var (h, c) = Functional.LstmCell(x[0], x[1]);
            return Tensor.Cat(new[] { h, c * 0.7 }, 1);
        }, new[] { gates, cPrev }), Is.True);
        // h alone: the c gradient only flows through h, so dc arrives as zero in the node.
        Assert.That(GradCheck.Check(x => Functional.LstmCell(x[0], x[1]).H, new[] { gates, cPrev }), Is.True);
        Assert.That(GradCheck.Check(x => Functional.LstmCell(x[0], x[1]).C, new[] { gates, cPrev }), Is.True);
    }

    [TestCase(DType.Float32, 3, 37)]
    [TestCase(DType.Float32, 2, 128)]
    [TestCase(DType.Float64, 3, 19)]
    public void MatchesComposedOps(DType dtype, int batch, int hidden)
    {
        var g = new Generator(11);
        var gatesData = Tensor.Uniform(new[] { batch, 4 * hidden }, -4, 4, g, dtype);
        var cData = Tensor.Uniform(new[] { batch, hidden }, -2, 2, g, dtype);
        var wh = Tensor.Uniform(new[] { batch, hidden }, -1, 1, g, dtype);
        var wc = Tensor.Uniform(new[] { batch, hidden }, -1, 1, g, dtype);

        (Tensor H, Tensor C, Tensor DGates, Tensor DC) Run(Func<Tensor, Tensor, (Tensor, Tensor)> cell)
        {
            var gates = gatesData.Clone().Detach().RequiresGrad_();
            var cPrev = cData.Clone().Detach().RequiresGrad_();
            var (h, c) = cell(gates, cPrev);
            ((h * wh).Sum() + (c * wc).Sum()).Backward();
            return (h, c, gates.Grad!, cPrev.Grad!);
        }

        var fused = Run(Functional.LstmCell);
        var composed = Run(Composed);
        double tol = dtype == DType.Float32 ? 2e-6 : 1e-13;
        Close(fused.H, composed.H, tol, "h");
        Close(fused.C, composed.C, tol, "c");
        Close(fused.DGates, composed.DGates, tol, "d gates");
        Close(fused.DC, composed.DC, tol, "d c_prev");
    }

    [Test]
    public void TransposedInputsAreRead()
    {
        // A non-contiguous gates view (a transposed (4H, B) tensor) and an offset c_prev view.
        var g = new Generator(3);
        var gatesT = Tensor.Uniform(new[] { 12, 2 }, -2, 2, g, DType.Float64);
        var cBig = Tensor.Uniform(new[] { 3, 3 }, -1, 1, g, DType.Float64);
        var gates = gatesT.T;
        var cPrev = cBig.Narrow(0, 1, 2);
        var (h, c) = Functional.LstmCell(gates, cPrev);
        var (he, ce) = Composed(gates, cPrev);
        Close(h, he, 1e-14, "h");
        Close(c, ce, 1e-14, "c");
    }

    [Test]
    public void BadShapesThrowNamingTheOp()
    {
        var gates = Tensor.Zeros(new[] { 2, 12 });
        Assert.That(() => Functional.LstmCell(gates, Tensor.Zeros(new[] { 2, 4 })),
            Throws.ArgumentException.With.Message.Contains("lstm_cell").And.Message.Contains("[2, 12]"));
        Assert.That(() => Functional.LstmCell(Tensor.Zeros(new[] { 2, 10 }), Tensor.Zeros(new[] { 2, 3 })),
            Throws.ArgumentException.With.Message.Contains("lstm_cell"));
        Assert.That(() => Functional.LstmCell(gates, Tensor.Zeros(new[] { 3, 3 })),
            Throws.ArgumentException.With.Message.Contains("lstm_cell"));
    }

    private static void Close(Tensor actual, Tensor expected, double tol, string what)
    {
        Assert.That(actual.Shape, Is.EqualTo(expected.Shape), what);
        var a = actual.ToDoubleArray();
        var e = expected.ToDoubleArray();
        for (int i = 0; i < e.Length; i++)
        {
            Assert.That(Math.Abs(a[i] - e[i]), Is.LessThanOrEqualTo(tol * Math.Max(1, Math.Abs(e[i]))), $"{what}[{i}]: fused {a[i]:R}, composed {e[i]:R}");
        }
    }
}
