using System.Text.Json;
using Engine.Multimodal.Data;
using Engine.Multimodal.Metrics;
using Engine.Multimodal.Model;
using Engine.Nn;
using Engine.Nn.Optim;

namespace Engine.Multimodal.Training;

/// <summary>What config.json holds: the architecture and the fitted preprocessing.</summary>
public sealed class SavedConfig
{
    /// <summary>The architecture.</summary>
    public ModelConfig Model { get; set; } = new();

    /// <summary>The preprocessing fitted on the training set.</summary>
    public Preprocessing Preprocessing { get; set; } = new();

    /// <summary>The seed the run used.</summary>
    public ulong Seed { get; set; }
}

/// <summary>
/// The files of a model folder. Every file is written to a temporary name and renamed, so the folder never
/// holds a half-written one: config.json, model.safetensors (best weights), checkpoint.safetensors (last
/// weights, optimizer moments and the training state, in one file so they always agree), metrics.json.
/// </summary>
public static class ModelFolder
{
    /// <summary>The architecture and preprocessing.</summary>
    public const string ConfigFile = "config.json";

    /// <summary>The best weights.</summary>
    public const string ModelFile = "model.safetensors";

    /// <summary>The last epoch's weights, optimizer state and training state.</summary>
    public const string CheckpointFile = "checkpoint.safetensors";

    /// <summary>The final metrics.</summary>
    public const string MetricsFile = "metrics.json";

    private const string StateKey = "training_state";

    private const string StepsKey = "optim_steps";

    /// <summary>Writes config.json.</summary>
    public static void SaveConfig(string dir, SavedConfig config) => JsonFiles.Write(Path.Combine(dir, ConfigFile), config);

    /// <summary>Reads config.json.</summary>
    public static SavedConfig LoadConfig(string dir) => JsonFiles.Read<SavedConfig>(Path.Combine(dir, ConfigFile));

