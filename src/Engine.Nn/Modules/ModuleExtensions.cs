using System.Runtime.CompilerServices;
using Engine.Autograd;

namespace Engine.Nn;

/// <summary>Module.to(device): moves a module's parameters and buffers to a device in place.</summary>
public static class ModuleExtensions
{
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_storage")]
    private static extern ref Storage? StorageField(Tensor tensor);

    /// <summary>
    /// Moves every parameter and buffer (recursively), and any gradient they hold, to
    /// <paramref name="device"/> in place, as torch's module.to(device) does: each tensor keeps its
    /// identity (layers and optimizers hold references to it) and only its memory is replaced by a copy
    /// on the device. Returns the module.
    /// </summary>
    /// <remarks>
    /// Engine.Core has no public way to replace a tensor's memory yet, so the swap goes through the
    /// tensor's private storage field (an <see cref="UnsafeAccessorAttribute"/>, resolved at first use).
    /// </remarks>
    public static TModule To<TModule>(this TModule module, Device device) where TModule : Module
    {
        using var noGrad = GradMode.NoGrad();
        foreach (var (name, p) in module.NamedParameters())
        {
            Move(p, device, name);
        }
        foreach (var (name, b) in module.NamedBuffers())
        {
            Move(b, device, name);
        }
        return module;
    }

    private static void Move(Tensor t, Device device, string name)
    {
        if (t.Device.Equals(device))
        {
            return;
        }
        if (!t.IsContiguous || t.Offset != 0 || t.Storage.Length != t.NumEl)
        {
            throw new ArgumentException($"Module.To: {name} {Shapes.Of(t)} is a view (offset {t.Offset}, storage of {t.Storage.Length}); only whole contiguous tensors can move in place");
        }
        if (t.Grad is not null)
        {
            t.Grad = t.Grad.To(device).Detach();
        }
        Tensor copy;
        using (TensorScopeOutside.Begin())
        {
            copy = t.To(device).Detach();
        }
        // Swap the storages: t now views the device copy, and disposing the copy releases the old memory.
        ref var mine = ref StorageField(t);
        ref var theirs = ref StorageField(copy);
        (mine, theirs) = (theirs, mine);
        copy.Dispose();
    }
}
