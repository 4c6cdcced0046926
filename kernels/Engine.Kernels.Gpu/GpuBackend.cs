using System.Collections.Concurrent;
using System.Reflection;
using Engine.Backends;
using ILGPU;
using ILGPU.Runtime;

namespace Engine.Gpu;

/// <summary>
/// The ILGPU backend: the primitive kernels of <see cref="Backend"/> on one accelerator (CUDA,
/// OpenCL or ILGPU's CPU accelerator). Every kernel is compiled once per closed generic
/// instantiation (dtype and functor) and cached. Launches go to the thread's current stream of the
/// device (<see cref="DeviceStream.Current"/>: the default stream unless a stream scope is active), so
/// the kernels of one stream run in order; reads back to the host synchronise the device.
/// </summary>
public sealed partial class GpuBackend : Backend, IDisposable
{
    private readonly Accelerator _acc;
    private readonly ConcurrentDictionary<MethodInfo, Delegate> _kernels = new();
    private readonly MemoryBuffer1D<long, Stride1D.Dense> _err;
    private readonly int _maxThreads;
    private readonly int _maxGroups;
    private readonly int _multiprocessors;
    private readonly bool _serialize;
    private readonly GpuStream _defaultStream;

    internal GpuBackend(Accelerator accelerator, DeviceKind kind, int index, string name)
    {
        _acc = accelerator;
        Device = new Device(kind, index, name, this);
        Allocator = new DeviceAllocator(accelerator, name);
        _defaultStream = new GpuStream(this, accelerator.DefaultStream, isDefault: true);
        _err = accelerator.Allocate1D<long>(2);
        _maxThreads = Math.Max(1, accelerator.MaxNumThreads);
        // ILGPU's CPU accelerator runs each thread of a group as an OS thread and a barrier wakes
        // them all, so row kernels there use small groups; real GPUs get full 256-thread groups.
        RowGroupSize = accelerator.AcceleratorType == AcceleratorType.CPU ? CpuRowGroupSize : 256;
        // Enough groups of 256 threads to fill every multiprocessor a few times over.
        _multiprocessors = Math.Max(1, accelerator.NumMultiprocessors);
        _serialize = accelerator.AcceleratorType == AcceleratorType.CPU;
        _maxGroups = Math.Max(1, accelerator.NumMultiprocessors * Math.Max(1, accelerator.MaxNumThreadsPerMultiprocessor / 256) * 4);
    }

    /// <summary>Threads per group of the row kernels (reductions, softmax) on ILGPU's CPU accelerator.</summary>
    public const int CpuRowGroupSize = 16;

    /// <summary>Threads per group of the row kernels (reductions, softmax): a power of two up to 256.</summary>
    public int RowGroupSize { get; }

    /// <summary>The device whose tensors this backend runs.</summary>
    public Device Device { get; }

    /// <summary>The ILGPU accelerator.</summary>
    public Accelerator Accelerator => _acc;

    /// <summary>The caching allocator of device memory.</summary>
    public DeviceAllocator Allocator { get; }

    /// <summary>Number of distinct kernels compiled so far (each is compiled once).</summary>
    public int CompiledKernelCount => _kernels.Count;

    /// <summary>Kernel lookups so far (one per kernel an op asks for; an op may launch a looked-up kernel several times).</summary>
    public long KernelLookups => Interlocked.Read(ref _lookups);

    /// <summary>Kernel launches so far, on every stream (to count the launches of, say, a training step).</summary>
    public long KernelLaunches => Interlocked.Read(ref _launches);

    private long _lookups;
    private long _launches;
    private ConcurrentDictionary<string, long>? _byKernel;
    private bool _withCallers;

    /// <summary>
    /// Starts (or, with false, stops) counting launches per kernel method for <see cref="LaunchesByKernel"/>;
    /// starting clears the counts. Off by default (it costs a dictionary update per launch). With
    /// <paramref name="withCallers"/> each key also names the first callers outside this assembly (slow: a stack
    /// trace per launch; for finding which ops launch what).
    /// </summary>
    public void CountLaunchesByKernel(bool on, bool withCallers = false)
    {
        _byKernel = on ? new ConcurrentDictionary<string, long>() : null;
        _withCallers = on && withCallers;
    }

    /// <summary>Launches per kernel (declaring type and method, generic arguments included) since counting started.</summary>
    public IReadOnlyDictionary<string, long> LaunchesByKernel()
        => _byKernel is { } d ? new Dictionary<string, long>(d) : new Dictionary<string, long>();

    /// <summary>Counts one launch of the kernel <paramref name="name"/> (called by every launcher).</summary>
    internal void Launched(string name)
    {
        Interlocked.Increment(ref _launches);
        if (_byKernel is { } counts)
        {
            string key = _withCallers ? name + " <- " + Callers() : name;
            counts.AddOrUpdate(key, 1, static (_, c) => c + 1);
        }
    }

