using Engine.Autograd;

namespace Engine.Nn;

public abstract partial class Module
{
    /// <summary>
    /// Every parameter and persistent buffer by dotted name, in registration order (like
    /// state_dict()). The tensors are detached views of the live ones; copy them to snapshot.
    /// </summary>
    public OrderedDictionary<string, Tensor> StateDict()
    {
        var d = new OrderedDictionary<string, Tensor>();
        foreach (var (prefix, m) in NamedModules())
        {
            foreach (var kv in m._parameters)
            {
                if (kv.Value is not null)
                {
                    d.TryAdd(Join(prefix, kv.Key), kv.Value);
                }
            }
            foreach (var kv in m._buffers)
            {
                if (kv.Value is not null && m.IsPersistentBuffer(kv.Key))
                {
                    d.TryAdd(Join(prefix, kv.Key), kv.Value);
                }
            }
        }
        return d;
    }

    /// <summary>
    /// Copies tensors from <paramref name="state"/> into this module's parameters and buffers, in
    /// place (so optimizers keep working). Strict mode (the default) loads nothing and throws a
    /// <see cref="StateDictException"/> listing every missing, unexpected and mis-shaped entry;
    /// non-strict mode loads what fits and reports the rest in the result.
    /// </summary>
    public LoadStateDictResult LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = StateDict();
        var missing = new List<string>();
        var mismatched = new List<string>();
        var toLoad = new List<(Tensor dst, Tensor src)>();
        foreach (var kv in own)
        {
            if (!state.TryGetValue(kv.Key, out var src))
            {
                missing.Add(kv.Key);
                continue;
            }
            if (!src.Shape.SequenceEqual(kv.Value.Shape))
            {
                mismatched.Add($"{kv.Key}: checkpoint shape {Shapes.Str(src.Shape)}, model shape {Shapes.Str(kv.Value.Shape)}");
                continue;
            }
            if (src.DType.IsFloating() != kv.Value.DType.IsFloating())
            {
                mismatched.Add($"{kv.Key}: checkpoint dtype {src.DType}, model dtype {kv.Value.DType}");
                continue;
            }
            toLoad.Add((kv.Value, src));
        }
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var result = new LoadStateDictResult(missing, unexpected, mismatched);
        if (strict && !result.IsClean)
        {
            throw new StateDictException($"Error(s) in loading state_dict for {TypeName}:\n{result}", result);
        }
        using (GradMode.NoGrad())
        {
            foreach (var (dst, src) in toLoad)
            {
                var s = src.DType == dst.DType ? src : src.To(dst.DType);
                dst.CopyFrom_(s.Device.Equals(dst.Device) ? s : s.To(dst.Device));
            }
        }
        return result;
    }
}

/// <summary>What <see cref="Module.LoadStateDict"/> could not load.</summary>
public sealed class LoadStateDictResult
{
    /// <summary>Creates a result.</summary>
    public LoadStateDictResult(IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched)
    {
        MissingKeys = missing;
        UnexpectedKeys = unexpected;
        MismatchedKeys = mismatched;
    }

    /// <summary>Names the module has but the state dict lacks.</summary>
    public IReadOnlyList<string> MissingKeys { get; }

    /// <summary>Names in the state dict the module does not have.</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; }

    /// <summary>Entries whose shape (or kind of dtype) differs, with both shapes.</summary>
    public IReadOnlyList<string> MismatchedKeys { get; }

    /// <summary>True when everything matched.</summary>
    public bool IsClean => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0 && MismatchedKeys.Count == 0;

    /// <inheritdoc />
    public override string ToString()
    {
        var lines = new List<string>();
        if (MissingKeys.Count > 0)
        {
            lines.Add("\tMissing key(s): " + string.Join(", ", MissingKeys.Select(k => $"\"{k}\"")) + ".");
        }
        if (UnexpectedKeys.Count > 0)
        {
            lines.Add("\tUnexpected key(s): " + string.Join(", ", UnexpectedKeys.Select(k => $"\"{k}\"")) + ".");
        }
        foreach (var m in MismatchedKeys)
        {
            lines.Add("\tsize mismatch for " + m + ".");
        }
        return lines.Count == 0 ? "all keys matched" : string.Join("\n", lines);
    }
}

/// <summary>Thrown by a strict <see cref="Module.LoadStateDict"/>; nothing was loaded.</summary>
public sealed class StateDictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StateDictException(string message, LoadStateDictResult result) : base(message)
    {
        Result = result;
    }

    /// <summary>Everything that did not match.</summary>
    public LoadStateDictResult Result { get; }
}
