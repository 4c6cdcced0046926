using System.Text.Json;

namespace Engine.Tests.Attention;

/// <summary>
/// Functional.ScaledDotProductAttention against PyTorch (fixtures/attention/sdpa.json, written by
/// generate_attention_fixtures.py with torch 1.13: softmax(q k^T scale + mask) v composed in float64,
/// checked there against 1.13's private F._scaled_dot_product_attention where it applies): output and
/// the gradients of q, k and v for a fixed upstream gradient, in float64 and float32.
/// </summary>
public class AttentionFixtureTests
{
    private static readonly Lazy<JsonElement[]> Cases = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "fixtures", "attention", "sdpa.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    });

    public static IEnumerable<TestCaseData> All()
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            foreach (var c in Cases.Value)
            {
                yield return new TestCaseData(c.GetProperty("name").GetString(), dtype).SetName($"Sdpa {c.GetProperty("name").GetString()} {dtype}");
            }
        }
    }

    private static int[] ShapeOf(JsonElement t) => t.GetProperty("s").EnumerateArray().Select(x => x.GetInt32()).ToArray();

    private static double[] Values(JsonElement t) => t.GetProperty("d").EnumerateArray()
        .Select(x => x.ValueKind == JsonValueKind.Null ? double.NaN : x.GetDouble()).ToArray();

    private static Tensor Load(JsonElement t, DType dtype)
    {
        if (t.GetProperty("t").GetString() == "b")
        {
            return Tensor.FromArray(t.GetProperty("d").EnumerateArray().Select(x => x.GetBoolean()).ToArray(), ShapeOf(t));
        }
        return Tensor.FromArray(Values(t), ShapeOf(t)).To(dtype);
    }

    [TestCaseSource(nameof(All))]
    public void MatchesPyTorch(string name, DType dtype)
    {
        var c = Cases.Value.Single(x => x.GetProperty("name").GetString() == name);
        var q = Load(c.GetProperty("q"), dtype).RequiresGrad_();
        var k = Load(c.GetProperty("k"), dtype).RequiresGrad_();
        var v = Load(c.GetProperty("v"), dtype).RequiresGrad_();
        var mask = c.TryGetProperty("mask", out var m) ? Load(m, dtype) : null;
        double? scale = c.GetProperty("scale").ValueKind == JsonValueKind.Null ? null : c.GetProperty("scale").GetDouble();
        var o = Functional.ScaledDotProductAttention(q, k, v, mask, c.GetProperty("causal").GetBoolean(), scale);
        (o * Load(c.GetProperty("g"), dtype)).Sum().Backward();
        // float64: rounding only; float32: 1e-5 of the tensor's largest entry (sums over keys and queries).
        double tol = dtype == DType.Float64 ? 1e-12 : 1e-5;
        Close(o, c.GetProperty("out"), tol, "output");
        Close(q.Grad!, c.GetProperty("dq"), tol, "dq");
        Close(k.Grad!, c.GetProperty("dk"), tol, "dk");
        Close(v.Grad!, c.GetProperty("dv"), tol, "dv");
    }

    private static void Close(Tensor actual, JsonElement expected, double tol, string what)
    {
        Assert.That(actual.Shape, Is.EqualTo(ShapeOf(expected)), what);
        var a = actual.ToDoubleArray();
        var e = Values(expected);
        double scale = e.Where(x => !double.IsNaN(x)).Select(Math.Abs).DefaultIfEmpty(0).Max();
        for (int i = 0; i < e.Length; i++)
        {
            if (double.IsNaN(e[i]))
            {
                Assert.That(a[i], Is.NaN, $"{what}: element {i} is NaN in PyTorch");
                continue;
            }
            Assert.That(Math.Abs(a[i] - e[i]), Is.LessThanOrEqualTo(tol * Math.Max(Math.Abs(e[i]), scale)), $"{what}: element {i}: {a[i]:R} vs torch {e[i]:R}");
        }
    }
}
