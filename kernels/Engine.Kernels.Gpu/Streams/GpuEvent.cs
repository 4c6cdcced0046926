using System.Diagnostics;
using System.Runtime.InteropServices;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Engine.Gpu;

/// <summary>An event of an ILGPU device: a CUDA event on CUDA, a host-side marker elsewhere.</summary>
internal abstract class GpuEvent : DeviceEvent
{
    protected GpuEvent(GpuBackend backend) : base(backend.Device)
    {
        Backend = backend;
    }

    protected GpuBackend Backend { get; }

    /// <summary>Makes <paramref name="waiter"/> wait for this event's recorded work.</summary>
    public abstract void MakeWait(GpuStream waiter);

    public static GpuEvent Create(GpuBackend backend) => backend.Accelerator is CudaAccelerator
        ? new CudaGpuEvent(backend)
        : new HostMarkedGpuEvent(backend);
}

/// <summary>
/// A CUDA event (cuEventRecord on the stream; cuStreamWaitEvent makes another stream wait on the device, without
/// blocking the host; cuEventElapsedTime times the work between two).
/// </summary>
internal sealed class CudaGpuEvent : GpuEvent
{
    private IntPtr _event;

    public CudaGpuEvent(GpuBackend backend) : base(backend)
    {
    }

    ~CudaGpuEvent()
    {
        // Finalizer: release the native event, ignore every failure (the context may be gone at shutdown).
        var e = Interlocked.Exchange(ref _event, IntPtr.Zero);
        if (e != IntPtr.Zero)
        {
            try
            {
                CudaAPI.CurrentAPI.DestroyEvent(e);
            }
            catch (Exception)
            {
                // Never throw from a finalizer.
            }
        }
    }

    protected override void RecordCore(DeviceStream stream)
    {
        Backend.Bind();
        if (_event == IntPtr.Zero)
        {
            CudaException.ThrowIfFailed(CudaAPI.CurrentAPI.CreateEvent(out var e, CudaEventFlags.CU_EVENT_DEFAULT));
            _event = e;
        }
        CudaException.ThrowIfFailed(CudaAPI.CurrentAPI.RecordEvent(_event, StreamPtr((GpuStream)stream)));
    }

    protected override void SynchronizeCore()
    {
        Backend.Bind();
        CudaException.ThrowIfFailed(CudaAPI.CurrentAPI.SynchronizeEvent(_event));
    }

    protected override double ElapsedCore(DeviceEvent end)
    {
        var other = (CudaGpuEvent)end;
        SynchronizeCore();
        other.SynchronizeCore();
        CudaException.ThrowIfFailed(CudaAPI.CurrentAPI.ElapsedTime(out float ms, _event, other._event));
        return ms;
    }

    public override void MakeWait(GpuStream waiter)
    {
        Backend.Bind();
        if (!CudaStreamWait.TryWait(StreamPtr(waiter), _event))
        {
            // No cuStreamWaitEvent in the driver library: the host waits instead (same order, less overlap).
            SynchronizeCore();
        }
    }

    protected override void DisposeCore()
    {
        var e = Interlocked.Exchange(ref _event, IntPtr.Zero);
        if (e != IntPtr.Zero)
        {
            Backend.Bind();
            CudaAPI.CurrentAPI.DestroyEvent(e);
        }
    }

    private static IntPtr StreamPtr(GpuStream s) => ((CudaStream)s.Native).StreamPtr;
}

/// <summary>cuStreamWaitEvent, which ILGPU's CudaAPI does not expose, looked up once in the driver library.</summary>
internal static unsafe class CudaStreamWait
{
    private static readonly IntPtr Fn = Load();

    public static bool TryWait(IntPtr stream, IntPtr cudaEvent)
    {
        if (Fn == IntPtr.Zero)
        {
            return false;
        }
        int err = ((delegate* unmanaged<IntPtr, IntPtr, uint, int>)Fn)(stream, cudaEvent, 0);
        if (err != 0)
        {
            throw new InvalidOperationException($"cuStreamWaitEvent failed with CUDA error {err}");
        }
        return true;
    }

    private static IntPtr Load()
    {
        foreach (var name in new[] { "libcuda.so.1", "libcuda.so", "nvcuda.dll" })
        {
            if (NativeLibrary.TryLoad(name, out var lib) && NativeLibrary.TryGetExport(lib, "cuStreamWaitEvent", out var fn))
            {
                return fn;
            }
        }
        return IntPtr.Zero;
    }
}

/// <summary>
/// An event where the device offers no native one to wait on (ILGPU's CPU accelerator, OpenCL): recording waits
/// for the stream's queued work and takes a host timestamp, so a later wait has nothing left to wait for and the
/// time between two events is the host time between the points where their work had finished.
/// </summary>
internal sealed class HostMarkedGpuEvent : GpuEvent
{
    private long _stamp;

    public HostMarkedGpuEvent(GpuBackend backend) : base(backend)
    {
    }

    protected override void RecordCore(DeviceStream stream)
    {
        Backend.Bind();
        ((GpuStream)stream).Native.Synchronize();
        if (Backend.Accelerator.AcceleratorType == AcceleratorType.CPU)
        {
            Backend.Accelerator.Synchronize();
        }
        _stamp = Stopwatch.GetTimestamp();
    }

    protected override void SynchronizeCore()
    {
    }

    protected override double ElapsedCore(DeviceEvent end)
        => Stopwatch.GetElapsedTime(_stamp, ((HostMarkedGpuEvent)end)._stamp).TotalMilliseconds;

    public override void MakeWait(GpuStream waiter)
    {
    }
}
