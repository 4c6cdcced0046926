namespace Engine.Gpu.Tests;

public abstract partial class DeviceParityTests
{
    /// <summary>
    /// Fused scaled-dot-product attention on the device against the CPU: the output and the gradients of
    /// query, key and value for sum(output * r), each compared relative to its largest entry (sums over
    /// keys and queries). Sizes cross the device's block of keys (16 threads on ILGPU's CPU accelerator).
    /// </summary>
    private void AttentionParity(int[] qs, int[] ks, int[] vs, Func<Device, Tensor?> mask, bool causal, double? scale, DType dtype, string what)
    {
        var qd = Uniform(qs, -2, 2, 301, dtype);
        var kd = Uniform(ks, -2, 2, 302, dtype);
        var vd = Uniform(vs, -1, 1, 303, dtype);

        (Tensor O, Tensor Dq, Tensor Dk, Tensor Dv) Run(Device dev)
        {
            var q = qd.Clone().To(dev).Detach().RequiresGrad_();
            var k = kd.Clone().To(dev).Detach().RequiresGrad_();
            var v = vd.Clone().To(dev).Detach().RequiresGrad_();
            var o = Functional.ScaledDotProductAttention(q, k, v, mask(dev), causal, scale);
            Assert.That(o.Device, Is.EqualTo(dev), $"{what}: output stays on the device");
            (o * Uniform(o.Shape, -1, 1, 304, dtype).To(dev)).Sum().Backward();
            return (o, q.Grad!, k.Grad!, v.Grad!);
        }

        var cpu = Run(Device.Cpu);
        var dev = Run(Device);
        AssertClose(dev.O, cpu.O, MaxAbs(cpu.O), $"{what}: output");
        AssertClose(dev.Dq, cpu.Dq, MaxAbs(cpu.Dq), $"{what}: dq");
        AssertClose(dev.Dk, cpu.Dk, MaxAbs(cpu.Dk), $"{what}: dk");
        AssertClose(dev.Dv, cpu.Dv, MaxAbs(cpu.Dv), $"{what}: dv");
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void AttentionMatchesCpu(DType dtype)
        => AttentionParity(new[] { 2, 2, 7, 8 }, new[] { 2, 2, 37, 8 }, new[] { 2, 2, 37, 5 }, _ => null, false, null, dtype, $"attention {dtype}");

    [Test]
    public void AttentionWideHeadsMatchesCpu()
        // Head dims wider than a group (16 threads on ILGPU's CPU accelerator, 32 or more on a GPU): each thread owns several columns.
        => AttentionParity(new[] { 2, 9, 40 }, new[] { 2, 13, 40 }, new[] { 2, 13, 70 }, _ => null, false, null, DType.Float32, "wide heads");

    [Test]
    public void AttentionHeadsBeyondTheTilesMatchesCpu()
        // E and Ev above the tiled forward's 128: the forward runs one group per query row.
        => AttentionParity(new[] { 1, 5, 130 }, new[] { 1, 7, 130 }, new[] { 1, 7, 131 }, _ => null, true, null, DType.Float32, "heads beyond the tiles");

    [TestCase(5, 21, TestName = "AttentionCausalMatchesCpu L < S")]
    [TestCase(21, 6, TestName = "AttentionCausalMatchesCpu L > S")]
    public void AttentionCausalMatchesCpu(int l, int s)
        => AttentionParity(new[] { 3, l, 6 }, new[] { 3, s, 6 }, new[] { 3, s, 4 }, _ => null, true, 0.7, DType.Float32, $"causal {l}x{s}");

    [Test]
    public void AttentionBoolKeyPaddingMaskMatchesCpu()
    {
        // (B, 1, 1, S): per batch item, the last keys hidden; broadcast over heads and query rows.
        var keep = new bool[2 * 19];
        for (int j = 0; j < 19; j++)
        {
            keep[j] = j < 15;
            keep[19 + j] = j < 6;
        }
        AttentionParity(new[] { 2, 3, 4, 8 }, new[] { 2, 3, 19, 8 }, new[] { 2, 3, 19, 8 },
            dev => Tensor.FromArray(keep, new[] { 2, 1, 1, 19 }).To(dev), false, null, DType.Float32, "bool key padding mask");
    }

    [Test]
    public void AttentionFloatMaskAndBroadcastBatchMatchesCpu()
    {
        // Key and value shared over the first batch dim; an (L, S) float mask with some -inf entries.
        var m = Uniform(new[] { 6, 18 }, -3, 3, 305);
        var data = m.ToFloatArray();
        for (int i = 0; i < data.Length; i += 7)
        {
            data[i] = float.NegativeInfinity;
        }
        AttentionParity(new[] { 2, 3, 6, 5 }, new[] { 3, 18, 5 }, new[] { 1, 3, 18, 7 },
            dev => Tensor.FromArray(data, new[] { 6, 18 }).To(dev), false, null, DType.Float32, "float mask, broadcast batch");
    }

    [Test]
    public void AttentionFullyMaskedRowIsNaNOnTheDevice()
    {
        var keep = new bool[4 * 5];
        for (int i = 0; i < keep.Length; i++)
        {
            keep[i] = i / 5 != 2 && i % 3 != 1;
        }
        var q = Uniform(new[] { 1, 4, 3 }, -1, 1, 306);
        var k = Uniform(new[] { 1, 5, 3 }, -1, 1, 307);
        var v = Uniform(new[] { 1, 5, 2 }, -1, 1, 308);
        var mask = Tensor.FromArray(keep, new[] { 4, 5 });
        var expected = Functional.ScaledDotProductAttention(q, k, v, mask);
        var actual = Functional.ScaledDotProductAttention(q.To(Device), k.To(Device), v.To(Device), mask.To(Device));
        Assert.That(expected.ToDoubleArray().Skip(4).Take(2), Has.All.NaN, "the CPU reference has the NaN row");
        double largest = expected.ToDoubleArray().Where(x => !double.IsNaN(x)).Max(Math.Abs);
        AssertClose(actual, expected, Tensor.Full(expected.Shape, largest), "fully masked row");
    }
}
