using System.Text.Json;
using Engine.Multimodal.Data;
using Engine.Multimodal.Metrics;
using Engine.Multimodal.Model;
using Engine.Nn;

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

    /// <summary>Writes config.json.</summary>
    public static void SaveConfig(string dir, SavedConfig config) => JsonFiles.Write(Path.Combine(dir, ConfigFile), config);

    /// <summary>Reads config.json.</summary>
    public static SavedConfig LoadConfig(string dir) => JsonFiles.Read<SavedConfig>(Path.Combine(dir, ConfigFile));

    /// <summary>Writes the best weights.</summary>
    public static void SaveModel(string dir, MultimodalNet net, int epoch)
    {
        SafeTensors.Save(Path.Combine(dir, ModelFile), net.StateDict(), new Dictionary<string, string> { ["epoch"] = epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    /// <summary>Loads a model folder's config and best weights.</summary>
    public static (MultimodalNet Net, SavedConfig Config) LoadModel(string dir)
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
        return (net, config);
    }

    /// <summary>Writes the last checkpoint: weights as "model.*", optimizer moments as "optim.m.i"/"optim.v.i", state as metadata.</summary>
    public static void SaveCheckpoint(string dir, MultimodalNet net, AdamW optimizer, TrainingState state)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var kv in net.StateDict())
        {
            tensors.Add(new("model." + kv.Key, kv.Value));
        }
        var owned = new List<Tensor>();
        for (int i = 0; i < optimizer.M.Length; i++)
        {
            var m = Tensor.FromArray(optimizer.M[i], new[] { optimizer.M[i].Length });
            var v = Tensor.FromArray(optimizer.V[i], new[] { optimizer.V[i].Length });
            owned.Add(m);
            owned.Add(v);
            tensors.Add(new($"optim.m.{i}", m));
            tensors.Add(new($"optim.v.{i}", v));
        }
        try
        {
            var meta = new Dictionary<string, string>
            {
                [StateKey] = JsonSerializer.Serialize(state, JsonFiles.Options),
                ["optim_step"] = optimizer.Step.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            SafeTensors.Save(Path.Combine(dir, CheckpointFile), tensors, meta);
        }
        finally
        {
            owned.ForEach(t => t.Dispose());
        }
    }

    /// <summary>Restores weights, optimizer moments and the training state from the last checkpoint.</summary>
    public static TrainingState LoadCheckpoint(string dir, MultimodalNet net, AdamW optimizer)
    {
        string path = Path.Combine(dir, CheckpointFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"--resume: no checkpoint '{path}' to resume from", path);
        }
        var content = SafeTensors.Load(path);
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
            for (int i = 0; i < optimizer.M.Length; i++)
            {
                if (!content.Tensors.TryGetValue($"optim.m.{i}", out var m) || !content.Tensors.TryGetValue($"optim.v.{i}", out var v)
                    || m.NumEl != optimizer.M[i].Length || v.NumEl != optimizer.V[i].Length)
                {
                    throw new InvalidDataException($"checkpoint '{path}': optimizer state {i} is missing or has the wrong size");
                }
                m.ToArray<float>().CopyTo(optimizer.M[i], 0);
                v.ToArray<float>().CopyTo(optimizer.V[i], 0);
            }
            if (!content.Metadata.TryGetValue(StateKey, out var json))
            {
                throw new InvalidDataException($"checkpoint '{path}' has no training state");
            }
            var state = JsonSerializer.Deserialize<TrainingState>(json, JsonFiles.Options) ?? throw new InvalidDataException($"checkpoint '{path}': empty training state");
            optimizer.Step = state.Step;
            return state;
        }
        finally
        {
            foreach (var t in content.Tensors.Values)
            {
                t.Dispose();
            }
        }
    }
}
