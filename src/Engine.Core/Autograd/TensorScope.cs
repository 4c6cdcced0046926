namespace Engine;

/// <summary>
/// Collects every tensor created on this thread while it is active and disposes them when it is
/// disposed, so their memory returns to the pool (like TorchSharp's dispose scopes). Wrap each
/// training step in one; call <see cref="Keep"/> on the few results that must outlive it.
/// Parameters and their gradients are created outside scopes and are never collected.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic]
    private static TensorScope? _current;

    private readonly TensorScope? _parent;
    private readonly List<Tensor> _tensors = new();
    private bool _disposed;

    private TensorScope(TensorScope? parent)
    {
        _parent = parent;
    }

    /// <summary>Starts a scope on this thread.</summary>
    public static TensorScope Begin()
    {
        var s = new TensorScope(_current);
        _current = s;
        return s;
    }

    /// <summary>Number of tensors the scope will dispose.</summary>
    public int Count => _tensors.Count;

    /// <summary>Removes a tensor from this scope (it moves to the enclosing scope, if any) and returns it.</summary>
    public Tensor Keep(Tensor t)
    {
        if (_tensors.Remove(t))
        {
            _parent?._tensors.Add(t);
        }
        return t;
    }

    /// <summary>Disposes every tensor created in the scope that was not kept.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_current == this)
        {
            _current = _parent;
        }
        foreach (var t in _tensors)
        {
            t.Dispose();
        }
        _tensors.Clear();
    }

    internal static void Register(Tensor t) => _current?._tensors.Add(t);

    /// <summary>Stops collecting until the returned handle is disposed (for tensors that must live on).</summary>
    internal static SuspendHandle Suspend()
    {
        var h = new SuspendHandle(_current);
        _current = null;
        return h;
    }

    internal readonly struct SuspendHandle : IDisposable
    {
        private readonly TensorScope? _saved;

        public SuspendHandle(TensorScope? saved)
        {
            _saved = saved;
        }

        public void Dispose() => _current = _saved;
    }
}
