using Engine.Multimodal.Metrics;
using Engine.Multimodal.Model;
using Engine.Multimodal.Training;
using Engine.Nn;

namespace Engine.Multimodal.Tests;

public class TrainingTests
{
    private string _dir = "";
    private string _manifest = "";

    [SetUp]
    public void SetUp()
    {
        _dir = TestData.TempFolder();
        _manifest = TestData.SampleSubset(_dir, 48);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private TrainOptions Options(string outDir, int epochs, bool resume = false, string fusion = "attention", double lr = 2e-3) => new()
    {
        Lr = lr,
        TrainManifest = _manifest,
        TestManifest = _manifest,
        OutDir = outDir,
        Epochs = epochs,
        BatchSize = 16,
        Seed = 11,
        Resume = resume,
        Patience = 100,
        ValidationFraction = 0.25,
        Model = new ModelConfig { Fusion = fusion },
    };

    [Test]
    public void TinyRunWritesAFinishedModelFolder()
    {
        var outDir = Path.Combine(_dir, "run");
        var result = Trainer.Run(Options(outDir, 2));
        Assert.That(result.State.History, Has.Count.EqualTo(2));
        Assert.That(result.State.History.All(h => double.IsFinite(h.TrainLoss) && double.IsFinite(h.ValLoss)), Is.True);
        Assert.That(result.Test!.Count, Is.EqualTo(48));
        Assert.That(result.Test.Accuracy, Is.InRange(0.0, 1.0));
        var files = Directory.GetFiles(outDir).Select(Path.GetFileName).Order().ToArray();
        Assert.That(files, Is.EqualTo(new[] { "checkpoint.safetensors", "config.json", "metrics.json", "model.safetensors" }), "no temporary files remain");
        var report = JsonFiles.Read<MetricsReport>(Path.Combine(outDir, "metrics.json"));
        Assert.That(report.Test!.Accuracy, Is.EqualTo(result.Test.Accuracy));
        Assert.That(report.History, Has.Count.EqualTo(2));
        // The saved model reproduces the reported test metrics.
        var (net, config) = ModelFolder.LoadModel(outDir);
        var data = Engine.Multimodal.Data.DatasetBuilder.Load(Engine.Multimodal.Data.Manifest.Load(_manifest), config.Preprocessing, strict: false);
        var again = Evaluator.Metrics(Evaluator.Predict(net, data, config.Preprocessing), config.Preprocessing);
        Assert.That(again.Accuracy, Is.EqualTo(result.Test.Accuracy));
    }

    [Test]
    public void TrainingLearnsTheTinySet()
    {
        var result = Trainer.Run(Options(Path.Combine(_dir, "learn"), 10, fusion: "concat", lr: 5e-3));
        Assert.That(result.State.History[^1].TrainLoss, Is.LessThan(result.State.History[0].TrainLoss * 0.7));
        Assert.That(result.Test!.Accuracy, Is.GreaterThan(0.5), "36 training samples seen 10 times, scored on all 48; chance is 0.1");
    }

    [Test]
    public void ResumeContinuesExactlyAsAnUninterruptedRun()
    {
        var straight = Path.Combine(_dir, "straight");
        var split = Path.Combine(_dir, "split");
        Trainer.Run(Options(straight, 3));
        // Interrupt the second run after its second epoch (the checkpoint is saved before the epoch is reported).
        var interrupt = new TrainProgress { Epoch = (r, _) => { if (r.Epoch == 2) throw new OperationCanceledException("simulated kill"); } };
        Assert.Throws<OperationCanceledException>(() => Trainer.Run(Options(split, 3), interrupt));
        Assert.That(File.Exists(Path.Combine(split, ModelFolder.MetricsFile)), Is.False, "an interrupted run leaves no metrics");
        var resumed = Trainer.Run(Options(split, 3, resume: true));
        Assert.That(resumed.State.Epoch, Is.EqualTo(3));
        Assert.That(resumed.State.History.Select(h => h.Epoch), Is.EqualTo(new[] { 1, 2, 3 }));
        var a = SafeTensors.Load(Path.Combine(straight, ModelFolder.CheckpointFile)).Tensors;
        var b = SafeTensors.Load(Path.Combine(split, ModelFolder.CheckpointFile)).Tensors;
        Assert.That(b.Keys, Is.EqualTo(a.Keys));
        foreach (var key in a.Keys)
        {
            Assert.That(b[key].ToArray<float>(), Is.EqualTo(a[key].ToArray<float>()), key);
        }
    }

    [Test]
    public void ACheckpointInTheOlderOptimizerLayoutStillResumesExactly()
    {
        var straight = Path.Combine(_dir, "straight");
        var old = Path.Combine(_dir, "old");
        Trainer.Run(Options(straight, 2));
        // Stopped after its first epoch (the learning-rate schedule depends on the planned epochs).
        var interrupt = new TrainProgress { Epoch = (r, _) => { if (r.Epoch == 1) throw new OperationCanceledException("simulated kill"); } };
        Assert.Throws<OperationCanceledException>(() => Trainer.Run(Options(old, 2), interrupt));
        // Rewrite the checkpoint the way the trainer's own AdamW used to save it: flat "optim.m.i"/"optim.v.i" moments
        // and one "optim_step" in the metadata.
        var path = Path.Combine(old, ModelFolder.CheckpointFile);
        var content = SafeTensors.Load(path);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var kv in content.Tensors)
        {
            var parts = kv.Key.Split('.');
            if (kv.Key.StartsWith("model.", StringComparison.Ordinal))
            {
                tensors.Add(kv);
            }
            else if (parts is ["optim", "state", _, "exp_avg" or "exp_avg_sq"])
            {
                tensors.Add(new($"optim.{(parts[3] == "exp_avg" ? "m" : "v")}.{parts[2]}", kv.Value.Reshape(kv.Value.NumEl)));
            }
        }
        var state = JsonFiles.Read<TrainingState>(WriteTemp(content.Metadata["training_state"]));
        var meta = new Dictionary<string, string> { ["training_state"] = content.Metadata["training_state"], ["optim_step"] = state.Step.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        SafeTensors.Save(path, tensors, meta);
        Trainer.Run(Options(old, 2, resume: true));
        var a = SafeTensors.Load(Path.Combine(straight, ModelFolder.CheckpointFile)).Tensors;
        var b = SafeTensors.Load(path).Tensors;
        Assert.That(b.Keys, Is.EqualTo(a.Keys), "the resumed run saves the current layout");
        foreach (var key in a.Keys)
        {
            Assert.That(b[key].ToArray<float>(), Is.EqualTo(a[key].ToArray<float>()), key);
        }
    }

    private string WriteTemp(string json)
    {
        var file = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(file, json);
        return file;
    }

    [Test]
    public void ResumeWithoutACheckpointOrWithADamagedOneFailsClearly()
    {
        var outDir = Path.Combine(_dir, "none");
        Directory.CreateDirectory(outDir);
        Assert.Throws<FileNotFoundException>(() => Trainer.Run(Options(outDir, 1, resume: true)));
        var done = Path.Combine(_dir, "damaged");
        Trainer.Run(Options(done, 1));
        var ckpt = Path.Combine(done, ModelFolder.CheckpointFile);
        var bytes = File.ReadAllBytes(ckpt);
        File.WriteAllBytes(ckpt, bytes.AsSpan(0, bytes.Length / 2).ToArray());
        var e = Assert.Catch(() => Trainer.Run(Options(done, 2, resume: true)));
        Assert.That(e!.Message, Does.Contain("checkpoint.safetensors"));
        Assert.That(File.ReadAllBytes(Path.Combine(done, ModelFolder.ModelFile)), Is.Not.Empty, "the best model is untouched");
    }

    [Test]
    public void TheSameSeedGivesTheSameRun()
    {
        var a = Trainer.Run(Options(Path.Combine(_dir, "a"), 1));
        var b = Trainer.Run(Options(Path.Combine(_dir, "b"), 1));
        Assert.That(b.State.History[0].TrainLoss, Is.EqualTo(a.State.History[0].TrainLoss));
        Assert.That(b.Test!.Confusion, Is.EqualTo(a.Test!.Confusion));
    }
}
