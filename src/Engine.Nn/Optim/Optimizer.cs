using Engine.Autograd;

namespace Engine.Nn.Optim;

/// <summary>
/// The base of every optimizer (like torch.optim.Optimizer): parameter groups, per-parameter
/// state tensors, zero_grad, and a state dict that checkpoints save. Updates run in place under
/// no-grad inside a <see cref="TensorScope"/>, so temporaries go back to the pool each step.
/// </summary>
public abstract class Optimizer
{
    private readonly List<ParamGroup> _groups = new();
    private readonly Dictionary<Tensor, Dictionary<string, Tensor>> _state = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Tensor, long> _steps = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the optimizer; every group gets <paramref name="defaults"/> for options it does not set.</summary>
    protected Optimizer(IEnumerable<ParamGroup> groups, IReadOnlyDictionary<string, double> defaults)
    {
        Defaults = new Dictionary<string, double>(defaults);
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var g in groups)
        {
            foreach (var p in g.Parameters)
            {
                if (!p.IsLeaf)
                {
                    throw new ArgumentException($"{GetType().Name}: can't optimize a non-leaf tensor (shape {Shapes.Of(p)})");
                }
                if (!seen.Add(p))
                {
                    throw new ArgumentException($"{GetType().Name}: some parameters appear in more than one parameter group");
                }
            }
            foreach (var kv in defaults)
            {
                g.SetDefault(kv.Key, kv.Value);
            }
            if (g["lr"] < 0)
            {
                throw new ArgumentException($"{GetType().Name}: invalid learning rate: {g["lr"]}");
            }
            _groups.Add(g);
        }
        if (_groups.Sum(g => g.Parameters.Count) == 0)
        {
            throw new ArgumentException($"{GetType().Name}: got an empty parameter list");
        }
    }

    /// <summary>Wraps a flat parameter list as one group.</summary>
    protected static IEnumerable<ParamGroup> OneGroup(IEnumerable<Tensor> parameters) => new[] { new ParamGroup(parameters) };

    /// <summary>Default options.</summary>
    public IReadOnlyDictionary<string, double> Defaults { get; }

    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<ParamGroup> ParamGroups => _groups;

    /// <summary>Clears every parameter's gradient (sets it to null, PyTorch's default).</summary>
    public void ZeroGrad()
    {
        foreach (var g in _groups)
        {
            foreach (var p in g.Parameters)
            {
                p.Grad = null;
            }
        }
    }

    /// <summary>Applies one update to every parameter that has a gradient.</summary>
    public void Step()
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        foreach (var g in _groups)
        {
            foreach (var p in g.Parameters)
            {
                if (p.Grad is null)
                {
                    continue;
                }
                long step = _steps.GetValueOrDefault(p) + 1;
                _steps[p] = step;
                Update(g, p, p.Grad, step);
            }
        }
        EndStep();
    }

    /// <summary>
    /// Called once per <see cref="Step"/> after every <see cref="Update"/>, inside the step's scope and no-grad
    /// mode: an optimizer that defers updates to batch them (several parameters per device kernel) applies them here.
    /// </summary>
    protected virtual void EndStep()
    {
    }

    /// <summary>Updates one parameter in place; <paramref name="step"/> counts this parameter's updates from 1.</summary>
    protected abstract void Update(ParamGroup group, Tensor param, Tensor grad, long step);

    /// <summary>Replaces (or adds) a state tensor of the parameter; the optimizer keeps a reference (create it outside the step's scope).</summary>
    protected void SetState(Tensor param, string key, Tensor value)
    {
        if (!_state.TryGetValue(param, out var s))
        {
            s = new Dictionary<string, Tensor>();
            _state[param] = s;
        }
        s[key] = value;
    }

    /// <summary>A state tensor of the parameter, created (outside the step's scope) by <paramref name="init"/> on first use.</summary>
    protected Tensor State(Tensor param, string key, Func<Tensor> init)
    {
        if (!_state.TryGetValue(param, out var s))
        {
            s = new Dictionary<string, Tensor>();
            _state[param] = s;
        }
        if (!s.TryGetValue(key, out var t))
        {
            using var outside = TensorScopeOutside.Begin();
            t = init();
            s[key] = t;
        }
        return t;
    }

    /// <summary>Whether the parameter already has the state tensor.</summary>
    protected bool HasState(Tensor param, string key) => _state.TryGetValue(param, out var s) && s.ContainsKey(key);

    /// <summary>Replaces a state tensor's contents: dst = src (dst and src same shape).</summary>
    protected static void Assign(Tensor dst, Tensor src) => dst.CopyFrom_(src);

    // ---------------------------------------------------------------- state dict

    /// <summary>
    /// The optimizer's state: tensors named "state.{i}.{key}" (i counts parameters across groups in
    /// order, as PyTorch's state_dict does), per-parameter step counts as "state.{i}.step", and
    /// each group's options.
    /// </summary>
    public OptimizerStateDict StateDict()
    {
        var tensors = new OrderedDictionary<string, Tensor>();
        int i = 0;
        foreach (var g in _groups)
        {
            foreach (var p in g.Parameters)
            {
                if (_steps.TryGetValue(p, out long step))
                {
                    tensors[$"state.{i}.step"] = Tensor.FromArray(new[] { step }, new[] { 1 });
                }
                if (_state.TryGetValue(p, out var s))
                {
                    foreach (var kv in s)
                    {
                        tensors[$"state.{i}.{kv.Key}"] = kv.Value;
                    }
                }
                i++;
            }
        }
        return new OptimizerStateDict(tensors, _groups.Select(g => g.Options).ToList(), _groups.Select(g => g.Parameters.Count).ToList());
    }

    /// <summary>Checks that <paramref name="state"/> fits this optimizer; returns the problems (empty when it fits).</summary>
    public IReadOnlyList<string> Validate(OptimizerStateDict state)
    {
        var problems = new List<string>();
        if (!state.GroupSizes.SequenceEqual(_groups.Select(g => g.Parameters.Count)))
        {
            problems.Add($"parameter groups have sizes ({string.Join(", ", state.GroupSizes)}) in the checkpoint but ({string.Join(", ", _groups.Select(g => g.Parameters.Count))}) here");
            return problems;
        }
        var flat = _groups.SelectMany(g => g.Parameters).ToList();
        foreach (var kv in state.Tensors)
        {
            var parts = kv.Key.Split('.', 3);
            if (parts.Length != 3 || parts[0] != "state" || !int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out int idx) || idx < 0 || idx >= flat.Count)
            {
                problems.Add($"unexpected optimizer entry '{kv.Key}'");
                continue;
            }
            if (parts[2] != "step" && !kv.Value.Shape.SequenceEqual(flat[idx].Shape))
            {
                problems.Add($"optimizer state '{kv.Key}' has shape {Shapes.Of(kv.Value)} but parameter {idx} has shape {Shapes.Of(flat[idx])}");
            }
        }
        return problems;
    }

    /// <summary>Restores state saved by <see cref="StateDict"/>; throws without changing anything if it does not fit.</summary>
    public void LoadStateDict(OptimizerStateDict state)
    {
        var problems = Validate(state);
        if (problems.Count > 0)
        {
            throw new ArgumentException($"{GetType().Name}.LoadStateDict: the state does not fit this optimizer:\n\t" + string.Join("\n\t", problems));
        }
        var flat = _groups.SelectMany(g => g.Parameters).ToList();
        _state.Clear();
        _steps.Clear();
        using var outside = TensorScopeOutside.Begin();
        using var noGrad = GradMode.NoGrad();
        foreach (var kv in state.Tensors)
        {
            var parts = kv.Key.Split('.', 3);
            var p = flat[int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)];
            if (parts[2] == "step")
            {
                _steps[p] = (long)kv.Value.Item();
                continue;
            }
            if (!_state.TryGetValue(p, out var s))
            {
                s = new Dictionary<string, Tensor>();
                _state[p] = s;
            }
            var copy = Tensor.Empty(p.Shape, p.DType, p.Device);
            copy.CopyFrom_(kv.Value.DType == p.DType ? kv.Value : kv.Value.To(p.DType));
            s[parts[2]] = copy;
        }
        for (int i = 0; i < _groups.Count; i++)
        {
            foreach (var kv in state.Groups[i])
            {
                _groups[i][kv.Key] = kv.Value;
            }
        }
    }
}

/// <summary>An optimizer's saved state: tensors by "state.{param}.{key}" and each group's options.</summary>
public sealed record OptimizerStateDict(OrderedDictionary<string, Tensor> Tensors, IReadOnlyList<Dictionary<string, double>> Groups, IReadOnlyList<int> GroupSizes);
