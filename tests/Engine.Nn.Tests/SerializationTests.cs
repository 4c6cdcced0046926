using Engine.Nn.Optim;

namespace Engine.Nn.Tests;

/// <summary>safetensors interop with Python, checkpoints with optimizer state, and bad files.</summary>
public class SerializationTests
{
    private sealed class Wrapper : Module<Tensor, Tensor>
    {
        public Wrapper(int inF, int outF)
        {
            Lin = RegisterModule("linear", new Linear(inF, outF, generator: new Generator(1)));
        }

        public Linear Lin { get; }

        public override Tensor Forward(Tensor input) => Lin.Forward(input);
    }

    private string _dir = "";

    [SetUp]
    public void MakeDir()
    {
        _dir = Path.Combine(Path.GetTempPath(), "engine-nn-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void PythonWrittenFileLoads()
    {
        var c = SafeTensors.Load(Fixture.PathOf("python_written.safetensors"));
        Assert.That(c.Metadata["writer"], Is.EqualTo("generate_nn_fixtures.py"));
        var f32 = c.Tensors["f32"];
        Assert.That(f32.Shape, Is.EqualTo(new[] { 2, 3, 4 }));
        Assert.That(f32.ToFloatArray(), Is.EqualTo(Enumerable.Range(0, 24).Select(i => i * 0.5f - 3).ToArray()));
        Assert.That(c.Tensors["f64"].ToArray<double>(), Is.EqualTo(new[] { -1.0, -0.5, 0, 0.5, 1.0 }));
        Assert.That(c.Tensors["i64"].ToArray<long>(), Is.EqualTo(new[] { -(1L << 40), 0, 7 }));
        Assert.That(c.Tensors["bool"].ToArray<bool>(), Is.EqualTo(new[] { true, false, true }));
        Assert.That(c.Tensors["f16"].ToFloatArray(), Is.EqualTo(new[] { 0.5f, -2f, 1024f }));
        Assert.That(c.Tensors["bf16"].ToFloatArray(), Is.EqualTo(new[] { 1.5f, -0.25f }));
        Assert.That(c.Tensors["scalar"].Dim, Is.EqualTo(0));
        Assert.That(c.Tensors["scalar"].Item(), Is.EqualTo(3.25));
        Assert.That(c.Tensors["empty"].Shape, Is.EqualTo(new[] { 0, 3 }));

        var m = new Wrapper(2, 3);
        var r = m.LoadStateDict(c.Tensors, strict: false);
        Assert.That(r.MissingKeys, Is.Empty);
        Assert.That(r.UnexpectedKeys, Has.Count.EqualTo(8));
        var y = m.Forward(Tensor.FromArray(new float[] { 1, 1 }, new[] { 1, 2 }));
        Assert.That(y.ToFloatArray(), Is.EqualTo(new[] { -0.7f, 0.7f, 2.1f }).Within(1e-6));
    }

    private static byte[] EngineFileBytes()
    {
        var tensors = new List<KeyValuePair<string, Tensor>>
        {
            new("weight", Tensor.Arange(6).Reshape(2, 3) / 4 - 0.5),
            new("bias", Tensor.FromArray(new float[] { 0.25f, -0.75f })),
            new("steps", Tensor.FromArray(new long[] { 1, 2, 3 })),
            new("mask", Tensor.FromArray(new[] { true, false, false, true }, new[] { 2, 2 })),
            new("f64", Tensor.FromArray(new[] { 1e-300, -2.5 })),
        };
        return SafeTensors.Serialize(tensors, new Dictionary<string, string> { ["format"] = "pt", ["writer"] = "Engine.Nn" });
    }

    /// <summary>
    /// The committed engine_written.safetensors is what this writer produces today; the generator's
    /// --verify-engine-file mode loads it into torch.nn.Linear and checks every value.
    /// Set ENGINE_NN_WRITE_FIXTURE to a fixtures folder to rewrite it.
    /// </summary>
    [Test]
    public void EngineWrittenFileIsTheCommittedOne()
    {
        var bytes = EngineFileBytes();
        var target = Environment.GetEnvironmentVariable("ENGINE_NN_WRITE_FIXTURE");
        if (!string.IsNullOrEmpty(target))
        {
            AtomicFile.Write(Path.Combine(target, "engine_written.safetensors"), bytes);
        }
        Assert.That(bytes, Is.EqualTo(File.ReadAllBytes(Fixture.PathOf("engine_written.safetensors"))));
        // 8-byte length, then a JSON header padded to 8 bytes, then data.
        long n = BitConverter.ToInt64(bytes, 0);
        Assert.That(n % 8, Is.EqualTo(0));
        Assert.That((char)bytes[8], Is.EqualTo('{'));
        var back = SafeTensors.Deserialize(bytes);
        Assert.That(back.Tensors.Keys, Is.EqualTo(new[] { "weight", "bias", "steps", "mask", "f64" }));
        Assert.That(back.Tensors["f64"].ToArray<double>(), Is.EqualTo(new[] { 1e-300, -2.5 }));
    }

    [Test]
    public void RoundTripPreservesOutputsAndLeavesNoTempFiles()
    {
        var m = new Sequential(new Linear(4, 8, generator: new Generator(2)), new ReLU(), new Linear(8, 2, generator: new Generator(3)));
        var path = Path.Combine(_dir, "model.safetensors");
        Checkpoint.Save(path, m);
        Checkpoint.Save(path, m); // overwrite in place
        var fresh = new Sequential(new Linear(4, 8, generator: new Generator(5)), new ReLU(), new Linear(8, 2, generator: new Generator(6)));
        var x = Tensor.Randn(new[] { 3, 4 }, new Generator(7));
        Assert.That(fresh.Forward(x).ToFloatArray(), Is.Not.EqualTo(m.Forward(x).ToFloatArray()));
        var r = Checkpoint.Load(path, fresh);
        Assert.That(r.Model.IsClean, Is.True);
        Assert.That(fresh.Forward(x).ToFloatArray(), Is.EqualTo(m.Forward(x).ToFloatArray()));
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }));
    }

    private static (Sequential Model, Adam Opt) MakeTrainable(ulong seed)
    {
        var m = new Sequential(new Linear(3, 5, generator: new Generator(seed)), new Tanh(), new Linear(5, 1, generator: new Generator(seed + 1)));
        return (m, new Adam(m.Parameters(), lr: 0.05));
    }

    private static void TrainSteps(Sequential m, Optimizer opt, int steps)
    {
        var x = Tensor.Randn(new[] { 8, 3 }, new Generator(11));
        var y = Tensor.Randn(new[] { 8, 1 }, new Generator(12));
        for (int i = 0; i < steps; i++)
        {
            opt.ZeroGrad();
            Functional.MseLoss(m.Forward(x), y).Backward();
            opt.Step();
        }
    }

    [Test]
    public void CheckpointWithOptimizerResumesExactly()
    {
        var (a, optA) = MakeTrainable(1);
        TrainSteps(a, optA, 3);
        var path = Path.Combine(_dir, "ckpt.safetensors");
        Checkpoint.Save(path, a, optA, new Dictionary<string, string> { ["epoch"] = "3" });
        TrainSteps(a, optA, 3);

        var (b, optB) = MakeTrainable(40);
        var loaded = Checkpoint.Load(path, b, optB);
        Assert.That(loaded.Metadata["epoch"], Is.EqualTo("3"));
        TrainSteps(b, optB, 3);
        foreach (var ((name, pa), (_, pb)) in a.NamedParameters().Zip(b.NamedParameters()))
        {
            Assert.That(pb.ToFloatArray(), Is.EqualTo(pa.ToFloatArray()), name);
        }
    }

    [Test]
    public void StrictLoadListsEveryProblemAndLoadsNothing()
    {
        var m = new Sequential(new Linear(2, 3, generator: new Generator(1)), new Linear(3, 4, generator: new Generator(2)));
        var before = m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToFloatArray());
        var state = new Dictionary<string, Tensor>
        {
            ["0.weight"] = Tensor.Ones(new[] { 3, 2 }),
            ["0.bias"] = Tensor.Ones(new[] { 5 }),
            ["1.weight"] = Tensor.Ones(new[] { 4, 3 }),
            ["2.weight"] = Tensor.Ones(new[] { 1 }),
        };
        var ex = Assert.Throws<StateDictException>(() => m.LoadStateDict(state));
        Assert.That(ex!.Message, Does.Contain("\"1.bias\"").And.Contain("\"2.weight\"").And.Contain("0.bias: checkpoint shape [5], model shape [3]"));
        Assert.That(ex.Result.MissingKeys, Is.EqualTo(new[] { "1.bias" }));
        foreach (var kv in m.StateDict())
        {
            Assert.That(kv.Value.ToFloatArray(), Is.EqualTo(before[kv.Key]), $"{kv.Key} changed by a failed strict load");
        }
        var r = m.LoadStateDict(state, strict: false);
        Assert.That(r.IsClean, Is.False);
        Assert.That(m.StateDict()["0.weight"].ToFloatArray(), Is.All.EqualTo(1f));
        Assert.That(m.StateDict()["1.weight"].ToFloatArray(), Is.All.EqualTo(1f));
        Assert.That(m.StateDict()["0.bias"].ToFloatArray(), Is.EqualTo(before["0.bias"]));
    }

    [Test]
    public void CorruptOrTruncatedFilesFailClearlyAndLoadNothing()
    {
        var (m, opt) = MakeTrainable(1);
        TrainSteps(m, opt, 1);
        var path = Path.Combine(_dir, "good.safetensors");
        Checkpoint.Save(path, m, opt);
        var good = File.ReadAllBytes(path);
        var (target, targetOpt) = MakeTrainable(30);
        var before = target.Parameters().Select(p => p.ToFloatArray()).ToList();
        var bad = Path.Combine(_dir, "bad.safetensors");

        var cases = new List<(string What, byte[] Bytes, string Expect)>
        {
            ("empty", Array.Empty<byte>(), "truncated"),
            ("length only", good[..8], "declares a header"),
            ("header cut", good[..40], "declares a header"),
            ("data cut", good[..(good.Length - 3)], "truncated"),
            ("huge length", BitConverter.GetBytes(long.MaxValue).Concat(good[8..]).ToArray(), "declares a header"),
        };
        var garbled = (byte[])good.Clone();
        garbled[9] = (byte)'#';
        cases.Add(("bad json", garbled, "malformed JSON"));
        var extra = good.Concat(new byte[] { 1, 2, 3, 4 }).ToArray();
        cases.Add(("trailing bytes", extra, "cover"));

        foreach (var (what, bytes, expect) in cases)
        {
            File.WriteAllBytes(bad, bytes);
            var ex = Assert.Throws<SafeTensorsException>(() => Checkpoint.Load(bad, target, targetOpt), what);
            Assert.That(ex!.Message, Does.Contain("bad.safetensors").And.Contain(expect), what);
        }
        // An optimizer whose parameters do not fit: nothing of the model is loaded either.
        var (other, _) = MakeTrainable(50);
        var wrongOpt = new Adam(other.Parameters().Take(2), lr: 0.1);
        Assert.Throws<SafeTensorsException>(() => Checkpoint.Load(path, target, wrongOpt));
        Assert.That(target.Parameters().Select(p => p.ToFloatArray()).ToList(), Is.EqualTo(before));
    }
}
