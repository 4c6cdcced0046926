using System.Text;
using Engine.Autograd;

namespace Engine.Nn;

/// <summary>
/// The base of every layer, like torch.nn.Module. A module registers its parameters, buffers and
/// submodules explicitly by name (in its constructor), so names, state dicts and printing come
/// from that registry, not from reflection. Order of registration is the order of iteration.
/// </summary>
public abstract partial class Module
{
    private readonly OrderedDictionary<string, Tensor?> _parameters = new();
    private readonly OrderedDictionary<string, Tensor?> _buffers = new();
    private readonly HashSet<string> _nonPersistent = new();
    private readonly OrderedDictionary<string, Module?> _modules = new();

    /// <summary>True in training mode (the default), false after <see cref="Eval"/>.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>The name printed in the repr (the class name by default).</summary>
    public virtual string TypeName => GetType().Name;

    private void CheckName(string name, string what)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
        {
            throw new ArgumentException($"{TypeName}: {what} name '{name}' must be non-empty and contain no '.'");
        }
        bool taken = (_parameters.ContainsKey(name) && what != "parameter") || (_buffers.ContainsKey(name) && what != "buffer") || (_modules.ContainsKey(name) && what != "module");
        if (taken)
        {
            throw new ArgumentException($"{TypeName}: attribute '{name}' is already registered as something other than a {what}");
        }
    }

    /// <summary>
    /// Registers (or replaces) a parameter: a leaf tensor that requires gradients unless
    /// <paramref name="requiresGrad"/> is off. Null registers an absent parameter (e.g. no bias).
    /// </summary>
    protected Tensor? RegisterParameter(string name, Tensor? value, bool requiresGrad = true)
    {
        CheckName(name, "parameter");
        if (value is not null)
        {
            if (!value.IsLeaf)
            {
                throw new ArgumentException($"{TypeName}: parameter '{name}' must be a leaf tensor (use Detach())");
            }
            value.RequiresGrad = requiresGrad;
        }
        _parameters[name] = value;
        return value;
    }

    /// <summary>Registers (or replaces) a buffer: state that is saved but not trained (running statistics).</summary>
    protected Tensor? RegisterBuffer(string name, Tensor? value, bool persistent = true)
    {
        CheckName(name, "buffer");
        _buffers[name] = value;
        if (persistent)
        {
            _nonPersistent.Remove(name);
        }
        else
        {
            _nonPersistent.Add(name);
        }
        return value;
    }

    /// <summary>Registers (or replaces) a submodule under <paramref name="name"/>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module?
    {
        CheckName(name, "module");
        _modules[name] = module;
        return module;
    }

    /// <summary>The parameter registered directly on this module under <paramref name="name"/> (null if absent).</summary>
    public Tensor? GetParameter(string name) => _parameters.TryGetValue(name, out var p) ? p : null;

    /// <summary>The buffer registered directly on this module under <paramref name="name"/> (null if absent).</summary>
    public Tensor? GetBuffer(string name) => _buffers.TryGetValue(name, out var b) ? b : null;

    /// <summary>The direct submodule named <paramref name="name"/> (null if absent).</summary>
    public Module? GetSubmodule(string name) => _modules.TryGetValue(name, out var m) ? m : null;

    /// <summary>Direct submodules with their names, in registration order (absent ones skipped).</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren()
    {
        foreach (var kv in _modules)
        {
            if (kv.Value is not null)
            {
                yield return (kv.Key, kv.Value);
            }
        }
    }

    /// <summary>Direct submodules.</summary>
    public IEnumerable<Module> Children() => NamedChildren().Select(c => c.Module);

    /// <summary>This module and all below it, with dotted names ("" for this one), depth first.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        // Iterative walk; a module reachable twice is reported once (as PyTorch does).
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(string, Module)>();
        stack.Push((prefix, this));
        while (stack.Count > 0)
        {
            var (name, m) = stack.Pop();
            if (!seen.Add(m))
            {
                continue;
            }
            yield return (name, m);
            var kids = m.NamedChildren().ToList();
            for (int i = kids.Count - 1; i >= 0; i--)
            {
                stack.Push((Join(name, kids[i].Name), kids[i].Module));
            }
        }
    }

    /// <summary>This module and all below it.</summary>
    public IEnumerable<Module> Modules() => NamedModules().Select(m => m.Module);

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    /// <summary>Parameters with dotted names (e.g. "encoder.0.weight"); each tensor is reported once.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(bool recurse = true)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var modules = recurse ? NamedModules() : new[] { ("", this) };
        foreach (var (prefix, m) in modules)
        {
            foreach (var kv in m._parameters)
            {
                if (kv.Value is not null && seen.Add(kv.Value))
                {
                    yield return (Join(prefix, kv.Key), kv.Value);
                }
            }
        }
    }

    /// <summary>All parameters (each once).</summary>
    public IEnumerable<Tensor> Parameters(bool recurse = true) => NamedParameters(recurse).Select(p => p.Parameter);

    /// <summary>Buffers with dotted names.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(bool recurse = true)
    {
        var modules = recurse ? NamedModules() : new[] { ("", this) };
        foreach (var (prefix, m) in modules)
        {
            foreach (var kv in m._buffers)
            {
                if (kv.Value is not null)
                {
                    yield return (Join(prefix, kv.Key), kv.Value);
                }
            }
        }
    }

    /// <summary>Number of parameter elements (only those that require gradients when <paramref name="trainableOnly"/>).</summary>
    public long NumParameters(bool trainableOnly = false)
    {
        long n = 0;
        foreach (var p in Parameters())
        {
            if (!trainableOnly || p.RequiresGrad)
            {
                n += p.NumEl;
            }
        }
        return n;
    }

    /// <summary>Sets training mode on this module and every submodule; returns this.</summary>
    public Module Train(bool mode = true)
    {
        foreach (var m in Modules())
        {
            m.Training = mode;
        }
        return this;
    }

    /// <summary>Sets evaluation mode (Train(false)); returns this.</summary>
    public Module Eval() => Train(false);

    /// <summary>Clears the gradients of every parameter (sets them to null, as PyTorch's default).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters())
        {
            p.Grad = null;
        }
    }

    /// <summary>Turns gradients on or off for every parameter (freezing); returns this.</summary>
    public Module RequiresGrad_(bool requires = true)
    {
        foreach (var p in Parameters())
        {
            p.RequiresGrad = requires;
        }
        return this;
    }

    /// <summary>Calls <paramref name="fn"/> on every submodule, children first, then on this one (like Module.apply).</summary>
    public Module Apply(Action<Module> fn)
    {
        foreach (var c in Children())
        {
            c.Apply(fn);
        }
        fn(this);
        return this;
    }

    // ---------------------------------------------------------------- printing

    /// <summary>The part printed inside the parentheses of a leaf module, e.g. "in_features=3, out_features=4".</summary>
    public virtual string ExtraRepr() => "";

    /// <summary>A multi-line summary in the style of PyTorch's module repr.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        WriteRepr(sb, 0);
        return sb.ToString();
    }

    private void WriteRepr(StringBuilder sb, int indent)
    {
        var kids = NamedChildren().ToList();
        var extra = ExtraRepr();
        sb.Append(TypeName).Append('(');
        if (kids.Count == 0)
        {
            sb.Append(extra).Append(')');
            return;
        }
        string pad = new(' ', indent + 2);
        if (extra.Length > 0)
        {
            sb.Append('\n').Append(pad).Append(extra);
        }
        foreach (var (name, m) in kids)
        {
            sb.Append('\n').Append(pad).Append('(').Append(name).Append("): ");
            m.WriteRepr(sb, indent + 2);
        }
        sb.Append('\n').Append(new string(' ', indent)).Append(')');
    }

    /// <summary>Creates a tensor outside any active <see cref="TensorScope"/> and outside the graph (for parameters and state).</summary>
    protected internal static Tensor Persistent(Func<Tensor> create)
    {
        using var outside = TensorScopeOutside.Begin();
        using var noGrad = GradMode.NoGrad();
        return create();
    }

    internal OrderedDictionary<string, Tensor?> ParameterSlots => _parameters;

    internal OrderedDictionary<string, Tensor?> BufferSlots => _buffers;

    internal bool IsPersistentBuffer(string name) => !_nonPersistent.Contains(name);
}

/// <summary>A module with one input and one output, so it can sit in a <see cref="Sequential"/>.</summary>
public abstract class Module<TIn, TOut> : Module
{
    /// <summary>Computes the module's output.</summary>
    public abstract TOut Forward(TIn input);

    /// <summary>Same as <see cref="Forward"/> (reads like calling a torch module).</summary>
    public TOut Call(TIn input) => Forward(input);
}
