using System.Reflection;
using Engine.Backends;
using Engine.Gpu.Functors;
using Engine.Gpu.Kernels;
using Engine.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Engine.Gpu;

public sealed partial class GpuBackend
{
    /// <summary>A merged layout for up to four operands (a, b, c, y), ready to become kernel parameters.</summary>
    private ref struct Plan
    {
        public int Rank;
        public int N;
        public Span<int> Shape;
        public Span<int> A, B, C, Y;
    }

    private static int Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            n *= d;
        }
        return checked((int)n);
    }

    private Plan MakePlan(string op, ReadOnlySpan<int> shape, ReadOnlySpan<int> sa, ReadOnlySpan<int> sb, ReadOnlySpan<int> sc, ReadOnlySpan<int> sy,
        int operands, Span<int> buffer)
    {
        int r = Math.Max(shape.Length, 1);
        var plan = new Plan
        {
            N = Numel(shape),
            Shape = buffer.Slice(0, r),
            A = buffer.Slice(r, r),
            B = buffer.Slice(2 * r, r),
            C = buffer.Slice(3 * r, r),
            Y = buffer.Slice(4 * r, r),
        };
        // Operand order for merging: y first so that it always takes part.
        plan.Rank = LayoutPlanner.Collapse(shape, sy, sa, sb, sc, operands, plan.Shape, plan.Y, plan.A, plan.B, plan.C);
        if (plan.Rank > LayoutPlanner.MaxRank || plan.Rank < 0)
        {
            throw new NotSupportedException($"{op}: the operands' layouts leave {shape.Length} dimensions that cannot be merged; GPU kernels handle at most {LayoutPlanner.MaxRank}");
        }
        return plan;
    }

    private Lin ToLin(in Plan p, int offA, int offB, int offC, int offY) => new()
    {
        N = p.N,
        Step = Extent(p.N),
        OffA = offA,
        SA = p.A[0],
        OffB = offB,
        SB = p.B[0],
        OffC = offC,
        SC = p.C[0],
        OffY = offY,
        SY = p.Y[0],
    };

    private Strided ToStrided(in Plan p, int offA, int offB, int offC, int offY) => new()
    {
        N = p.N,
        Step = Extent(p.N),
        Dims = LayoutPlanner.Dims(p.Shape, p.Rank),
        A = LayoutPlanner.Strides(p.A, p.Rank, offA),
        B = LayoutPlanner.Strides(p.B, p.Rank, offB),
        C = LayoutPlanner.Strides(p.C, p.Rank, offC),
        Y = LayoutPlanner.Strides(p.Y, p.Rank, offY),
    };

    private static MethodInfo Def(Type t, string name) => t.GetMethod(name, BindingFlags.Public | BindingFlags.Static)
        ?? throw new MissingMethodException(t.Name, name);

    // ---------------------------------------------------------------- unary and binary

    private static class UnaryK<T, TFn> where T : unmanaged where TFn : struct, IUnaryFn
    {
        public static readonly MethodInfo Lin = Def(typeof(ElementwiseKernels), nameof(ElementwiseKernels.UnaryLin))
            .MakeGenericMethod(typeof(T), GpuFunctorMap.Unary(typeof(TFn)));

        public static readonly MethodInfo Strided = Def(typeof(ElementwiseKernels), nameof(ElementwiseKernels.UnaryStrided))
            .MakeGenericMethod(typeof(T), GpuFunctorMap.Unary(typeof(TFn)));
    }

    private static class BinaryK<T, TFn> where T : unmanaged where TFn : struct, IBinaryFn
    {
        public static readonly MethodInfo Lin = Def(typeof(ElementwiseKernels), nameof(ElementwiseKernels.BinaryLin))
            .MakeGenericMethod(typeof(T), GpuFunctorMap.Binary(typeof(TFn)));

        public static readonly MethodInfo Strided = Def(typeof(ElementwiseKernels), nameof(ElementwiseKernels.BinaryStrided))
            .MakeGenericMethod(typeof(T), GpuFunctorMap.Binary(typeof(TFn)));
    }

    /// <inheritdoc />
    public override void Unary<TFn>(Operand x, Operand y, ReadOnlySpan<int> shape)
    {
        switch (x.Storage.DType)
        {
            case DType.Float32: UnaryT<float, TFn>(x, y, shape); break;
            case DType.Float64: UnaryT<double, TFn>(x, y, shape); break;
            default: throw new NotSupportedException($"{typeof(TFn).Name}: dtype {x.Storage.DType} is not supported (floating types only)");
        }
    }

    private void UnaryT<T, TFn>(Operand x, Operand y, ReadOnlySpan<int> shape) where T : unmanaged where TFn : struct, IUnaryFn
    {
        Span<int> buf = stackalloc int[5 * Math.Max(shape.Length, 1)];
        var p = MakePlan(typeof(TFn).Name, shape, x.Strides, default, default, y.Strides, 2, buf);
        if (p.N == 0)
        {
            return;
        }
        Bind();
        var vx = V<T>(x.Storage);
        var vy = V<T>(y.Storage);
        if (p.Rank == 1)
        {
            var k = Kernel(UnaryK<T, TFn>.Lin, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<T>, ArrayView<T>, Lin>>()));
            var lin = ToLin(p, x.Offset, 0, 0, y.Offset);
            k(lin.Step, vx, vy, lin);
        }
        else
        {
            var k = Kernel(UnaryK<T, TFn>.Strided, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<T>, ArrayView<T>, Strided>>()));
            var st = ToStrided(p, x.Offset, 0, 0, y.Offset);
            k(st.Step, vx, vy, st);
        }
    }

    /// <inheritdoc />
    public override void Binary<TFn>(Operand a, Operand b, Operand y, ReadOnlySpan<int> shape)
    {
        switch (a.Storage.DType)
        {
            case DType.Float32: BinaryT<float, TFn>(a, b, y, shape); break;
            case DType.Float64: BinaryT<double, TFn>(a, b, y, shape); break;
            default: throw new NotSupportedException($"{typeof(TFn).Name}: dtype {a.Storage.DType} is not supported (floating types only)");
        }
    }

    private void BinaryT<T, TFn>(Operand a, Operand b, Operand y, ReadOnlySpan<int> shape) where T : unmanaged where TFn : struct, IBinaryFn
    {
        Span<int> buf = stackalloc int[5 * Math.Max(shape.Length, 1)];
        var p = MakePlan(typeof(TFn).Name, shape, a.Strides, b.Strides, default, y.Strides, 3, buf);
        if (p.N == 0)
        {
            return;
        }
        Bind();
        var va = V<T>(a.Storage);
        var vb = V<T>(b.Storage);
        var vy = V<T>(y.Storage);
        if (p.Rank == 1)
        {
            var k = Kernel(BinaryK<T, TFn>.Lin, static (acc, m) => acc.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, Lin>>()));
            var lin = ToLin(p, a.Offset, b.Offset, 0, y.Offset);
            k(lin.Step, va, vb, vy, lin);
        }
        else
        {
            var k = Kernel(BinaryK<T, TFn>.Strided, static (acc, m) => acc.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, Strided>>()));
            var st = ToStrided(p, a.Offset, b.Offset, 0, y.Offset);
            k(st.Step, va, vb, vy, st);
        }
    }

    // ---------------------------------------------------------------- copy, fill, where

    private static class CopyK<T> where T : unmanaged
    {
        public static readonly MethodInfo Lin = Def(typeof(ElementwiseKernels), nameof(ElementwiseKernels.CopyLin)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo Strided = Def(typeof(ElementwiseKernels), nameof(ElementwiseKernels.CopyStrided)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo Fill = Def(typeof(ElementwiseKernels), nameof(ElementwiseKernels.FillStrided)).MakeGenericMethod(typeof(T));
        public static readonly MethodInfo Where = Def(typeof(ElementwiseKernels), nameof(ElementwiseKernels.WhereStrided)).MakeGenericMethod(typeof(T));
    }

    private static class ConvertK<TIn, TOut, TConv> where TIn : unmanaged where TOut : unmanaged where TConv : struct, IConvert<TIn, TOut>
    {
        public static readonly MethodInfo Strided = Def(typeof(ElementwiseKernels), nameof(ElementwiseKernels.ConvertStrided))
            .MakeGenericMethod(typeof(TIn), typeof(TOut), typeof(TConv));
    }

    /// <inheritdoc />
    public override void Copy(Operand src, Operand dst, ReadOnlySpan<int> shape)
    {
        var from = src.Storage.DType;
        var to = dst.Storage.DType;
        if (from == to)
        {
            switch (from)
            {
                case DType.Float32: CopyT<float>(src, dst, shape); break;
                case DType.Float64: CopyT<double>(src, dst, shape); break;
                case DType.Int64: CopyT<long>(src, dst, shape); break;
                default: CopyT<byte>(src, dst, shape); break;
            }
            return;
        }
        switch ((from, to))
        {
            case (DType.Float32, DType.Float64): ConvertT<float, double, F32ToF64>(src, dst, shape); break;
            case (DType.Float32, DType.Int64): ConvertT<float, long, F32ToI64>(src, dst, shape); break;
            case (DType.Float32, DType.Bool): ConvertT<float, byte, F32ToBool>(src, dst, shape); break;
            case (DType.Float64, DType.Float32): ConvertT<double, float, F64ToF32>(src, dst, shape); break;
            case (DType.Float64, DType.Int64): ConvertT<double, long, F64ToI64>(src, dst, shape); break;
            case (DType.Float64, DType.Bool): ConvertT<double, byte, F64ToBool>(src, dst, shape); break;
            case (DType.Int64, DType.Float32): ConvertT<long, float, I64ToF32>(src, dst, shape); break;
            case (DType.Int64, DType.Float64): ConvertT<long, double, I64ToF64>(src, dst, shape); break;
            case (DType.Int64, DType.Bool): ConvertT<long, byte, I64ToBool>(src, dst, shape); break;
            case (DType.Bool, DType.Float32): ConvertT<byte, float, BoolToF32>(src, dst, shape); break;
            case (DType.Bool, DType.Float64): ConvertT<byte, double, BoolToF64>(src, dst, shape); break;
            case (DType.Bool, DType.Int64): ConvertT<byte, long, BoolToI64>(src, dst, shape); break;
            default: throw new NotSupportedException($"copy: no conversion from {from} to {to}");
        }
    }

    private void CopyT<T>(Operand src, Operand dst, ReadOnlySpan<int> shape) where T : unmanaged
    {
        Span<int> buf = stackalloc int[5 * Math.Max(shape.Length, 1)];
        var p = MakePlan("copy", shape, src.Strides, default, default, dst.Strides, 2, buf);
        if (p.N == 0)
        {
            return;
        }
        Bind();
        var vx = V<T>(src.Storage);
        var vy = V<T>(dst.Storage);
        if (p.Rank == 1)
        {
            var k = Kernel(CopyK<T>.Lin, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<T>, ArrayView<T>, Lin>>()));
            var lin = ToLin(p, src.Offset, 0, 0, dst.Offset);
            k(lin.Step, vx, vy, lin);
        }
        else
        {
            var k = Kernel(CopyK<T>.Strided, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<T>, ArrayView<T>, Strided>>()));
            var st = ToStrided(p, src.Offset, 0, 0, dst.Offset);
            k(st.Step, vx, vy, st);
        }
    }

    private void ConvertT<TIn, TOut, TConv>(Operand src, Operand dst, ReadOnlySpan<int> shape)
        where TIn : unmanaged where TOut : unmanaged where TConv : struct, IConvert<TIn, TOut>
    {
        Span<int> buf = stackalloc int[5 * Math.Max(shape.Length, 1)];
        var p = MakePlan("copy", shape, src.Strides, default, default, dst.Strides, 2, buf);
        if (p.N == 0)
        {
            return;
        }
        Bind();
        var k = Kernel(ConvertK<TIn, TOut, TConv>.Strided,
            static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<TIn>, ArrayView<TOut>, Strided>>()));
        var st = ToStrided(p, src.Offset, 0, 0, dst.Offset);
        k(st.Step, V<TIn>(src.Storage), V<TOut>(dst.Storage), st);
    }

    /// <inheritdoc />
    public override void Fill(Operand dst, ReadOnlySpan<int> shape, double value)
    {
        switch (dst.Storage.DType)
        {
            case DType.Float32: FillT(dst, shape, (float)value); break;
            case DType.Float64: FillT(dst, shape, value); break;
            case DType.Int64: FillT(dst, shape, (long)value); break;
            default: FillT(dst, shape, value != 0 ? (byte)1 : (byte)0); break;
        }
    }

    private void FillT<T>(Operand dst, ReadOnlySpan<int> shape, T value) where T : unmanaged
    {
        Span<int> buf = stackalloc int[5 * Math.Max(shape.Length, 1)];
        var p = MakePlan("fill", shape, default, default, default, dst.Strides, 1, buf);
        if (p.N == 0)
        {
            return;
        }
        Bind();
        var k = Kernel(CopyK<T>.Fill, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<T>, T, Strided>>()));
        var st = ToStrided(p, 0, 0, 0, dst.Offset);
        k(st.Step, V<T>(dst.Storage), value, st);
    }

    /// <inheritdoc />
    public override void Where(Operand cond, Operand a, Operand b, Operand y, ReadOnlySpan<int> shape)
    {
        switch (a.Storage.DType)
        {
            case DType.Float32: WhereT<float>(cond, a, b, y, shape); break;
            case DType.Float64: WhereT<double>(cond, a, b, y, shape); break;
            case DType.Int64: WhereT<long>(cond, a, b, y, shape); break;
            default: WhereT<byte>(cond, a, b, y, shape); break;
        }
    }

    private void WhereT<T>(Operand cond, Operand a, Operand b, Operand y, ReadOnlySpan<int> shape) where T : unmanaged
    {
        Span<int> buf = stackalloc int[5 * Math.Max(shape.Length, 1)];
        var p = MakePlan("where", shape, a.Strides, b.Strides, cond.Strides, y.Strides, 4, buf);
        if (p.N == 0)
        {
            return;
        }
        Bind();
        var k = Kernel(CopyK<T>.Where,
            static (acc, m) => acc.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<byte>, ArrayView<T>, ArrayView<T>, ArrayView<T>, Strided>>()));
        var st = ToStrided(p, a.Offset, b.Offset, cond.Offset, y.Offset);
        k(st.Step, V<byte>(cond.Storage), V<T>(a.Storage), V<T>(b.Storage), V<T>(y.Storage), st);
    }
}
