namespace Engine;

/// <summary>
/// Lets higher layers (modules, optimizers) create tensors that must outlive the active
/// <see cref="TensorScope"/>, such as parameters, running statistics and optimizer state.
/// </summary>
public static class TensorScopeOutside
{
    /// <summary>Stops the current thread's scope from collecting new tensors until the handle is disposed.</summary>
    public static OutsideHandle Begin() => new(TensorScope.Suspend());

    /// <summary>Restores collection into the suspended scope when disposed.</summary>
    public readonly struct OutsideHandle : IDisposable
    {
        private readonly TensorScope.SuspendHandle _inner;

        internal OutsideHandle(TensorScope.SuspendHandle inner)
        {
            _inner = inner;
        }

        /// <summary>Leaves the region.</summary>
        public void Dispose() => _inner.Dispose();
    }
}
