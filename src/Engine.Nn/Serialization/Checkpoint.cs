using System.Text.Json;
using Engine.Nn.Optim;

namespace Engine.Nn;

/// <summary>
/// Model and optimizer checkpoints in one safetensors file. Model tensors keep their state-dict
/// names (so safetensors.torch.load_file plus load_state_dict reads them in PyTorch); optimizer
/// state tensors are stored as "__optimizer__.state.{i}.{key}" and the groups' options as JSON
/// in the metadata. Loading validates the whole file and both targets before changing anything.
/// </summary>
public static class Checkpoint
{
    /// <summary>Prefix of optimizer tensors.</summary>
    public const string OptimizerPrefix = "__optimizer__.";

    private const string GroupsKey = "engine.optimizer.groups";

    /// <summary>Writes the model's state dict (and the optimizer's state, if given) atomically.</summary>
    public static void Save(string path, Module model, Optimizer? optimizer = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>(model.StateDict());
        var meta = new Dictionary<string, string> { ["format"] = "pt" };
        if (metadata is not null)
        {
            foreach (var kv in metadata)
            {
                meta[kv.Key] = kv.Value;
            }
        }
        if (optimizer is not null)
        {
            var s = optimizer.StateDict();
            tensors.AddRange(s.Tensors.Select(kv => new KeyValuePair<string, Tensor>(OptimizerPrefix + kv.Key, kv.Value)));
            var groups = s.Groups.Zip(s.GroupSizes, (o, n) => new GroupRecord(o, n)).ToList();
            meta[GroupsKey] = JsonSerializer.Serialize(groups);
        }
        SafeTensors.Save(path, tensors, meta);
    }

    /// <summary>
    /// Loads a checkpoint into <paramref name="model"/> (and <paramref name="optimizer"/>). Strict
    /// mode throws (changing nothing) if any tensor is missing, unexpected or mis-shaped; non-strict
    /// loads what fits and returns the rest. A corrupt file throws <see cref="SafeTensorsException"/>.
    /// </summary>
    public static CheckpointContent Load(string path, Module model, Optimizer? optimizer = null, bool strict = true)
    {
        var content = SafeTensors.Load(path);
        var modelPart = new Dictionary<string, Tensor>();
        var optPart = new OrderedDictionary<string, Tensor>();
        foreach (var kv in content.Tensors)
        {
            if (kv.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            {
                optPart[kv.Key[OptimizerPrefix.Length..]] = kv.Value;
            }
            else
            {
                modelPart[kv.Key] = kv.Value;
            }
        }
        OptimizerStateDict? optState = null;
        if (optimizer is not null)
        {
            if (!content.Metadata.TryGetValue(GroupsKey, out var json))
            {
                throw new SafeTensorsException($"checkpoint: '{path}' holds no optimizer state, but an optimizer was given to load it into");
            }
            List<GroupRecord> groups;
            try
            {
                groups = JsonSerializer.Deserialize<List<GroupRecord>>(json) ?? throw new JsonException("null");
            }
            catch (JsonException e)
            {
                throw new SafeTensorsException($"checkpoint: '{path}' has malformed optimizer metadata: {e.Message}", e);
            }
            optState = new OptimizerStateDict(optPart, groups.Select(g => g.Options).ToList(), groups.Select(g => g.Size).ToList());
            var problems = optimizer.Validate(optState);
            if (problems.Count > 0)
            {
                throw new SafeTensorsException($"checkpoint: '{path}' optimizer state does not fit:\n\t" + string.Join("\n\t", problems));
            }
        }
        var result = model.LoadStateDict(modelPart, strict);
        if (optState is not null)
        {
            optimizer!.LoadStateDict(optState);
        }
        return new CheckpointContent(result, content.Metadata);
    }

    private sealed record GroupRecord(Dictionary<string, double> Options, int Size);
}

/// <summary>What <see cref="Checkpoint.Load"/> read: the model load report and the file's metadata.</summary>
public sealed record CheckpointContent(LoadStateDictResult Model, IReadOnlyDictionary<string, string> Metadata);
