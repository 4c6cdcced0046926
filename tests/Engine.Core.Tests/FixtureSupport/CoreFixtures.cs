using System.Globalization;
using System.Text.Json;

namespace Engine.Tests.Fixtures;

/// <summary>One tensor of a fixture: its shape, kind (f = floating, i = Int64, b = Bool) and values.</summary>
public sealed class FixtureTensor
{
    public required int[] Shape { get; init; }

    public required char Kind { get; init; }

    public required double[] Data { get; init; }

    /// <summary>For a large tensor, the flat positions that <see cref="Data"/> holds (null: every element).</summary>
    public int[]? Index { get; init; }

    /// <summary>Whether the input requires gradients (inputs only).</summary>
    public bool Grad { get; init; }

    /// <summary>View steps applied to the input before the op, e.g. ["t", 0, 1] (inputs only).</summary>
    public JsonElement[] View { get; init; } = [];
}

/// <summary>One PyTorch golden case: an op, its arguments, inputs, outputs, upstream gradients and input gradients.</summary>
public sealed class FixtureCase
{
    public required string Family { get; init; }

    public required string Name { get; init; }

    public required string Op { get; init; }

    public required JsonElement Args { get; init; }

    public required FixtureTensor[] Inputs { get; init; }

    public required FixtureTensor[] Outs { get; init; }

    /// <summary>The upstream gradient of each output (null for outputs that carry none, e.g. indices).</summary>
    public required double[]?[] Vs { get; init; }

    /// <summary>The expected gradient of each input's base tensor (null where none is requested).</summary>
    public required double[]?[] Grads { get; init; }

    /// <summary>For large inputs, the flat positions each entry of <see cref="Grads"/> holds (null: all).</summary>
    public required int[]?[] GradIndex { get; init; }

    /// <summary>A float32 tolerance (atol, rtol) chosen by the generator, or null for the default.</summary>
    public (double Atol, double Rtol)? Tol32 { get; init; }

    /// <summary>The data sits on a non-differentiable point on purpose (ties, clamp bounds).</summary>
    public bool Kink { get; init; }

    public override string ToString() => $"{Family}/{Name}";
}

/// <summary>Loads the committed fixtures written by generate_core_fixtures.py.</summary>
public static class CoreFixtures
{
    private static readonly Lazy<FixtureCase[]> _all = new(Load);

    /// <summary>Every case of every core_*.json file.</summary>
    public static IReadOnlyList<FixtureCase> All => _all.Value;

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "fixtures", "core");

    private static FixtureCase[] Load()
    {
        var files = System.IO.Directory.GetFiles(Directory, "core_*.json");
        if (files.Length == 0)
        {
            throw new FileNotFoundException($"no core_*.json fixtures in {Directory}; run tests/Engine.Core.Tests/FixtureSupport/generate_core_fixtures.py");
        }
        Array.Sort(files, StringComparer.Ordinal);
        var cases = new List<FixtureCase>();
        foreach (var file in files)
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            string family = doc.RootElement.GetProperty("family").GetString()!;
            foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            {
                cases.Add(ParseCase(family, c));
            }
        }
        return cases.ToArray();
    }

    private static FixtureCase ParseCase(string family, JsonElement c)
    {
        (double, double)? tol = null;
        if (c.TryGetProperty("tol", out var t))
        {
            tol = (t[0].GetDouble(), t[1].GetDouble());
        }
        var outs = c.GetProperty("outs").EnumerateArray().Select(ParseTensor).ToArray();
        var vs = c.GetProperty("vs").EnumerateArray().Select((v, i) => v.ValueKind == JsonValueKind.Object
            ? Generate(Numel(outs[i].Shape), v.GetProperty("gen")) : NumbersOrNull(v)).ToArray();
        var grads = c.GetProperty("grads").EnumerateArray().ToArray();
        return new FixtureCase
        {
            Family = family,
            Name = c.GetProperty("name").GetString()!,
            Op = c.GetProperty("op").GetString()!,
            Args = c.GetProperty("args").Clone(),
            Inputs = c.GetProperty("inputs").EnumerateArray().Select(ParseTensor).ToArray(),
            Outs = outs,
            Vs = vs,
            Grads = grads.Select(g => g.ValueKind == JsonValueKind.Object ? Numbers(g.GetProperty("d")) : NumbersOrNull(g)).ToArray(),
            GradIndex = grads.Select(g => g.ValueKind == JsonValueKind.Object ? Ints(g.GetProperty("i")) : null).ToArray(),
            Tol32 = tol,
            Kink = c.TryGetProperty("kink", out _),
        };
    }

    private static FixtureTensor ParseTensor(JsonElement e) => new()
    {
        Shape = Ints(e.GetProperty("s")),
        Kind = e.GetProperty("t").GetString()![0],
        Data = e.TryGetProperty("gen", out var gen) ? Generate(Numel(Ints(e.GetProperty("s"))), gen) : Numbers(e.GetProperty("d")),
        Index = e.TryGetProperty("i", out var idx) ? Ints(idx) : null,
        Grad = e.TryGetProperty("g", out _),
        View = e.TryGetProperty("v", out var v) ? v.EnumerateArray().Select(s => s.Clone()).ToArray() : [],
    };

    private static int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();

    private static int Numel(int[] shape) => shape.Aggregate(1, (p, d) => p * d);

    /// <summary>gen_values of the generator: ((i a + b) mod m - (m - 1) / 2) / scale, in exact integer arithmetic.</summary>
    private static double[] Generate(int n, JsonElement gen)
    {
        long a = gen[0].GetInt64(), b = gen[1].GetInt64(), m = gen[2].GetInt64();
        double scale = gen[3].GetDouble();
        var r = new double[n];
        for (long i = 0; i < n; i++)
        {
            r[i] = ((i * a + b) % m - (m - 1) / 2) / scale;
        }
        return r;
    }

    private static double[]? NumbersOrNull(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : Numbers(e);

    private static double[] Numbers(JsonElement e) => e.EnumerateArray().Select(Number).ToArray();

    private static double Number(JsonElement x) => x.ValueKind switch
    {
        JsonValueKind.Number => x.GetDouble(),
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        JsonValueKind.String => x.GetString() switch
        {
            "nan" => double.NaN,
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            var s => double.Parse(s!, CultureInfo.InvariantCulture),
        },
        _ => throw new FormatException($"fixture: unexpected JSON value {x}"),
    };
}