    /// <summary>Writes the best weights.</summary>
    public static void SaveModel(string dir, MultimodalNet net, int epoch)
    {
        SafeTensors.Save(Path.Combine(dir, ModelFile), net.StateDict(), new Dictionary<string, string> { ["epoch"] = epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    /// <summary>Loads a model folder's config and best weights onto <paramref name="device"/> (the CPU when null).</summary>
    public static (MultimodalNet Net, SavedConfig Config) LoadModel(string dir, Device? device = null)
    {
        if (!Directory.Exists(dir))
        {
            throw new DirectoryNotFoundException($"model folder '{dir}' does not exist");
        }
        var config = LoadConfig(dir);
        var net = new MultimodalNet(config.Model, config.Preprocessing, config.Seed);
        var content = SafeTensors.Load(Path.Combine(dir, ModelFile));
        net.LoadStateDict(content.Tensors);
        foreach (var t in content.Tensors.Values)
        {
            t.Dispose();
        }
        net.To(device ?? Device.Cpu);
        return (net, config);
    }

    /// <summary>
    /// Writes the last checkpoint: weights as "model.*", the optimizer's state tensors as "optim.state.{i}.{key}"
    /// (host copies), its per-parameter step counts and the training state as metadata.
    /// </summary>
    public static void SaveCheckpoint(string dir, MultimodalNet net, Optimizer optimizer, TrainingState state)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        var owned = new List<Tensor>();
        try
        {
            foreach (var kv in net.StateDict())
            {
                tensors.Add(new("model." + kv.Key, Host(kv.Value, owned)));
            }
            var steps = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (var kv in optimizer.StateDict().Tensors)
            {
                if (kv.Key.EndsWith(".step", StringComparison.Ordinal))
                {
                    steps[kv.Key] = (long)kv.Value.Item();
                    kv.Value.Dispose();
                }
                else
                {
                    tensors.Add(new("optim." + kv.Key, Host(kv.Value, owned)));
                }
            }
            var meta = new Dictionary<string, string>
            {
                [StateKey] = JsonSerializer.Serialize(state, JsonFiles.Options),
                [StepsKey] = JsonSerializer.Serialize(steps, JsonFiles.Options),
            };
            SafeTensors.Save(Path.Combine(dir, CheckpointFile), tensors, meta);
        }
        finally
        {
            owned.ForEach(t => t.Dispose());
        }
    }

    /// <summary>
    /// Restores weights, optimizer state and the training state from the last checkpoint (also reads the
    /// older layout with flat "optim.m.{i}"/"optim.v.{i}" moments and one "optim_step").
    /// </summary>
    public static TrainingState LoadCheckpoint(string dir, MultimodalNet net, Optimizer optimizer)
    {
        string path = Path.Combine(dir, CheckpointFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"--resume: no checkpoint '{path}' to resume from", path);
        }
        var content = SafeTensors.Load(path);
        var owned = new List<Tensor>();
        try
        {
            var model = new Dictionary<string, Tensor>();
            foreach (var kv in content.Tensors)
            {
                if (kv.Key.StartsWith("model.", StringComparison.Ordinal))
                {
                    model[kv.Key["model.".Length..]] = kv.Value;
                }
            }
            net.LoadStateDict(model);
            var current = optimizer.StateDict();
            var flat = optimizer.ParamGroups.SelectMany(g => g.Parameters).ToList();
            var restored = new OrderedDictionary<string, Tensor>();
            foreach (var kv in content.Tensors)
            {
                if (kv.Key.StartsWith("optim.state.", StringComparison.Ordinal))
                {
                    restored[kv.Key["optim.".Length..]] = Owned(kv.Value.To(net.Device), owned);
                }
            }
            if (content.Metadata.TryGetValue(StepsKey, out var stepsJson))
            {
                var steps = JsonSerializer.Deserialize<Dictionary<string, long>>(stepsJson, JsonFiles.Options) ?? new();
                foreach (var kv in steps)
                {
                    restored[kv.Key] = Owned(Tensor.FromArray(new[] { kv.Value }, new[] { 1 }), owned);
                }
            }
            else if (content.Metadata.TryGetValue("optim_step", out var legacyStep))
            {
                long step = long.Parse(legacyStep, System.Globalization.CultureInfo.InvariantCulture);
                for (int i = 0; i < flat.Count; i++)
                {
                    if (!content.Tensors.TryGetValue($"optim.m.{i}", out var m) || !content.Tensors.TryGetValue($"optim.v.{i}", out var v)
                        || m.NumEl != flat[i].NumEl || v.NumEl != flat[i].NumEl)
                    {
                        throw new InvalidDataException($"checkpoint '{path}': optimizer state {i} is missing or has the wrong size");
                    }
                    restored[$"state.{i}.step"] = Owned(Tensor.FromArray(new[] { step }, new[] { 1 }), owned);
                    restored[$"state.{i}.exp_avg"] = Owned(m.Reshape(flat[i].Shape).To(net.Device), owned);
                    restored[$"state.{i}.exp_avg_sq"] = Owned(v.Reshape(flat[i].Shape).To(net.Device), owned);
                }
            }
            else
            {
                throw new InvalidDataException($"checkpoint '{path}' has no optimizer state");
            }
            var problems = optimizer.Validate(new OptimizerStateDict(restored, current.Groups, current.GroupSizes));
            if (problems.Count > 0)
            {
                throw new InvalidDataException($"checkpoint '{path}': the optimizer state does not fit this model: {string.Join("; ", problems)}");
            }
            optimizer.LoadStateDict(new OptimizerStateDict(restored, current.Groups, current.GroupSizes));
            if (!content.Metadata.TryGetValue(StateKey, out var json))
            {
                throw new InvalidDataException($"checkpoint '{path}' has no training state");
            }
            return JsonSerializer.Deserialize<TrainingState>(json, JsonFiles.Options) ?? throw new InvalidDataException($"checkpoint '{path}': empty training state");
        }
        finally
        {
            foreach (var t in content.Tensors.Values)
            {
                t.Dispose();
            }
            owned.ForEach(t => t.Dispose());
        }
    }

    // A host copy of a device tensor (the tensor itself when it is already on the CPU); copies are disposed by the caller.
    private static Tensor Host(Tensor t, List<Tensor> owned) => t.Device.Kind == DeviceKind.Cpu ? t : Owned(t.To(Device.Cpu), owned);

    private static Tensor Owned(Tensor t, List<Tensor> owned)
    {
        owned.Add(t);
        return t;
    }
}
