namespace Engine.Autograd;

/// <summary>Whether operations record the graph on this thread (on by default).</summary>
public static class GradMode
{
    [ThreadStatic]
    private static int _disabledDepth;

    /// <summary>True when ops on tensors that require gradients record graph nodes.</summary>
    public static bool IsEnabled => _disabledDepth == 0;

    /// <summary>Turns recording off until the returned scope is disposed (like torch.no_grad()).</summary>
    public static NoGradScope NoGrad() => new();

    internal static void Push() => _disabledDepth++;

    internal static void Pop() => _disabledDepth--;
}

/// <summary>A region in which no graph is recorded; dispose it to leave.</summary>
public readonly struct NoGradScope : IDisposable
{
    /// <summary>Enters the region.</summary>
    public NoGradScope()
    {
        GradMode.Push();
    }

    /// <summary>Leaves the region.</summary>
    public void Dispose() => GradMode.Pop();
}
