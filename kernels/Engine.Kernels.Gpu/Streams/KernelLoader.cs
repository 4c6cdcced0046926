using ILGPU;
using ILGPU.Runtime;

namespace Engine.Gpu;

/// <summary>
/// What a kernel's loader receives in <see cref="GpuBackend.Kernel{TDel}"/>: the same LoadAutoGroupedStreamKernel and
/// LoadStreamKernel calls as ILGPU's accelerator offers, but the launchers they return enqueue on the thread's
/// current stream of the device (<see cref="DeviceStream.Current"/>) instead of the accelerator's default stream,
/// and count each launch (<see cref="GpuBackend.KernelLaunches"/>). Generated for 1 to 14 kernel parameters.
/// </summary>
internal readonly struct KernelLoader
{
    private readonly GpuBackend _backend;

    public KernelLoader(GpuBackend backend)
    {
        _backend = backend;
    }

    /// <summary>The accelerator the kernels are compiled for.</summary>
    public Accelerator Accelerator => _backend.Accelerator;

    /// <summary>An implicitly grouped kernel launched on the current stream (1 parameter).</summary>
    public Action<TIndex, T1> LoadAutoGroupedStreamKernel<TIndex, T1>(Action<TIndex, T1> kernel) where TIndex : struct, IIndex where T1 : struct
    {
        var k = _backend.Accelerator.LoadAutoGroupedKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (index, a1) =>
        {
            b.Launched(name);
            k(b.S, index, a1);
        };
    }

    /// <summary>An explicitly grouped kernel launched on the current stream (1 parameter).</summary>
    public Action<KernelConfig, T1> LoadStreamKernel<T1>(Action<T1> kernel) where T1 : struct
    {
        var k = _backend.Accelerator.LoadKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (config, a1) =>
        {
            b.Launched(name);
            k(b.S, config, a1);
        };
    }

    /// <summary>An implicitly grouped kernel launched on the current stream (2 parameters).</summary>
    public Action<TIndex, T1, T2> LoadAutoGroupedStreamKernel<TIndex, T1, T2>(Action<TIndex, T1, T2> kernel) where TIndex : struct, IIndex where T1 : struct where T2 : struct
    {
        var k = _backend.Accelerator.LoadAutoGroupedKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (index, a1, a2) =>
        {
            b.Launched(name);
            k(b.S, index, a1, a2);
        };
    }

    /// <summary>An explicitly grouped kernel launched on the current stream (2 parameters).</summary>
    public Action<KernelConfig, T1, T2> LoadStreamKernel<T1, T2>(Action<T1, T2> kernel) where T1 : struct where T2 : struct
    {
        var k = _backend.Accelerator.LoadKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (config, a1, a2) =>
        {
            b.Launched(name);
            k(b.S, config, a1, a2);
        };
    }

    /// <summary>An implicitly grouped kernel launched on the current stream (3 parameters).</summary>
    public Action<TIndex, T1, T2, T3> LoadAutoGroupedStreamKernel<TIndex, T1, T2, T3>(Action<TIndex, T1, T2, T3> kernel) where TIndex : struct, IIndex where T1 : struct where T2 : struct where T3 : struct
    {
        var k = _backend.Accelerator.LoadAutoGroupedKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (index, a1, a2, a3) =>
        {
            b.Launched(name);
            k(b.S, index, a1, a2, a3);
        };
    }

    /// <summary>An explicitly grouped kernel launched on the current stream (3 parameters).</summary>
    public Action<KernelConfig, T1, T2, T3> LoadStreamKernel<T1, T2, T3>(Action<T1, T2, T3> kernel) where T1 : struct where T2 : struct where T3 : struct
    {
        var k = _backend.Accelerator.LoadKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (config, a1, a2, a3) =>
        {
            b.Launched(name);
            k(b.S, config, a1, a2, a3);
        };
    }

    /// <summary>An implicitly grouped kernel launched on the current stream (4 parameters).</summary>
    public Action<TIndex, T1, T2, T3, T4> LoadAutoGroupedStreamKernel<TIndex, T1, T2, T3, T4>(Action<TIndex, T1, T2, T3, T4> kernel) where TIndex : struct, IIndex where T1 : struct where T2 : struct where T3 : struct where T4 : struct
    {
        var k = _backend.Accelerator.LoadAutoGroupedKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (index, a1, a2, a3, a4) =>
        {
            b.Launched(name);
            k(b.S, index, a1, a2, a3, a4);
        };
    }

    /// <summary>An explicitly grouped kernel launched on the current stream (4 parameters).</summary>
    public Action<KernelConfig, T1, T2, T3, T4> LoadStreamKernel<T1, T2, T3, T4>(Action<T1, T2, T3, T4> kernel) where T1 : struct where T2 : struct where T3 : struct where T4 : struct
    {
        var k = _backend.Accelerator.LoadKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (config, a1, a2, a3, a4) =>
        {
            b.Launched(name);
            k(b.S, config, a1, a2, a3, a4);
        };
    }

    /// <summary>An implicitly grouped kernel launched on the current stream (5 parameters).</summary>
    public Action<TIndex, T1, T2, T3, T4, T5> LoadAutoGroupedStreamKernel<TIndex, T1, T2, T3, T4, T5>(Action<TIndex, T1, T2, T3, T4, T5> kernel) where TIndex : struct, IIndex where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct
    {
        var k = _backend.Accelerator.LoadAutoGroupedKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (index, a1, a2, a3, a4, a5) =>
        {
            b.Launched(name);
            k(b.S, index, a1, a2, a3, a4, a5);
        };
    }

    /// <summary>An explicitly grouped kernel launched on the current stream (5 parameters).</summary>
    public Action<KernelConfig, T1, T2, T3, T4, T5> LoadStreamKernel<T1, T2, T3, T4, T5>(Action<T1, T2, T3, T4, T5> kernel) where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct
    {
        var k = _backend.Accelerator.LoadKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (config, a1, a2, a3, a4, a5) =>
        {
            b.Launched(name);
            k(b.S, config, a1, a2, a3, a4, a5);
        };
    }

    /// <summary>An implicitly grouped kernel launched on the current stream (6 parameters).</summary>
    public Action<TIndex, T1, T2, T3, T4, T5, T6> LoadAutoGroupedStreamKernel<TIndex, T1, T2, T3, T4, T5, T6>(Action<TIndex, T1, T2, T3, T4, T5, T6> kernel) where TIndex : struct, IIndex where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct
    {
        var k = _backend.Accelerator.LoadAutoGroupedKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (index, a1, a2, a3, a4, a5, a6) =>
        {
            b.Launched(name);
            k(b.S, index, a1, a2, a3, a4, a5, a6);
        };
    }

    /// <summary>An explicitly grouped kernel launched on the current stream (6 parameters).</summary>
    public Action<KernelConfig, T1, T2, T3, T4, T5, T6> LoadStreamKernel<T1, T2, T3, T4, T5, T6>(Action<T1, T2, T3, T4, T5, T6> kernel) where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct
    {
        var k = _backend.Accelerator.LoadKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (config, a1, a2, a3, a4, a5, a6) =>
        {
            b.Launched(name);
            k(b.S, config, a1, a2, a3, a4, a5, a6);
        };
    }

    /// <summary>An implicitly grouped kernel launched on the current stream (7 parameters).</summary>
    public Action<TIndex, T1, T2, T3, T4, T5, T6, T7> LoadAutoGroupedStreamKernel<TIndex, T1, T2, T3, T4, T5, T6, T7>(Action<TIndex, T1, T2, T3, T4, T5, T6, T7> kernel) where TIndex : struct, IIndex where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct
    {
        var k = _backend.Accelerator.LoadAutoGroupedKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (index, a1, a2, a3, a4, a5, a6, a7) =>
        {
            b.Launched(name);
            k(b.S, index, a1, a2, a3, a4, a5, a6, a7);
        };
    }

    /// <summary>An explicitly grouped kernel launched on the current stream (7 parameters).</summary>
    public Action<KernelConfig, T1, T2, T3, T4, T5, T6, T7> LoadStreamKernel<T1, T2, T3, T4, T5, T6, T7>(Action<T1, T2, T3, T4, T5, T6, T7> kernel) where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct
    {
        var k = _backend.Accelerator.LoadKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (config, a1, a2, a3, a4, a5, a6, a7) =>
        {
            b.Launched(name);
            k(b.S, config, a1, a2, a3, a4, a5, a6, a7);
        };
    }

    /// <summary>An implicitly grouped kernel launched on the current stream (8 parameters).</summary>
    public Action<TIndex, T1, T2, T3, T4, T5, T6, T7, T8> LoadAutoGroupedStreamKernel<TIndex, T1, T2, T3, T4, T5, T6, T7, T8>(Action<TIndex, T1, T2, T3, T4, T5, T6, T7, T8> kernel) where TIndex : struct, IIndex where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct
    {
        var k = _backend.Accelerator.LoadAutoGroupedKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (index, a1, a2, a3, a4, a5, a6, a7, a8) =>
        {
            b.Launched(name);
            k(b.S, index, a1, a2, a3, a4, a5, a6, a7, a8);
        };
    }

    /// <summary>An explicitly grouped kernel launched on the current stream (8 parameters).</summary>
    public Action<KernelConfig, T1, T2, T3, T4, T5, T6, T7, T8> LoadStreamKernel<T1, T2, T3, T4, T5, T6, T7, T8>(Action<T1, T2, T3, T4, T5, T6, T7, T8> kernel) where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct
    {
        var k = _backend.Accelerator.LoadKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (config, a1, a2, a3, a4, a5, a6, a7, a8) =>
        {
            b.Launched(name);
            k(b.S, config, a1, a2, a3, a4, a5, a6, a7, a8);
        };
    }

    /// <summary>An implicitly grouped kernel launched on the current stream (9 parameters).</summary>
    public Action<TIndex, T1, T2, T3, T4, T5, T6, T7, T8, T9> LoadAutoGroupedStreamKernel<TIndex, T1, T2, T3, T4, T5, T6, T7, T8, T9>(Action<TIndex, T1, T2, T3, T4, T5, T6, T7, T8, T9> kernel) where TIndex : struct, IIndex where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct
    {
        var k = _backend.Accelerator.LoadAutoGroupedKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (index, a1, a2, a3, a4, a5, a6, a7, a8, a9) =>
        {
            b.Launched(name);
            k(b.S, index, a1, a2, a3, a4, a5, a6, a7, a8, a9);
        };
    }

    /// <summary>An explicitly grouped kernel launched on the current stream (9 parameters).</summary>
    public Action<KernelConfig, T1, T2, T3, T4, T5, T6, T7, T8, T9> LoadStreamKernel<T1, T2, T3, T4, T5, T6, T7, T8, T9>(Action<T1, T2, T3, T4, T5, T6, T7, T8, T9> kernel) where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct
    {
        var k = _backend.Accelerator.LoadKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (config, a1, a2, a3, a4, a5, a6, a7, a8, a9) =>
        {
            b.Launched(name);
            k(b.S, config, a1, a2, a3, a4, a5, a6, a7, a8, a9);
        };
    }

    /// <summary>An implicitly grouped kernel launched on the current stream (10 parameters).</summary>
    public Action<TIndex, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> LoadAutoGroupedStreamKernel<TIndex, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10>(Action<TIndex, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> kernel) where TIndex : struct, IIndex where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct
    {
        var k = _backend.Accelerator.LoadAutoGroupedKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (index, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10) =>
        {
            b.Launched(name);
            k(b.S, index, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10);
        };
    }

    /// <summary>An explicitly grouped kernel launched on the current stream (10 parameters).</summary>
    public Action<KernelConfig, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> LoadStreamKernel<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10>(Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> kernel) where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct
    {
        var k = _backend.Accelerator.LoadKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (config, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10) =>
        {
            b.Launched(name);
            k(b.S, config, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10);
        };
    }

    /// <summary>An implicitly grouped kernel launched on the current stream (11 parameters).</summary>
    public Action<TIndex, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> LoadAutoGroupedStreamKernel<TIndex, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11>(Action<TIndex, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> kernel) where TIndex : struct, IIndex where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct where T11 : struct
    {
        var k = _backend.Accelerator.LoadAutoGroupedKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (index, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11) =>
        {
            b.Launched(name);
            k(b.S, index, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11);
        };
    }

    /// <summary>An explicitly grouped kernel launched on the current stream (11 parameters).</summary>
    public Action<KernelConfig, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> LoadStreamKernel<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11>(Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> kernel) where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct where T11 : struct
    {
        var k = _backend.Accelerator.LoadKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (config, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11) =>
        {
            b.Launched(name);
            k(b.S, config, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11);
        };
    }

    /// <summary>An implicitly grouped kernel launched on the current stream (12 parameters).</summary>
    public Action<TIndex, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12> LoadAutoGroupedStreamKernel<TIndex, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12>(Action<TIndex, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12> kernel) where TIndex : struct, IIndex where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct where T11 : struct where T12 : struct
    {
        var k = _backend.Accelerator.LoadAutoGroupedKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (index, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12) =>
        {
            b.Launched(name);
            k(b.S, index, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12);
        };
    }

    /// <summary>An explicitly grouped kernel launched on the current stream (12 parameters).</summary>
    public Action<KernelConfig, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12> LoadStreamKernel<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12>(Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12> kernel) where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct where T11 : struct where T12 : struct
    {
        var k = _backend.Accelerator.LoadKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (config, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12) =>
        {
            b.Launched(name);
            k(b.S, config, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12);
        };
    }

    /// <summary>An implicitly grouped kernel launched on the current stream (13 parameters).</summary>
    public Action<TIndex, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13> LoadAutoGroupedStreamKernel<TIndex, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13>(Action<TIndex, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13> kernel) where TIndex : struct, IIndex where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct where T11 : struct where T12 : struct where T13 : struct
    {
        var k = _backend.Accelerator.LoadAutoGroupedKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (index, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13) =>
        {
            b.Launched(name);
            k(b.S, index, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13);
        };
    }

    /// <summary>An explicitly grouped kernel launched on the current stream (13 parameters).</summary>
    public Action<KernelConfig, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13> LoadStreamKernel<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13>(Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13> kernel) where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct where T11 : struct where T12 : struct where T13 : struct
    {
        var k = _backend.Accelerator.LoadKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (config, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13) =>
        {
            b.Launched(name);
            k(b.S, config, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13);
        };
    }

    /// <summary>An implicitly grouped kernel launched on the current stream (14 parameters).</summary>
    public Action<TIndex, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14> LoadAutoGroupedStreamKernel<TIndex, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14>(Action<TIndex, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14> kernel) where TIndex : struct, IIndex where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct where T11 : struct where T12 : struct where T13 : struct where T14 : struct
    {
        var k = _backend.Accelerator.LoadAutoGroupedKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (index, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14) =>
        {
            b.Launched(name);
            k(b.S, index, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14);
        };
    }

    /// <summary>An explicitly grouped kernel launched on the current stream (14 parameters).</summary>
    public Action<KernelConfig, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14> LoadStreamKernel<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14>(Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14> kernel) where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct where T11 : struct where T12 : struct where T13 : struct where T14 : struct
    {
        var k = _backend.Accelerator.LoadKernel(kernel);
        var b = _backend;
        string name = GpuBackend.KernelName(kernel.Method);
        return (config, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14) =>
        {
            b.Launched(name);
            k(b.S, config, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14);
        };
    }
}
