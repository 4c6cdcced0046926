namespace Engine.Autograd;

/// <summary>
/// The backward walk. Iterative (no recursion, so a graph 100,000 nodes deep is fine): count how
/// many consumers each node has, then process nodes in reverse topological order (Kahn), summing
/// the gradients that reach each node before running it.
/// </summary>
internal static class Backprop
{
    public static void Run(Tensor root, Tensor? gradient, bool retainGraph)
    {
        if (!root.RequiresGrad)
        {
            throw new InvalidOperationException($"Backward: the tensor of shape {Tensor.ShapeString(root.ShapeSpan)} does not require grad and has no grad_fn");
        }
        Tensor seed;
        if (gradient is null)
        {
            if (root.NumEl != 1)
            {
                throw new InvalidOperationException(
                    $"Backward: grad can be implicitly created only for scalar outputs, but the output has shape {Tensor.ShapeString(root.ShapeSpan)}; pass a gradient of that shape");
            }
            seed = Tensor.OnesLike(root);
        }
        else
        {
            if (!ShapeUtil.SameShape(gradient.ShapeSpan, root.ShapeSpan))
            {
                throw new ArgumentException($"Backward: gradient has shape {Tensor.ShapeString(gradient.ShapeSpan)} but the output has shape {Tensor.ShapeString(root.ShapeSpan)}");
            }
            if (gradient.DType != root.DType || !gradient.Device.Equals(root.Device))
            {
                throw new ArgumentException($"Backward: gradient is {gradient.DType} on {gradient.Device} but the output is {root.DType} on {root.Device}");
            }
            seed = gradient;
        }

        using var noGrad = GradMode.NoGrad();
        using var profiled = Profiler.BackwardPass();
        if (root.GradFn is null)
        {
            Accumulate(root, seed);
            return;
        }

        // Pass 1: dependency counts (how many edges point at each node), iteratively.
        var deps = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Node>();
        stack.Push(root.GradFn);
        deps[root.GradFn] = 0;
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (n.IsReleased)
            {
                throw new InvalidOperationException(
                    $"Backward: trying to backward through the graph a second time (node '{n.Name}'); the graph was freed by the first Backward. Pass retainGraph: true the first time.");
            }
            foreach (var e in n.Next)
            {
                if (e.Fn is null)
                {
                    continue;
                }
                if (deps.TryGetValue(e.Fn, out int c))
                {
                    deps[e.Fn] = c + 1;
                }
                else
                {
                    deps[e.Fn] = 1;
                    stack.Push(e.Fn);
                }
            }
        }

        // Pass 2: run nodes whose every consumer has already contributed its gradient.
        var pending = new Dictionary<Node, Tensor>(ReferenceEqualityComparer.Instance) { [root.GradFn] = seed };
        var ready = new Stack<Node>();
        ready.Push(root.GradFn);
        while (ready.Count > 0)
        {
            var node = ready.Pop();
            pending.Remove(node, out var g);
            var grads = Profiler.Enabled ? Profiler.TimeBackward(node, g!) : node.Apply(g!);
            var next = node.Next;
            for (int i = 0; i < next.Length; i++)
            {
                var e = next[i];
                var gi = grads[i];
                if (e.Fn is not null)
                {
                    if (gi is not null)
                    {
                        if (pending.TryGetValue(e.Fn, out var acc))
                        {
                            pending[e.Fn] = acc.Add(gi);
                        }
                        else
                        {
                            pending[e.Fn] = gi;
                        }
                    }
                    int left = deps[e.Fn] - 1;
                    deps[e.Fn] = left;
                    if (left == 0)
                    {
                        if (pending.ContainsKey(e.Fn))
                        {
                            ready.Push(e.Fn);
                        }
                        else
                        {
                            // No gradient reached this node (every consumer returned null): skip its subgraph.
                            SkipSubgraph(e.Fn, deps, pending, ready, retainGraph);
                        }
                    }
                }
                else if (e.Leaf is not null && gi is not null)
                {
                    Accumulate(e.Leaf, gi);
                }
            }
            if (!retainGraph)
            {
                node.Release();
            }
        }
    }

    private static void SkipSubgraph(Node start, Dictionary<Node, int> deps, Dictionary<Node, Tensor> pending, Stack<Node> ready, bool retainGraph)
    {
        var stack = new Stack<Node>();
        stack.Push(start);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            foreach (var e in n.Next)
            {
                if (e.Fn is null)
                {
                    continue;
                }
                int left = deps[e.Fn] - 1;
                deps[e.Fn] = left;
                if (left == 0)
                {
                    if (pending.ContainsKey(e.Fn))
                    {
                        ready.Push(e.Fn);
                    }
                    else
                    {
                        stack.Push(e.Fn);
                    }
                }
            }
            if (!retainGraph)
            {
                n.Release();
            }
        }
    }

    private static void Accumulate(Tensor leaf, Tensor g)
    {
        // Leaf gradients outlive any TensorScope active during backward.
        using var outside = TensorScope.Suspend();
        if (leaf.Grad is null)
        {
            leaf.Grad = g.Clone();
        }
        else
        {
            leaf.Grad.AddInPlace(g);
        }
    }
}
