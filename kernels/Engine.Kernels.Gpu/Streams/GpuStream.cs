using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Engine.Gpu;

/// <summary>
/// A stream of an ILGPU device. Created streams on CUDA are ordinary (blocking) CUDA streams: they run
/// independently of each other, and the device's default stream stays ordered with all of them (CUDA's legacy
/// default-stream rule), so tensors made on the default stream may be used inside a stream scope without a wait.
/// On ILGPU's CPU accelerator every op runs to completion before the next starts, so streams there order nothing
/// and only the bookkeeping (current stream, events, the allocator's rule) is exercised.
/// </summary>
public sealed class GpuStream : DeviceStream
{
    private readonly GpuBackend _backend;
    private readonly AcceleratorStream _stream;

    internal GpuStream(GpuBackend backend, AcceleratorStream stream, bool isDefault) : base(backend.Device, isDefault)
    {
        _backend = backend;
        _stream = stream;
    }

    /// <summary>The ILGPU stream kernels are launched on.</summary>
    public AcceleratorStream Native
    {
        get
        {
            ThrowIfDisposed();
            return _stream;
        }
    }

    internal static AcceleratorStream CreateNative(Accelerator acc) => acc is CudaAccelerator cuda
        ? cuda.CreateStream(StreamFlags.CU_STREAM_DEFAULT)
        : acc.CreateStream();

    /// <inheritdoc />
    protected override void SynchronizeCore()
    {
        _backend.Bind();
        _stream.Synchronize();
        if (_backend.Accelerator.AcceleratorType == AcceleratorType.CPU)
        {
            // ILGPU's CPU streams do not track their kernels; the accelerator does.
            _backend.Accelerator.Synchronize();
        }
        _backend.Allocator.StreamSynchronized(this);
    }

    /// <inheritdoc />
    protected override void WaitEventCore(DeviceEvent e) => ((GpuEvent)e).MakeWait(this);

    /// <inheritdoc />
    protected override void DisposeCore()
    {
        // Finish the queued work first, so the blocks freed on this stream can go back to the pool.
        SynchronizeCore();
        _stream.Dispose();
    }
}
