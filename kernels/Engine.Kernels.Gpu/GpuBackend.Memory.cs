using System.Runtime.InteropServices;
using Engine.Backends;
using ILGPU;
using ILGPU.Runtime;

namespace Engine.Gpu;

public sealed partial class GpuBackend
{
    /// <inheritdoc />
    public override Storage Allocate(DType dtype, int length, bool zero)
    {
        if (length < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "allocate: negative length");
        }
        Bind();
        long bytes = (long)length * dtype.ElementSize();
        var stream = CurrentStream;
        var block = Allocator.Rent(bytes, $"a {dtype} tensor of {length} elements", stream);
        var st = new GpuStorage(dtype, length, Device, Allocator, block);
        if (zero && length > 0)
        {
            CountMemset();
            st.Bytes.MemSetToZero(stream.Native);
        }
        return st;
    }

    /// <inheritdoc />
    public override T[] ToArray<T>(Storage s)
    {
        Bind();
        var st = G(s);
        CheckElement<T>(st.DType, "ToArray");
        var host = new T[st.Length];
        if (host.Length > 0)
        {
            var bytes = MemoryMarshal.AsBytes(host.AsSpan());
            // Wait for queued kernels on every stream first: the tensor may have been written on any of them
            // (and ILGPU's CPU accelerator does not order a host copy after queued kernels at all).
            _acc.Synchronize();
            Allocator.DeviceSynchronized();
            st.Bytes.CopyToCPU(ref bytes[0], bytes.Length);
        }
        return host;
    }

    /// <inheritdoc />
    public override Storage FromArray<T>(DType dtype, ReadOnlySpan<T> data)
    {
        CheckElement<T>(dtype, "FromArray");
        var st = (GpuStorage)Allocate(dtype, data.Length, false);
        if (data.Length > 0)
        {
            var bytes = MemoryMarshal.AsBytes(data);
            // The block may come from the cache, freed by a tensor whose last kernel is still queued.
            _acc.Synchronize();
            Allocator.DeviceSynchronized();
            st.Bytes.CopyFromCPU(S, ref MemoryMarshal.GetReference(bytes), bytes.Length);
        }
        return st;
    }

    /// <inheritdoc />
    public override double[] ToDoubleArray(Storage s, int offset, int length)
    {
        var r = new double[length];
        switch (s.DType)
        {
            case DType.Float32:
                {
                    var a = ToArray<float>(s);
                    for (int i = 0; i < length; i++) r[i] = a[offset + i];
                    break;
                }
            case DType.Float64:
                Array.Copy(ToArray<double>(s), offset, r, 0, length);
                break;
            case DType.Int64:
                {
                    var a = ToArray<long>(s);
                    for (int i = 0; i < length; i++) r[i] = a[offset + i];
                    break;
                }
            default:
                {
                    var a = ToArray<bool>(s);
                    for (int i = 0; i < length; i++) r[i] = a[offset + i] ? 1 : 0;
                    break;
                }
        }
        return r;
    }

    private static void CheckElement<T>(DType dtype, string op) where T : unmanaged
    {
        bool ok = dtype switch
        {
            DType.Float32 => typeof(T) == typeof(float),
            DType.Float64 => typeof(T) == typeof(double),
            DType.Int64 => typeof(T) == typeof(long),
            DType.Bool => typeof(T) == typeof(bool) || typeof(T) == typeof(byte),
            _ => false,
        };
        if (!ok)
        {
            throw new ArgumentException($"{op}: element type {typeof(T).Name} does not match dtype {dtype}");
        }
    }
}
