using System.Text.Json;

namespace Engine.Tests.Conv;

/// <summary>One PyTorch reference case from fixtures/conv (written by generate_conv_fixtures.py).</summary>
public sealed class ConvFixture
{
    private readonly JsonElement _case;
    private readonly float[] _blob;

    internal ConvFixture(JsonElement c, float[] blob)
    {
        _case = c;
        _blob = blob;
    }

    /// <summary>The case name.</summary>
    public string Name => _case.GetProperty("name").GetString()!;

    /// <summary>The PyTorch op.</summary>
    public string Op => _case.GetProperty("op").GetString()!;

    /// <summary>Whether the case has a tensor of that name.</summary>
    public bool Has(string key) => _case.GetProperty("tensors").TryGetProperty(key, out _);

    /// <summary>A tensor's shape.</summary>
    public int[] Shape(string key) => _case.GetProperty("tensors").GetProperty(key).GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();

    /// <summary>A tensor's values.</summary>
    public double[] Values(string key)
    {
        var t = _case.GetProperty("tensors").GetProperty(key);
        int off = t.GetProperty("offset").GetInt32();
        int n = Shape(key).Aggregate(1, (a, b) => a * b);
        return _blob.AsSpan(off, n).ToArray().Select(v => (double)v).ToArray();
    }

    /// <summary>A tensor of the given dtype (a leaf that requires grad when asked).</summary>
    public Tensor Tensor(string key, DType dtype, bool requiresGrad = false)
    {
        var t = Engine.Tensor.FromArray(Values(key), Shape(key)).To(dtype);
        return requiresGrad ? t.RequiresGrad_() : t;
    }

    /// <summary>An option as a (height, width) pair; a scalar option is used for both.</summary>
    public (int H, int W) Pair(string key)
    {
        var o = _case.GetProperty("options").GetProperty(key);
        if (o.ValueKind == JsonValueKind.Array)
        {
            var a = o.EnumerateArray().Select(e => e.GetInt32()).ToArray();
            return a.Length == 1 ? (a[0], a[0]) : (a[0], a[1]);
        }
        return (o.GetInt32(), o.GetInt32());
    }

    /// <summary>Whether an option is a string (for padding 'same'/'valid').</summary>
    public string? StringOption(string key)
    {
        var o = _case.GetProperty("options").GetProperty(key);
        return o.ValueKind == JsonValueKind.String ? o.GetString() : null;
    }

    /// <summary>An integer option.</summary>
    public int Int(string key) => _case.GetProperty("options").GetProperty(key).GetInt32();

    /// <summary>A real option.</summary>
    public double Real(string key) => _case.GetProperty("options").GetProperty(key).GetDouble();

    /// <summary>A boolean option.</summary>
    public bool Bool(string key) => _case.GetProperty("options").GetProperty(key).GetBoolean();

    /// <summary>An integer-array option.</summary>
    public int[] Ints(string key) => _case.GetProperty("options").GetProperty(key).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>Loads fixtures/conv/conv.json and conv.bin once.</summary>
public static class ConvFixtures
{
    private static readonly Lazy<ConvFixture[]> All = new(Load);

    /// <summary>Every case.</summary>
    public static IReadOnlyList<ConvFixture> Cases => All.Value;

    /// <summary>Cases whose op starts with <paramref name="prefix"/>.</summary>
    public static IEnumerable<ConvFixture> Where(string prefix) => All.Value.Where(c => c.Op.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>
    /// fixtures/conv next to the test binary when the project copies it there, else found by
    /// walking up from the binary to the test project's source folder.
    /// </summary>
    private static string FindDirectory()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(d.FullName, "fixtures", "conv"), Path.Combine(d.FullName, "tests", "Engine.Core.Tests", "fixtures", "conv") })
            {
                if (File.Exists(Path.Combine(candidate, "conv.json")))
                {
                    return candidate;
                }
            }
        }
        throw new FileNotFoundException($"conv fixtures (fixtures/conv/conv.json) not found above {AppContext.BaseDirectory}");
    }

    private static ConvFixture[] Load()
    {
        string dir = FindDirectory();
        var bytes = File.ReadAllBytes(Path.Combine(dir, "conv.bin"));
        var blob = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, blob, 0, blob.Length * 4);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("conv fixtures are little-endian float32");
        }
        var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "conv.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new ConvFixture(c.Clone(), blob)).ToArray();
    }
}
