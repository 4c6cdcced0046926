using Engine.Nn;

namespace Engine.Gpu.Tests;

public abstract partial class DeviceParityTests
{
    /// <summary>
    /// Builds the module twice from the same seed, runs one copy on the CPU and the other moved to the
    /// device with Module.To, and compares every output, every parameter gradient and every input
    /// gradient of sum(output_i * r_i) for fixed random r_i. Sums over the batch and over time are
    /// compared relative to the largest entry of each tensor.
    /// </summary>
    private void ModuleParity(Func<Module> make, Func<Module, Tensor[], Tensor[]> forward, Tensor[] inputs, string what)
    {
        (Tensor[] Outs, Tensor[] Grads, string[] Names) Run(Device dev)
        {
            var m = make().To(dev);
            foreach (var (name, p) in m.NamedParameters())
            {
                Assert.That(p.Device, Is.EqualTo(dev), $"{what}: parameter {name} after Module.To");
            }
            var xs = inputs.Select(x => x.DType.IsFloating() ? x.Clone().To(dev).Detach().RequiresGrad_() : x.To(dev)).ToArray();
            var outs = forward(m, xs);
            Tensor? loss = null;
            for (int i = 0; i < outs.Length; i++)
            {
                Assert.That(outs[i].Device, Is.EqualTo(dev), $"{what}: output {i} stays on the device");
                var term = (outs[i] * Uniform(outs[i].Shape, -1, 1, 900 + (ulong)i).To(dev)).Sum();
                loss = loss is null ? term : loss + term;
            }
            loss!.Backward();
            // Every parameter must have a gradient; inputs only where they are floating (masks are not).
            var named = m.NamedParameters().Select(p => (Name: p.Name, Grad: p.Parameter.Grad))
                .Concat(xs.Where(x => x.RequiresGrad).Select((x, i) => (Name: $"floating input {i}", Grad: x.Grad))).ToArray();
            foreach (var (name, g) in named)
            {
                Assert.That(g, Is.Not.Null, $"{what}: no gradient for {name}");
                Assert.That(g!.Device, Is.EqualTo(dev), $"{what}: gradient of {name} stays on the device");
            }
            return (outs, named.Select(n => n.Grad!).ToArray(), named.Select(n => n.Name).ToArray());
        }

        var cpu = Run(Device.Cpu);
        var dev = Run(Device);
        Assert.That(dev.Names, Is.EqualTo(cpu.Names));
        for (int i = 0; i < cpu.Outs.Length; i++)
        {
            AssertClose(dev.Outs[i], cpu.Outs[i], MaxAbs(cpu.Outs[i]), $"{what}: output {i}");
        }
        for (int i = 0; i < cpu.Grads.Length; i++)
        {
            AssertClose(dev.Grads[i], cpu.Grads[i], MaxAbs(cpu.Grads[i]), $"{what}: gradient of {cpu.Names[i]}");
        }
    }

    private static Tensor MaxAbs(Tensor t) => Tensor.Full(t.Shape, t.NumEl == 0 ? 0 : t.Abs().Max().Item());

    [Test]
    public void LstmOneLayerMatchesCpu()
    {
        ModuleParity(() => new LSTM(4, 8, generator: new Generator(31)),
            (m, x) => { var o = ((LSTM)m).Forward(x[0]); return new[] { o.Output, o.H, o.C }; },
            new[] { Uniform(new[] { 5, 3, 4 }, -1, 1, 32) }, "lstm 1 layer");
    }

