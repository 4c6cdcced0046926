using System.Numerics;
using Engine.Kernels;

namespace Engine.Backends;

/// <summary>The CPU backend: dispatches on dtype to the SIMD kernels in Engine.Kernels.Cpu.</summary>
public sealed partial class CpuBackend : Backend
{
    /// <summary>The one instance.</summary>
    public static readonly CpuBackend Instance = new();

    private CpuBackend()
    {
    }

    private static Span<T> S<T>(Storage s) where T : unmanaged => ((CpuStorage<T>)s).Array;

    /// <inheritdoc />
    public override Storage Allocate(DType dtype, int length, bool zero) => dtype switch
    {
        DType.Float32 => new CpuStorage<float>(dtype, length, zero),
        DType.Float64 => new CpuStorage<double>(dtype, length, zero),
        DType.Int64 => new CpuStorage<long>(dtype, length, zero),
        DType.Bool => new CpuStorage<bool>(dtype, length, zero),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <inheritdoc />
    public override void Copy(Operand src, Operand dst, ReadOnlySpan<int> shape)
    {
        if (src.Storage.DType == dst.Storage.DType)
        {
            switch (src.Storage.DType)
            {
                case DType.Float32:
                    Elementwise.Unary<float, IdentityFn>(S<float>(src.Storage), src.Offset, src.Strides, S<float>(dst.Storage), dst.Offset, dst.Strides, shape);
                    return;
                case DType.Float64:
                    Elementwise.Unary<double, IdentityFn>(S<double>(src.Storage), src.Offset, src.Strides, S<double>(dst.Storage), dst.Offset, dst.Strides, shape);
                    return;
            }
        }
        if (IsContiguous(shape, src.Strides) && IsContiguous(shape, dst.Strides) && TryConvertContiguous(src, dst, Numel(shape)))
        {
            return;
        }
        // Integer, bool and other converting copies of strided data: a plain strided loop.
        var from = ReadAsDouble(src.Storage);
        var to = WriteFromDouble(dst.Storage);
        var s = src;
        var d = dst;
        StridedLoop.ForEach(shape, s.Strides, d.Strides, s.Offset, d.Offset, (si, di) => to(di, from(si)));
    }

    /// <summary>The common dtype conversions of contiguous data as typed loops (comparisons, masks, labels).</summary>
    private static bool TryConvertContiguous(Operand src, Operand dst, int n)
    {
        switch (src.Storage.DType, dst.Storage.DType)
        {
            case (DType.Float32, DType.Float64):
                {
                    var a = S<float>(src.Storage).Slice(src.Offset, n);
                    var b = S<double>(dst.Storage).Slice(dst.Offset, n);
                    for (int i = 0; i < n; i++)
                    {
                        b[i] = a[i];
                    }
                    return true;
                }
            case (DType.Float64, DType.Float32):
                System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<double, float>(S<double>(src.Storage).Slice(src.Offset, n), S<float>(dst.Storage).Slice(dst.Offset, n));
                return true;
            case (DType.Float32, DType.Bool):
                {
                    var a = S<float>(src.Storage).Slice(src.Offset, n);
                    var b = S<bool>(dst.Storage).Slice(dst.Offset, n);
                    for (int i = 0; i < n; i++)
                    {
                        b[i] = a[i] != 0;
                    }
                    return true;
                }
            case (DType.Float64, DType.Bool):
                {
                    var a = S<double>(src.Storage).Slice(src.Offset, n);
                    var b = S<bool>(dst.Storage).Slice(dst.Offset, n);
                    for (int i = 0; i < n; i++)
                    {
                        b[i] = a[i] != 0;
                    }
                    return true;
                }
            case (DType.Bool, DType.Float32):
                {
                    var a = S<bool>(src.Storage).Slice(src.Offset, n);
                    var b = S<float>(dst.Storage).Slice(dst.Offset, n);
                    for (int i = 0; i < n; i++)
                    {
                        b[i] = a[i] ? 1f : 0f;
                    }
                    return true;
                }
            case (DType.Int64, DType.Float32):
                {
                    var a = S<long>(src.Storage).Slice(src.Offset, n);
                    var b = S<float>(dst.Storage).Slice(dst.Offset, n);
                    for (int i = 0; i < n; i++)
                    {
                        b[i] = a[i];
                    }
                    return true;
                }
            case (DType.Int64, DType.Float64):
                {
                    var a = S<long>(src.Storage).Slice(src.Offset, n);
                    var b = S<double>(dst.Storage).Slice(dst.Offset, n);
                    for (int i = 0; i < n; i++)
                    {
                        b[i] = a[i];
                    }
                    return true;
                }
            case (DType.Int64, DType.Int64):
                S<long>(src.Storage).Slice(src.Offset, n).CopyTo(S<long>(dst.Storage).Slice(dst.Offset, n));
                return true;
            case (DType.Bool, DType.Bool):
                S<bool>(src.Storage).Slice(src.Offset, n).CopyTo(S<bool>(dst.Storage).Slice(dst.Offset, n));
                return true;
            default:
                return false;
        }
    }

    private static Func<int, double> ReadAsDouble(Storage s) => s.DType switch
    {
        DType.Float32 => i => ((CpuStorage<float>)s).Array[i],
        DType.Float64 => i => ((CpuStorage<double>)s).Array[i],
        DType.Int64 => i => ((CpuStorage<long>)s).Array[i],
        DType.Bool => i => ((CpuStorage<bool>)s).Array[i] ? 1.0 : 0.0,
        _ => throw new NotSupportedException(),
    };

    private static Action<int, double> WriteFromDouble(Storage s) => s.DType switch
    {
        DType.Float32 => (i, v) => ((CpuStorage<float>)s).Array[i] = (float)v,
        DType.Float64 => (i, v) => ((CpuStorage<double>)s).Array[i] = v,
        DType.Int64 => (i, v) => ((CpuStorage<long>)s).Array[i] = (long)v,
        DType.Bool => (i, v) => ((CpuStorage<bool>)s).Array[i] = v != 0,
        _ => throw new NotSupportedException(),
    };

    /// <inheritdoc />
    public override void Fill(Operand dst, ReadOnlySpan<int> shape, double value)
    {
        var st = dst.Storage;
        if (IsContiguous(shape, dst.Strides))
        {
            int n = Numel(shape);
            switch (st.DType)
            {
                case DType.Float32: S<float>(st).Slice(dst.Offset, n).Fill((float)value); return;
                case DType.Float64: S<double>(st).Slice(dst.Offset, n).Fill(value); return;
                case DType.Int64: S<long>(st).Slice(dst.Offset, n).Fill((long)value); return;
                case DType.Bool: S<bool>(st).Slice(dst.Offset, n).Fill(value != 0); return;
            }
        }
        var to = WriteFromDouble(st);
        Span<int> zero = stackalloc int[shape.Length];
        StridedLoop.ForEach(shape, zero, dst.Strides, 0, dst.Offset, (_, di) => to(di, value));
    }

    /// <inheritdoc />
    public override void Unary<TFn>(Operand x, Operand y, ReadOnlySpan<int> shape)
    {
        switch (x.Storage.DType)
        {
            case DType.Float32:
                Elementwise.Unary<float, TFn>(S<float>(x.Storage), x.Offset, x.Strides, S<float>(y.Storage), y.Offset, y.Strides, shape);
                break;
            case DType.Float64:
                Elementwise.Unary<double, TFn>(S<double>(x.Storage), x.Offset, x.Strides, S<double>(y.Storage), y.Offset, y.Strides, shape);
                break;
            default:
                throw new NotSupportedException($"{typeof(TFn).Name}: dtype {x.Storage.DType} is not supported (floating types only)");
        }
    }

    /// <inheritdoc />
    public override void Binary<TFn>(Operand a, Operand b, Operand y, ReadOnlySpan<int> shape)
    {
        switch (a.Storage.DType)
        {
            case DType.Float32:
                Elementwise.Binary<float, TFn>(S<float>(a.Storage), a.Offset, a.Strides, S<float>(b.Storage), b.Offset, b.Strides,
                    S<float>(y.Storage), y.Offset, y.Strides, shape);
                break;
            case DType.Float64:
                Elementwise.Binary<double, TFn>(S<double>(a.Storage), a.Offset, a.Strides, S<double>(b.Storage), b.Offset, b.Strides,
                    S<double>(y.Storage), y.Offset, y.Strides, shape);
                break;
            default:
                throw new NotSupportedException($"{typeof(TFn).Name}: dtype {a.Storage.DType} is not supported (floating types only)");
        }
    }

    /// <inheritdoc />
    public override void Where(Operand cond, Operand a, Operand b, Operand y, ReadOnlySpan<int> shape)
    {
        var c = ((CpuStorage<bool>)cond.Storage).Array;
        switch (a.Storage.DType)
        {
            case DType.Float32: WhereT<float>(c, cond, a, b, y, shape); break;
            case DType.Float64: WhereT<double>(c, cond, a, b, y, shape); break;
            case DType.Int64: WhereT<long>(c, cond, a, b, y, shape); break;
            case DType.Bool: WhereT<bool>(c, cond, a, b, y, shape); break;
        }
    }

    private static void WhereT<T>(bool[] c, Operand cond, Operand a, Operand b, Operand y, ReadOnlySpan<int> shape) where T : unmanaged
    {
        var av = ((CpuStorage<T>)a.Storage).Array;
        var bv = ((CpuStorage<T>)b.Storage).Array;
        var yv = ((CpuStorage<T>)y.Storage).Array;
        int rank = shape.Length;
        int n = Numel(shape);
        if (n == 0)
        {
            return;
        }
        // Odometer with running offsets: each step adds one stride per operand (no per-element rank loop).
        Span<int> idx = stackalloc int[Math.Max(rank, 1)];
        idx.Clear();
        int oc = cond.Offset, oa = a.Offset, ob = b.Offset, oy = y.Offset;
        for (int flat = 0; flat < n; flat++)
        {
            yv[oy] = c[oc] ? av[oa] : bv[ob];
            for (int d = rank - 1; d >= 0; d--)
            {
                idx[d]++;
                oc += cond.Strides[d];
                oa += a.Strides[d];
                ob += b.Strides[d];
                oy += y.Strides[d];
                if (idx[d] < shape[d])
                {
                    break;
                }
                oc -= cond.Strides[d] * shape[d];
                oa -= a.Strides[d] * shape[d];
                ob -= b.Strides[d] * shape[d];
                oy -= y.Strides[d] * shape[d];
                idx[d] = 0;
            }
        }
    }

    /// <inheritdoc />
    public override void Reduce<TOp>(Storage x, Storage y, int outer, int r, int inner)
    {
        switch (x.DType)
        {
            case DType.Float32: Kernels.Reduce.Run<float, TOp>(S<float>(x), outer, r, inner, S<float>(y)); break;
            case DType.Float64: Kernels.Reduce.Run<double, TOp>(S<double>(x), outer, r, inner, S<double>(y)); break;
            default: throw new NotSupportedException($"reduce: dtype {x.DType} is not supported");
        }
    }

    /// <inheritdoc />
    public override void ArgExtreme(Storage x, Storage values, Storage indices, int outer, int r, int inner, bool max)
    {
        switch (x.DType)
        {
            case DType.Float32: Kernels.Reduce.ArgExtreme<float>(S<float>(x), outer, r, inner, S<float>(values), S<long>(indices), max); break;
            case DType.Float64: Kernels.Reduce.ArgExtreme<double>(S<double>(x), outer, r, inner, S<double>(values), S<long>(indices), max); break;
            default: throw new NotSupportedException($"argmax/argmin: dtype {x.DType} is not supported");
        }
    }

    /// <inheritdoc />
    public override void Softmax(Storage x, Storage y, int rows, int n, bool log)
    {
        if (x.DType == DType.Float32)
        {
            Kernels.Softmax.Forward<float>(S<float>(x), S<float>(y), rows, n, log);
        }
        else
        {
            Kernels.Softmax.Forward<double>(S<double>(x), S<double>(y), rows, n, log);
        }
    }

    /// <inheritdoc />
    public override void SoftmaxBackward(Storage y, Storage g, Storage gx, int rows, int n, bool log)
    {
        if (y.DType == DType.Float32)
        {
            Kernels.Softmax.Backward<float>(S<float>(y), S<float>(g), S<float>(gx), rows, n, log);
        }
        else
        {
            Kernels.Softmax.Backward<double>(S<double>(y), S<double>(g), S<double>(gx), rows, n, log);
        }
    }

    /// <inheritdoc />
    public override void MatMul(Operand a, Operand b, Storage c, int batch, int m, int n, int k, bool accumulate)
    {
        // a strides: (batch, row, col); b likewise.
        var va = new MatrixView(a.Offset, a.Strides[1], a.Strides[2]);
        var vb = new MatrixView(b.Offset, b.Strides[1], b.Strides[2]);
        var vc = new MatrixView(0, n, 1);
        if (c.DType == DType.Float32)
        {
            Gemm.Batched<float>(batch, m, n, k, 1f, S<float>(a.Storage), va, a.Strides[0], S<float>(b.Storage), vb, b.Strides[0],
                accumulate ? 1f : 0f, S<float>(c), vc, m * n);
        }
        else
        {
            Gemm.Batched<double>(batch, m, n, k, 1.0, S<double>(a.Storage), va, a.Strides[0], S<double>(b.Storage), vb, b.Strides[0],
                accumulate ? 1.0 : 0.0, S<double>(c), vc, m * n);
        }
    }

    /// <inheritdoc />
    public override void Gather(Storage x, Storage index, Storage y, int outer, int size, int count, int inner)
    {
        var idx = S<long>(index);
        switch (x.DType)
        {
            case DType.Float32: GatherT(S<float>(x), idx, S<float>(y), outer, size, count, inner); break;
            case DType.Float64: GatherT(S<double>(x), idx, S<double>(y), outer, size, count, inner); break;
            case DType.Int64: GatherT(S<long>(x), idx, S<long>(y), outer, size, count, inner); break;
            case DType.Bool: GatherT(S<bool>(x), idx, S<bool>(y), outer, size, count, inner); break;
        }
    }

    private static void GatherT<T>(Span<T> x, Span<long> index, Span<T> y, int outer, int size, int count, int inner)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int j = 0; j < count; j++)
            {
                int ib = (o * count + j) * inner;
                for (int i = 0; i < inner; i++)
                {
                    long k = index[ib + i];
                    CheckIndex("gather", k, size);
                    y[ib + i] = x[(int)((o * (long)size + k) * inner + i)];
                }
            }
        }
    }

    /// <inheritdoc />
    public override void ScatterAdd(Storage y, Storage index, Storage src, int outer, int size, int count, int inner)
    {
        var idx = S<long>(index);
        switch (y.DType)
        {
            case DType.Float32: ScatterAddT(S<float>(y), idx, S<float>(src), outer, size, count, inner); break;
            case DType.Float64: ScatterAddT(S<double>(y), idx, S<double>(src), outer, size, count, inner); break;
            case DType.Int64: ScatterAddT(S<long>(y), idx, S<long>(src), outer, size, count, inner); break;
            default: throw new NotSupportedException($"scatter_add: dtype {y.DType} is not supported");
        }
    }

    private static void ScatterAddT<T>(Span<T> y, Span<long> index, Span<T> src, int outer, int size, int count, int inner)
        where T : INumber<T>
    {
        for (int o = 0; o < outer; o++)
        {
            for (int j = 0; j < count; j++)
            {
                int ib = (o * count + j) * inner;
                for (int i = 0; i < inner; i++)
                {
                    long k = index[ib + i];
                    CheckIndex("scatter_add", k, size);
                    y[(int)((o * (long)size + k) * inner + i)] += src[ib + i];
                }
            }
        }
    }

    /// <inheritdoc />
    public override void IndexSelect(Storage x, Storage index, Storage y, int outer, int size, int count, int inner)
    {
        var idx = S<long>(index);
        for (int j = 0; j < count; j++)
        {
            CheckIndex("index_select", idx[j], size);
        }
        switch (x.DType)
        {
            case DType.Float32: IndexSelectT(S<float>(x), idx, S<float>(y), outer, size, count, inner); break;
            case DType.Float64: IndexSelectT(S<double>(x), idx, S<double>(y), outer, size, count, inner); break;
            case DType.Int64: IndexSelectT(S<long>(x), idx, S<long>(y), outer, size, count, inner); break;
            case DType.Bool: IndexSelectT(S<bool>(x), idx, S<bool>(y), outer, size, count, inner); break;
        }
    }

    private static void IndexSelectT<T>(Span<T> x, Span<long> index, Span<T> y, int outer, int size, int count, int inner)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int j = 0; j < count; j++)
            {
                x.Slice((int)((o * (long)size + index[j]) * inner), inner).CopyTo(y.Slice((o * count + j) * inner, inner));
            }
        }
    }

    /// <inheritdoc />
    public override void IndexAdd(Storage y, Storage index, Storage src, int outer, int size, int count, int inner)
    {
        var idx = S<long>(index);
        for (int j = 0; j < count; j++)
        {
            CheckIndex("index_add", idx[j], size);
        }
        if (y.DType == DType.Float32)
        {
            IndexAddT(S<float>(y), idx, S<float>(src), outer, size, count, inner);
        }
        else if (y.DType == DType.Float64)
        {
            IndexAddT(S<double>(y), idx, S<double>(src), outer, size, count, inner);
        }
        else
        {
            throw new NotSupportedException($"index_add: dtype {y.DType} is not supported");
        }
    }

    private static void IndexAddT<T>(Span<T> y, Span<long> index, Span<T> src, int outer, int size, int count, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
        {
            for (int j = 0; j < count; j++)
            {
                var dst = y.Slice((int)((o * (long)size + index[j]) * inner), inner);
                System.Numerics.Tensors.TensorPrimitives.Add(dst, src.Slice((o * count + j) * inner, inner), dst);
            }
        }
    }

    private static void CheckIndex(string op, long k, int size)
    {
        if ((ulong)k >= (ulong)size)
        {
            throw new IndexOutOfRangeException($"{op}: index {k} is out of bounds for dimension with size {size}");
        }
    }

    /// <inheritdoc />
    public override double[] ToDoubleArray(Storage s, int offset, int length)
    {
        var r = new double[length];
        var read = ReadAsDouble(s);
        for (int i = 0; i < length; i++)
        {
            r[i] = read(offset + i);
        }
        return r;
    }

    /// <inheritdoc />
    public override T[] ToArray<T>(Storage s) => S<T>(s)[..s.Length].ToArray();

    /// <inheritdoc />
    public override Storage FromArray<T>(DType dtype, ReadOnlySpan<T> data)
    {
        var st = Allocate(dtype, data.Length, false);
        data.CopyTo(S<T>(st));
        return st;
    }

    internal static bool IsContiguous(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
    {
        // An empty tensor has no element out of place: contiguous whatever its strides (as in PyTorch),
        // so views of size-0 tensors (e.g. reshape (0, 4) -> (2, 0, 2)) work.
        if (shape.Contains(0))
        {
            return true;
        }
        int expected = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] != 1 && strides[d] != expected)
            {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    internal static int Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            n *= d;
        }
        return checked((int)n);
    }
}

/// <summary>A scalar odometer over two strided operands (for the rare non-float or converting paths).</summary>
internal static class StridedLoop
{
    public static void ForEach(ReadOnlySpan<int> shape, ReadOnlySpan<int> s0, ReadOnlySpan<int> s1, int o0, int o1, Action<int, int> body)
    {
        int rank = shape.Length;
        int n = CpuBackend.Numel(shape);
        if (n == 0)
        {
            return;
        }
        Span<int> idx = stackalloc int[Math.Max(rank, 1)];
        idx.Clear();
        int a = o0, b = o1;
        for (int flat = 0; flat < n; flat++)
        {
            body(a, b);
            for (int d = rank - 1; d >= 0; d--)
            {
                idx[d]++;
                a += s0[d];
                b += s1[d];
                if (idx[d] < shape[d])
                {
                    break;
                }
                a -= s0[d] * shape[d];
                b -= s1[d] * shape[d];
                idx[d] = 0;
            }
        }
    }
}
