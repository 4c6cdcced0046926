using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace Engine.Gpu;

/// <summary>
/// The GPU devices: CUDA, OpenCL and ILGPU's CPU accelerator (which runs the GPU kernels as .NET
/// code, for tests). Each device is created once and shared; <see cref="Auto"/> picks the best
/// one present and says which.
/// </summary>
public static class Devices
{
    private static readonly object Gate = new();
    private static readonly Dictionary<(DeviceKind, int), GpuBackend> Backends = new();
    private static Context? _context;

    /// <summary>
    /// The ILGPU CPU accelerator's thread layout: 256 threads per group (what the shared-memory
    /// kernels use) on one simulated multiprocessor. Each simulated thread is an OS thread.
    /// </summary>
    public static CPUDevice CpuSimulator { get; } = new(numThreadsPerWarp: 32, numWarpsPerMultiprocessor: 8, numMultiprocessors: 1);

    private static Context Context
    {
        get
        {
            lock (Gate)
            {
                return _context ??= Context.Create(b => b.CPU(CpuSimulator).Cuda().OpenCL().EnableAlgorithms().Math(MathMode.Default));
            }
        }
    }

    /// <summary>The shared ILGPU context (all devices live in it).</summary>
    public static Context IlgpuContext => Context;

    /// <summary>Number of CUDA devices ILGPU can use here.</summary>
    public static int CudaCount => Context.GetCudaDevices().Count;

    /// <summary>Number of OpenCL devices ILGPU can use here (devices without generic address space support are excluded).</summary>
    public static int OpenCLCount => Context.GetCLDevices().Count;

    /// <summary>CUDA device <paramref name="index"/>; throws if there is no such GPU.</summary>
    public static Device Cuda(int index = 0)
    {
        var list = Context.GetCudaDevices();
        if (index < 0 || index >= list.Count)
        {
            throw new InvalidOperationException(list.Count == 0
                ? $"cuda:{index} was requested but no CUDA device was found (no NVIDIA GPU, or no CUDA driver); use Devices.Auto() to fall back"
                : $"cuda:{index} was requested but only {list.Count} CUDA device(s) exist (cuda:0 .. cuda:{list.Count - 1})");
        }
        var dev = list[index];
        return Get(DeviceKind.Cuda, index, () => dev.CreateAccelerator(Context), $"cuda:{index}");
    }

    /// <summary>OpenCL device <paramref name="index"/>; throws if there is no such device.</summary>
    public static Device OpenCL(int index = 0)
    {
        var list = Context.GetCLDevices();
        if (index < 0 || index >= list.Count)
        {
            throw new InvalidOperationException(list.Count == 0
                ? $"opencl:{index} was requested but no usable OpenCL device was found (ILGPU needs OpenCL 2.0 with generic address space support)"
                : $"opencl:{index} was requested but only {list.Count} OpenCL device(s) exist");
        }
        var dev = list[index];
        return Get(DeviceKind.OpenCL, index, () => dev.CreateAccelerator(Context), $"opencl:{index}");
    }

    /// <summary>ILGPU's CPU accelerator (the GPU kernels run as .NET code; for tests and CI).</summary>
    public static Device IlgpuCpu() => Get(DeviceKind.IlgpuCpu, 0, () => Context.CreateCPUAccelerator(0), "ilgpu-cpu");

    /// <summary>
    /// The best device present: CUDA, then OpenCL, then the CPU. Writes one line saying what it
    /// picked to <paramref name="log"/> (standard error when null).
    /// </summary>
    public static Device Auto(TextWriter? log = null)
    {
        log ??= Console.Error;
        Device picked;
        string why;
        if (SafeCount(() => CudaCount) > 0)
        {
            picked = Cuda(0);
            why = $"CUDA GPU {Backend(picked).Accelerator.Name}";
        }
        else if (SafeCount(() => OpenCLCount) > 0)
        {
            picked = OpenCL(0);
            why = $"OpenCL device {Backend(picked).Accelerator.Name}";
        }
        else
        {
            picked = Device.Cpu;
            why = "no CUDA or OpenCL device found";
        }
        log.WriteLine($"device: auto picked {picked} ({why})");
        return picked;
    }

    /// <summary>Parses "cpu", "cuda", "cuda:1", "opencl:0", "ilgpu-cpu" or "auto".</summary>
    public static Device Parse(string name, TextWriter? log = null)
    {
        string s = name.Trim().ToLowerInvariant();
        int colon = s.IndexOf(':');
        string kind = colon < 0 ? s : s[..colon];
        int index = 0;
        if (colon >= 0 && !int.TryParse(s[(colon + 1)..], out index))
        {
            throw new ArgumentException($"device: cannot parse the index in '{name}' (expected e.g. cuda:0)");
        }
        return kind switch
        {
            "cpu" => Device.Cpu,
            "cuda" => Cuda(index),
            "opencl" => OpenCL(index),
            "ilgpu-cpu" => IlgpuCpu(),
            "auto" => Auto(log),
            _ => throw new ArgumentException($"device: unknown device '{name}' (expected cpu, cuda[:i], opencl[:i], ilgpu-cpu or auto)"),
        };
    }

    /// <summary>The GPU backend of a device created here.</summary>
    public static GpuBackend Backend(Device device) => device.Backend as GpuBackend
        ?? throw new ArgumentException($"{device} is not an ILGPU device");

    private static int SafeCount(Func<int> count)
    {
        try
        {
            return count();
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            return 0;
        }
    }

    private static Device Get(DeviceKind kind, int index, Func<Accelerator> create, string name)
    {
        lock (Gate)
        {
            if (!Backends.TryGetValue((kind, index), out var b))
            {
                b = new GpuBackend(create(), kind, index, name);
                Backends[(kind, index)] = b;
            }
            return b.Device;
        }
    }
}
