namespace Engine.Nn;

/// <summary>Runs modules one after another (torch.nn.Sequential); children are named "0", "1", ...</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> _layers = new();

    /// <summary>Creates the chain.</summary>
    public Sequential(params Module<Tensor, Tensor>[] layers)
    {
        foreach (var l in layers)
        {
            Append(l);
        }
    }

    /// <summary>Creates the chain with named children.</summary>
    public Sequential(params (string Name, Module<Tensor, Tensor> Module)[] layers)
    {
        foreach (var (name, l) in layers)
        {
            RegisterModule(name, l);
            _layers.Add(l);
        }
    }

    /// <summary>Adds a module at the end; returns this.</summary>
    public Sequential Append(Module<Tensor, Tensor> layer)
    {
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>Number of modules.</summary>
    public int Count => _layers.Count;

    /// <summary>The module at <paramref name="index"/>.</summary>
    public Module<Tensor, Tensor> this[int index] => _layers[index];

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var l in _layers)
        {
            x = l.Forward(x);
        }
        return x;
    }
}

/// <summary>Holds submodules in a list so their parameters are registered (torch.nn.ModuleList).</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> _items = new();

    /// <summary>Creates the list.</summary>
    public ModuleList(params T[] items)
    {
        foreach (var m in items)
        {
            Add(m);
        }
    }

    /// <inheritdoc />
    public override string TypeName => "ModuleList";

    /// <summary>Appends a module (named by its index).</summary>
    public void Add(T module)
    {
        RegisterModule(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _items.Add(module);
    }

    /// <inheritdoc />
    public T this[int index] => _items[index];

    /// <inheritdoc />
    public int Count => _items.Count;

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
