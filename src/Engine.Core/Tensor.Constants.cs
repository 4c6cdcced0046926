using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Engine;

public sealed partial class Tensor
{
    // Scalar operands of ops such as x * 0.5 or x.Lt(1): each distinct (value, dtype) is made once per backend and
    // reused, so on a GPU an op with a scalar costs one kernel launch, not a fill and then the op, and on the CPU it
    // allocates no tensor for the scalar. The constants are internal operands only (never returned, never written),
    // created outside any TensorScope, and on a device waited for once so every stream sees them filled.
    private const int MaxCachedConstants = 4096;
    private static readonly ConditionalWeakTable<Backends.Backend, ConcurrentDictionary<(DType, long), Tensor>> Constants = new();

    private Tensor ScalarLike(double v) => Constant(v, DType, Device);

    /// <summary>A shared, read-only 0-d tensor holding <paramref name="value"/> (for use as an op's operand only).</summary>
    internal static Tensor Constant(double value, DType dtype, Device device)
    {
        var table = Constants.GetValue(device.Backend, _ => new ConcurrentDictionary<(DType, long), Tensor>());
        var key = (dtype, BitConverter.DoubleToInt64Bits(value));
        if (table.TryGetValue(key, out var cached))
        {
            return cached;
        }
        Tensor made;
        using (TensorScopeOutside.Begin())
        {
            made = Scalar(value, dtype, device);
        }
        if (table.Count >= MaxCachedConstants)
        {
            return made;
        }
        if (device.Kind != DeviceKind.Cpu)
        {
            device.Synchronize();
        }
        return table.GetOrAdd(key, made);
    }
}
