using Engine.Nn;

namespace Engine.Nn.Tests;

/// <summary>Reads the PyTorch fixtures (safetensors files written by fixtures/generate_nn_fixtures.py).</summary>
internal sealed class Fixture
{
    private static readonly Dictionary<string, Fixture> Cache = new();
    private readonly OrderedDictionary<string, Tensor> _tensors;

    private Fixture(OrderedDictionary<string, Tensor> tensors)
    {
        _tensors = tensors;
    }

    public static string PathOf(string file) => Path.Combine(TestContext.CurrentContext.TestDirectory, "fixtures", file);

    public static Fixture Load(string file)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(file, out var f))
            {
                f = new Fixture(SafeTensors.Load(PathOf(file)).Tensors);
                Cache[file] = f;
            }
            return f;
        }
    }

    public Tensor this[string name] => _tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"fixture tensor '{name}' not found");

    public bool Has(string name) => _tensors.ContainsKey(name);

    /// <summary>Entries under "prefix/" with the prefix removed.</summary>
    public Dictionary<string, Tensor> Group(string prefix)
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var kv in _tensors)
        {
            if (kv.Key.StartsWith(prefix + "/", StringComparison.Ordinal))
            {
                d[kv.Key[(prefix.Length + 1)..]] = kv.Value;
            }
        }
        return d;
    }

    public long[] Longs(string name) => this[name].ToArray<long>();

    /// <summary>A fresh float32 leaf copy of a fixture tensor that requires grad.</summary>
    public Tensor Leaf(string name) => Tensor.FromArray(this[name].ToFloatArray(), this[name].Shape).RequiresGrad_();

    /// <summary>Asserts |actual - expected| &lt;= atol + rtol |expected| elementwise.</summary>
    public static void AssertClose(Tensor? actual, Tensor expected, string what, double atol = 2e-5, double rtol = 1e-4)
    {
        Assert.That(actual, Is.Not.Null, $"{what}: missing");
        Assert.That(actual!.Shape, Is.EqualTo(expected.Shape), $"{what}: shape");
        var a = actual.ToDoubleArray();
        var e = expected.ToDoubleArray();
        double worst = 0;
        int at = -1;
        for (int i = 0; i < a.Length; i++)
        {
            double err = Math.Abs(a[i] - e[i]) - (atol + rtol * Math.Abs(e[i]));
            if (double.IsNaN(a[i]) != double.IsNaN(e[i]) || err > worst)
            {
                worst = double.IsNaN(err) ? double.PositiveInfinity : err;
                at = i;
            }
        }
        Assert.That(at, Is.EqualTo(-1), () => $"{what}: element {at} is {a[at]:G9}, expected {e[at]:G9}");
    }
}