    [Test]
    public void LstmTwoLayersBidirectionalWithStateMatchesCpu()
    {
        ModuleParity(() => new LSTM(4, 8, numLayers: 2, bidirectional: true, generator: new Generator(33)),
            (m, x) => { var o = ((LSTM)m).Forward(x[0], (x[1], x[2])); return new[] { o.Output, o.H, o.C }; },
            new[] { Uniform(new[] { 4, 2, 4 }, -1, 1, 34), Uniform(new[] { 4, 2, 8 }, -1, 1, 35), Uniform(new[] { 4, 2, 8 }, -1, 1, 36) },
            "lstm 2 layers bidirectional");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void LstmBidirectionalWithLengthsMatchesCpu(bool fused)
    {
        // Batch-first, a padded batch; fused = false runs the per-step composed graph on the device.
        ModuleParity(() => new LSTM(4, 8, bidirectional: true, batchFirst: true, generator: new Generator(37)) { UseFusedKernels = fused },
            (m, x) => { var o = ((LSTM)m).Forward(x[0], lengths: new long[] { 5, 2, 4 }); return new[] { o.Output, o.H, o.C }; },
            new[] { Uniform(new[] { 3, 5, 4 }, -1, 1, 38) }, $"lstm lengths (fused {fused})");
    }

    [Test]
    public void LstmCellMatchesCpu()
    {
        ModuleParity(() => new LSTMCell(4, 8, generator: new Generator(39)),
            (m, x) => { var (h, c) = ((LSTMCell)m).Forward(x[0], (x[1], x[2])); return new[] { h, c }; },
            new[] { Uniform(new[] { 3, 4 }, -1, 1, 40), Uniform(new[] { 3, 8 }, -1, 1, 41), Uniform(new[] { 3, 8 }, -1, 1, 42) }, "lstm cell");
    }

    [Test]
    public void GruTwoLayersBidirectionalWithLengthsMatchesCpu()
    {
        ModuleParity(() => new GRU(4, 8, numLayers: 2, bidirectional: true, generator: new Generator(43)),
            (m, x) => { var o = ((GRU)m).Forward(x[0], x[1], new long[] { 4, 1, 3 }); return new[] { o.Output, o.H }; },
            new[] { Uniform(new[] { 4, 3, 4 }, -1, 1, 44), Uniform(new[] { 4, 3, 8 }, -1, 1, 45) }, "gru");
    }

    [Test]
    public void MultiheadAttentionWithMasksMatchesCpu()
    {
        // Cross-attention with a key padding mask and a causal-style float mask, weights returned.
        var padding = Tensor.FromArray(new[] { false, false, false, true, true, false, false, false, false, true }, new[] { 2, 5 });
        ModuleParity(() => new MultiheadAttention(8, 2, batchFirst: true, generator: new Generator(46)),
            (m, x) =>
            {
                var o = ((MultiheadAttention)m).Forward(x[0], x[1], x[1], keyPaddingMask: x[2], attnMask: MultiheadAttention.CausalMask(4, 5, x[0].Device));
                return new[] { o.Output, o.Weights! };
            },
            new[] { Uniform(new[] { 2, 4, 8 }, -1, 1, 47), Uniform(new[] { 2, 5, 8 }, -1, 1, 48), padding }, "multihead attention");
    }

    [Test]
    public void MultiheadAttentionWithoutWeightsMatchesCpu()
    {
        // No weights asked for: a device runs the fused scaled_dot_product_attention, the CPU its own fused core.
        var padding = Tensor.FromArray(new[] { false, false, true, false, false, false, false, false, true, true }, new[] { 2, 5 });
        ModuleParity(() => new MultiheadAttention(8, 2, batchFirst: true, generator: new Generator(51)),
            (m, x) => new[] { ((MultiheadAttention)m).Forward(x[0], x[1], x[1], keyPaddingMask: x[2], needWeights: false, isCausal: true).Output },
            new[] { Uniform(new[] { 2, 4, 8 }, -1, 1, 52), Uniform(new[] { 2, 5, 8 }, -1, 1, 53), padding }, "multihead attention without weights");
    }

    [Test]
    public void ClipGradNormOverGradientsOnThisDeviceAndTheCpuMatchesTheCpu()
    {
        Tensor Param(int n, ulong seed, Device d)
        {
            var p = Uniform(new[] { n }, -1, 1, seed).To(d);
            p.RequiresGrad = true;
            p.Grad = Uniform(new[] { n }, -2, 2, seed + 1).To(d);
            return p;
        }
        var here = new[] { Param(7, 60, Device), Param(5, 62, Device.Cpu) };
        var cpu = new[] { Param(7, 60, Device.Cpu), Param(5, 62, Device.Cpu) };
        double norm = Engine.Nn.Optim.ClipGrad.ClipGradNorm_(here, 0.5);
        double expected = Engine.Nn.Optim.ClipGrad.ClipGradNorm_(cpu, 0.5);
        Assert.That(norm, Is.EqualTo(expected).Within(1e-5 * expected), "float32 sums of squares: the device's order differs");
        for (int i = 0; i < 2; i++)
        {
            Assert.That(here[i].Grad!.ToArray<float>(), Is.EqualTo(cpu[i].Grad!.ToArray<float>()).Within(1e-6), $"clipped gradient {i}");
        }
    }

    [Test]
    public void TransformerEncoderLayerMatchesCpu()
    {
        var padding = Tensor.FromArray(new[] { false, false, false, false, false, false, true, true }, new[] { 2, 4 });
        ModuleParity(() => new TransformerEncoderLayer(8, 2, dimFeedforward: 16, dropout: 0, batchFirst: true, generator: new Generator(49)),
            (m, x) => new[] { ((TransformerEncoderLayer)m).Forward(x[0], null, x[1]) },
            new[] { Uniform(new[] { 2, 4, 8 }, -1, 1, 50), padding }, "transformer encoder layer");
    }
}
