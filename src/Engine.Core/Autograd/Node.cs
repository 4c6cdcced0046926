namespace Engine.Autograd;

/// <summary>
/// Where the gradient for one input of a node goes: to the node that produced the input, or,
/// for a leaf that requires gradients, into the leaf itself.
/// </summary>
internal readonly struct Edge
{
    public Edge(Node? fn, Tensor? leaf, int[] shape)
    {
        Fn = fn;
        Leaf = leaf;
        Shape = shape;
    }

    public Node? Fn { get; }

    public Tensor? Leaf { get; }

    public int[] Shape { get; }

    public bool IsLive => Fn is not null || Leaf is not null;
}

/// <summary>
/// A recorded operation in the autograd graph: how to turn the gradient of its output into
/// gradients of its inputs. Created by ops through <see cref="Node.Record"/>.
/// </summary>
public sealed class Node
{
    private Func<Tensor, Tensor?[]>? _backward;
    private Tensor[]? _saved;
    private int[]? _savedVersions;

    private Node(string name, Edge[] next, Func<Tensor, Tensor?[]> backward, Tensor[]? saved)
    {
        Name = name;
        Next = next;
        _backward = backward;
        _saved = saved;
        if (saved is not null)
        {
            _savedVersions = new int[saved.Length];
            for (int i = 0; i < saved.Length; i++)
            {
                _savedVersions[i] = saved[i].Storage.Version;
            }
        }
    }

    /// <summary>The op's name, e.g. "mul" (used in error messages).</summary>
    public string Name { get; }

    internal Edge[] Next { get; private set; }

    /// <summary>Whether the graph behind this node was already freed by a backward pass.</summary>
    public bool IsReleased => _backward is null;

    /// <summary>
    /// Records <paramref name="output"/> as produced by an op on <paramref name="inputs"/>, if grad
    /// mode is on and any input requires gradients. <paramref name="backward"/> maps the output's
    /// gradient to one gradient per input (null where an input needs none). Tensors in
    /// <paramref name="saved"/> are checked for in-place changes before backward runs.
    /// </summary>
    public static Tensor Record(string name, Tensor output, ReadOnlySpan<Tensor> inputs, Func<Tensor, Tensor?[]> backward, params Tensor[] saved)
    {
        if (Profiler.Enabled)
        {
            Profiler.OnForward(name);
        }
        if (!GradMode.IsEnabled)
        {
            return output;
        }
        bool any = false;
        foreach (var t in inputs)
        {
            any |= t.RequiresGrad;
        }
        if (!any)
        {
            return output;
        }
        var next = new Edge[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            var t = inputs[i];
            if (t.RequiresGrad)
            {
                next[i] = t.GradFn is not null ? new Edge(t.GradFn, null, t.ShapeArray) : new Edge(null, t, t.ShapeArray);
            }
        }
        output.GradFn = new Node(name, next, backward, saved.Length == 0 ? null : saved);
        output.RequiresGrad = true;
        return output;
    }

    /// <summary>Whether input <paramref name="i"/> of this node needs a gradient (lets backward skip work).</summary>
    public bool NeedsGrad(int i) => Next[i].IsLive;

    internal Tensor?[] Apply(Tensor grad)
    {
        var fn = _backward ?? throw new InvalidOperationException(
            $"Backward: trying to backward through the graph a second time (node '{Name}'); the graph was freed by the first Backward. Pass retainGraph: true the first time.");
        if (_saved is not null)
        {
            for (int i = 0; i < _saved.Length; i++)
            {
                var s = _saved[i];
                if (s.IsDisposed)
                {
                    throw new ObjectDisposedException(nameof(Tensor), $"Backward of '{Name}': a tensor saved for the gradient (shape {Tensor.ShapeString(s.ShapeSpan)}) was disposed before Backward");
                }
                if (s.Storage.Version != _savedVersions![i])
                {
                    throw new InvalidOperationException(
                        $"Backward of '{Name}': a tensor of shape {Tensor.ShapeString(s.ShapeSpan)} needed for the gradient was modified by an in-place operation (version {_savedVersions[i]} -> {s.Storage.Version})");
                }
            }
        }
        var grads = fn(grad);
        if (grads.Length != Next.Length)
        {
            throw new InvalidOperationException($"Backward of '{Name}': returned {grads.Length} gradients for {Next.Length} inputs");
        }
        for (int i = 0; i < grads.Length; i++)
        {
            var g = grads[i];
            if (g is not null && Next[i].IsLive && !ShapeUtil.SameShape(g.ShapeSpan, Next[i].Shape))
            {
                throw new InvalidOperationException(
                    $"Backward of '{Name}': gradient for input {i} has shape {Tensor.ShapeString(g.ShapeSpan)} but the input has shape {Tensor.ShapeString(Next[i].Shape)}");
            }
        }
        return grads;
    }

    internal void Release()
    {
        _backward = null;
        _saved = null;
        _savedVersions = null;
        Next = Array.Empty<Edge>();
    }

    /// <inheritdoc />
    public override string ToString() => $"<{Name}Backward>";
}
