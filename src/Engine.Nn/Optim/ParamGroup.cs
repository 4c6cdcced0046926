namespace Engine.Nn.Optim;

/// <summary>
/// A set of parameters with their own hyper-parameters (like an entry of optimizer.param_groups).
/// Options are numbers by PyTorch's names ("lr", "weight_decay", "momentum", ...); flags are 0 or 1.
/// Options not given take the optimizer's defaults.
/// </summary>
public sealed class ParamGroup
{
    private readonly Dictionary<string, double> _options = new();

    /// <summary>Creates a group; <paramref name="options"/> override the optimizer's defaults for it.</summary>
    public ParamGroup(IEnumerable<Tensor> parameters, IReadOnlyDictionary<string, double>? options = null)
    {
        Parameters = parameters.ToList();
        if (options is not null)
        {
            foreach (var kv in options)
            {
                _options[kv.Key] = kv.Value;
            }
        }
    }

    /// <summary>The parameters updated with these options.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>An option by name.</summary>
    public double this[string key]
    {
        get => _options.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"param group has no option '{key}'");
        set => _options[key] = value;
    }

    /// <summary>Whether the option is set.</summary>
    public bool Has(string key) => _options.ContainsKey(key);

    /// <summary>The learning rate.</summary>
    public double Lr
    {
        get => this["lr"];
        set => this["lr"] = value;
    }

    /// <summary>All options (a copy).</summary>
    public Dictionary<string, double> Options => new(_options);

    internal void SetDefault(string key, double value) => _options.TryAdd(key, value);
}
