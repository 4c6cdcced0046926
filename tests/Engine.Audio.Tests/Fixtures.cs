using System.Text.Json;

namespace Engine.Audio.Tests;

/// <summary>The cases written by fixtures/generate.py.</summary>
internal static class Fixtures
{
    public static readonly string Root = Path.Combine(TestContext.CurrentContext.TestDirectory, "fixtures");

    private static readonly Lazy<JsonElement[]> AllCases = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "cases.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone()).ToArray();
    });

    public static IEnumerable<JsonElement> Cases(string kind) =>
        AllCases.Value.Where(c => c.GetProperty("kind").GetString() == kind);

    public static string Audio(string file) => Path.Combine(Root, "audio", file);

    public static float[] Data(JsonElement c)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Root, "ref", c.GetProperty("name").GetString() + ".f32"));
        var data = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, data, 0, bytes.Length);
        return data;
    }

    public static int[] Shape(JsonElement c) => c.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();

    /// <summary>Largest |a - b| over two row-major matrices of the same shape.</summary>
    public static double MaxAbsDiff(float[,] actual, float[] expected)
    {
        double max = 0;
        int i = 0;
        foreach (float a in actual)
        {
            max = Math.Max(max, Math.Abs(a - expected[i++]));
        }
        return max;
    }

    /// <summary>Test-case data for NUnit: one entry per case name.</summary>
    public static IEnumerable<TestCaseData> Named(string kind, Func<JsonElement, bool>? filter = null) =>
        Cases(kind).Where(c => filter?.Invoke(c) ?? true)
            .Select(c => new TestCaseData(c.GetProperty("name").GetString()!).SetName(c.GetProperty("name").GetString()!));

    public static JsonElement Case(string name) => AllCases.Value.Single(c => c.GetProperty("name").GetString() == name);
}