    private long _memsets;

    /// <summary>Device memsets so far (zero-filled allocations and cleared error flags): queued device work that is not a kernel launch.</summary>
    public long Memsets => Interlocked.Read(ref _memsets);

    internal void CountMemset() => Interlocked.Increment(ref _memsets);

    /// <summary>Waits until every queued kernel and copy, on every stream, has finished.</summary>
    public override void Synchronize()
    {
        Bind();
        _acc.Synchronize();
        Allocator.DeviceSynchronized();
    }

    /// <inheritdoc />
    public override DeviceStream DefaultStream => _defaultStream;

    /// <inheritdoc />
    public override DeviceStream CreateStream()
    {
        Bind();
        return new GpuStream(this, GpuStream.CreateNative(_acc), isDefault: false);
    }

    /// <inheritdoc />
    public override DeviceEvent CreateEvent() => GpuEvent.Create(this);

    /// <summary>The stream this thread's ops on the device enqueue on.</summary>
    internal GpuStream CurrentStream => (GpuStream)DeviceStream.Current(Device);

    /// <summary>The ILGPU stream of <see cref="CurrentStream"/> (what launchers, memsets and copies use).</summary>
    internal AcceleratorStream S => CurrentStream.Native;

    /// <inheritdoc />
    public void Dispose()
    {
        Allocator.Dispose();
        _err.Dispose();
    }

    /// <summary>
    /// Binds the accelerator to this thread before an op launches kernels. On ILGPU's CPU
    /// accelerator it also waits for the kernels queued so far: there, results were seen used or
    /// read back before their kernel had finished (a GEMM reading C before the copy into it was
    /// done; an exp read back as zeros when the test assemblies ran side by side), so the test
    /// device runs one op at a time. Real GPUs order kernels on the stream and skip the wait.
    /// </summary>
    internal void Bind()
    {
        if (!ReferenceEquals(Accelerator.Current, _acc))
        {
            _acc.Bind();
        }
        if (_serialize)
        {
            _acc.Synchronize();
        }
    }

    /// <summary>Threads for a grid-stride launch over n items.</summary>
    internal int Extent(long n) => (int)Math.Clamp(n, 1, _maxThreads);

    /// <summary>Groups for a grid-stride launch over n group-sized items.</summary>
    internal int Groups(long n) => (int)Math.Clamp(n, 1, _maxGroups);

    /// <summary>Returns the cached launcher of a kernel, compiling it on first use.</summary>
    internal TDel Kernel<TDel>(MethodInfo method, Func<KernelLoader, MethodInfo, TDel> load) where TDel : Delegate
    {
        Interlocked.Increment(ref _lookups);
        if (_kernels.TryGetValue(method, out var d))
        {
            return (TDel)d;
        }
        var k = load(new KernelLoader(this), method);
        _kernels[method] = k;
        return k;
    }

    private static string Callers()
    {
        var frames = new System.Diagnostics.StackTrace(3, false).GetFrames();
        var names = new List<string>(4);
        foreach (var f in frames)
        {
            var m = f.GetMethod();
            if (m?.DeclaringType is not { } t || t.Assembly == typeof(GpuBackend).Assembly)
            {
                continue;
            }
            names.Add($"{t.Name}.{m.Name}");
            if (names.Count == 4)
            {
                break;
            }
        }
        return string.Join(" <- ", names);
    }

    internal static string KernelName(MethodInfo m)
    {
        string args = m.IsGenericMethod ? "<" + string.Join(",", m.GetGenericArguments().Select(t => t.Name)) + ">" : "";
        return $"{m.DeclaringType?.Name}.{m.Name}{args}";
    }

    internal static GpuStorage G(Storage s) => s as GpuStorage
        ?? throw new ArgumentException($"expected storage on a GPU device, got one on {s.Device}");

    internal ArrayView<T> V<T>(Storage s) where T : unmanaged
    {
        var g = G(s);
        if (!ReferenceEquals(g.Device.Backend, this))
        {
            throw new ArgumentException($"a tensor on {g.Device} was passed to an op running on {Device}");
        }
        return g.View<T>();
    }

    /// <summary>Reads the error flag of an indexing kernel and throws what the CPU backend throws.</summary>
    internal void ThrowIfIndexError(string op, int size)
    {
        var host = new long[2];
        _acc.Synchronize();
        Allocator.DeviceSynchronized();
        _err.View.CopyToCPU(host);
        if (host[0] != 0)
        {
            throw new IndexOutOfRangeException($"{op}: index {host[1]} is out of bounds for dimension with size {size}");
        }
    }

    internal ArrayView<long> ClearedErrorFlag()
    {
        CountMemset();
        _err.View.MemSetToZero(S);
        return _err.View;
    }
}
