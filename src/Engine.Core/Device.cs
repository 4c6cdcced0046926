using Engine.Backends;

namespace Engine;

/// <summary>Kinds of compute device.</summary>
public enum DeviceKind
{
    /// <summary>The host CPU (SIMD kernels in Engine.Kernels.Cpu).</summary>
    Cpu,

    /// <summary>An NVIDIA GPU through ILGPU.</summary>
    Cuda,

    /// <summary>An OpenCL device through ILGPU.</summary>
    OpenCL,

    /// <summary>ILGPU's CPU accelerator (runs GPU kernels as .NET code; for tests).</summary>
    IlgpuCpu,
}

/// <summary>A place where tensors live and ops run. Each device has one <see cref="Backend"/>.</summary>
public sealed class Device : IEquatable<Device>
{
    /// <summary>The CPU device.</summary>
    public static readonly Device Cpu = new(DeviceKind.Cpu, 0, "cpu", CpuBackend.Instance);

    /// <summary>Creates a device (backends call this when they register).</summary>
    public Device(DeviceKind kind, int index, string name, Backend backend)
    {
        Kind = kind;
        Index = index;
        Name = name;
        Backend = backend;
    }

    /// <summary>Device kind.</summary>
    public DeviceKind Kind { get; }

    /// <summary>Index among devices of this kind.</summary>
    public int Index { get; }

    /// <summary>A short name such as "cpu" or "cuda:0".</summary>
    public string Name { get; }

    /// <summary>The kernels that run on this device.</summary>
    public Backend Backend { get; }

    /// <summary>Creates a new stream on this device (a no-op stream on the CPU); dispose it when done.</summary>
    public DeviceStream CreateStream() => Backend.CreateStream();

    /// <summary>Creates an event on this device, to record on a stream.</summary>
    public DeviceEvent CreateEvent() => Backend.CreateEvent();

    /// <summary>The stream ops use when no <see cref="DeviceStream.Use"/> scope is active.</summary>
    public DeviceStream DefaultStream => Backend.DefaultStream;

    /// <summary>The stream ops on this device enqueue on from this thread.</summary>
    public DeviceStream CurrentStream => DeviceStream.Current(this);

    /// <summary>Waits until all work queued on every stream of this device has finished (torch.cuda.synchronize).</summary>
    public void Synchronize() => Backend.Synchronize();

    /// <inheritdoc />
    public bool Equals(Device? other) => other is not null && other.Kind == Kind && other.Index == Index;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Device d && Equals(d);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Index);

    /// <inheritdoc />
    public override string ToString() => Name;
}
