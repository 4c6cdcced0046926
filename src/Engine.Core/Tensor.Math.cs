using Engine.Autograd;
using Engine.Backends;
using Engine.Kernels;

namespace Engine;

public sealed partial class Tensor
{
    // ---------------------------------------------------------------- plumbing shared by elementwise ops

    internal static void CheckDevice(string op, Tensor a, Tensor b)
    {
        if (!a.Device.Equals(b.Device))
        {
            throw new ArgumentException($"{op}: expected all tensors to be on the same device, but found {a.Device} and {b.Device}");
        }
    }

    internal static void CheckSame(string op, Tensor a, Tensor b)
    {
        CheckDevice(op, a, b);
        if (a.DType != b.DType)
        {
            throw new ArgumentException($"{op}: dtypes differ ({a.DType} and {b.DType}); convert one with To(dtype)");
        }
    }

    internal void CheckFloating(string op)
    {
        if (!DType.IsFloating())
        {
            throw new ArgumentException($"{op}: expects a floating-point tensor, got {DType} (shape {ShapeString(ShapeSpan)})");
        }
    }

    /// <summary>y = f(x) into a new tensor, no graph.</summary>
    internal static Tensor UnaryRaw<TFn>(string op, Tensor x) where TFn : struct, IUnaryFn
    {
        x.CheckFloating(op);
        var y = Empty(x.ShapeSpan, x.DType, x.Device);
        x.Backend.Unary<TFn>(x.AsOperand(), y.AsOperand(), x.ShapeSpan);
        return y;
    }

    /// <summary>y = f(a, b) with broadcasting into a new tensor, no graph.</summary>
    internal static Tensor BinaryRaw<TFn>(string op, Tensor a, Tensor b) where TFn : struct, IBinaryFn
    {
        CheckSame(op, a, b);
        a.CheckFloating(op);
        if (ShapeUtil.SameShape(a.ShapeSpan, b.ShapeSpan))
        {
            var y0 = Empty(a.ShapeSpan, a.DType, a.Device);
            a.Backend.Binary<TFn>(a.AsOperand(), b.AsOperand(), y0.AsOperand(), a.ShapeSpan);
            return y0;
        }
        var shape = ShapeUtil.Broadcast(a.ShapeSpan, b.ShapeSpan, op);
        Span<int> sa = stackalloc int[shape.Length];
        Span<int> sb = stackalloc int[shape.Length];
        ShapeUtil.BroadcastStrides(a.ShapeSpan, a.StridesSpan, shape, sa);
        ShapeUtil.BroadcastStrides(b.ShapeSpan, b.StridesSpan, shape, sb);
        var y = Empty(shape, a.DType, a.Device);
        a.Backend.Binary<TFn>(new Operand(a.Storage, a.Offset, sa), new Operand(b.Storage, b.Offset, sb), y.AsOperand(), shape);
        return y;
    }

    // ---------------------------------------------------------------- arithmetic

    /// <summary>a + b with broadcasting.</summary>
    public Tensor Add(Tensor other)
    {
        var y = BinaryRaw<AddFn>("add", this, other);
        int[] sa = ShapeArray, sb = other.ShapeArray;
        return Node.Record("add", y, new[] { this, other }, g => new[] { g.SumTo(sa), g.SumTo(sb) });
    }

    /// <summary>a - b with broadcasting.</summary>
    public Tensor Sub(Tensor other)
    {
        var y = BinaryRaw<SubFn>("sub", this, other);
        int[] sa = ShapeArray, sb = other.ShapeArray;
        var node = other.RequiresGrad;
        return Node.Record("sub", y, new[] { this, other }, g => new[] { g.SumTo(sa), node ? g.Neg().SumTo(sb) : null });
    }

    /// <summary>a * b with broadcasting.</summary>
    public Tensor Mul(Tensor other)
    {
        var y = BinaryRaw<MulFn>("mul", this, other);
        var a = this;
        var b = other;
        return Node.Record("mul", y, new[] { this, other }, g => new[]
        {
            a.RequiresGrad ? BinaryRaw<MulFn>("mul", g, b).SumTo(a.ShapeSpan) : null,
            b.RequiresGrad ? BinaryRaw<MulFn>("mul", g, a).SumTo(b.ShapeSpan) : null,
        }, this, other);
    }

    /// <summary>a / b with broadcasting.</summary>
    public Tensor Div(Tensor other)
    {
        var y = BinaryRaw<DivFn>("div", this, other);
        var a = this;
        var b = other;
        return Node.Record("div", y, new[] { this, other }, g => new[]
        {
            a.RequiresGrad ? BinaryRaw<DivFn>("div", g, b).SumTo(a.ShapeSpan) : null,
            b.RequiresGrad ? BinaryRaw<MulFn>("mul", g, BinaryRaw<DivFn>("div", a, b.Mul(b))).Neg().SumTo(b.ShapeSpan) : null,
        }, this, other);
    }

    /// <summary>-x.</summary>
    public Tensor Neg()
    {
        var y = UnaryRaw<NegFn>("neg", this);
        return Node.Record("neg", y, new[] { this }, g => new[] { UnaryRaw<NegFn>("neg", g) });
    }

    /// <summary>x ^ exponent elementwise with broadcasting.</summary>
    public Tensor Pow(Tensor exponent)
    {
        var y = BinaryRaw<PowFn>("pow", this, exponent);
        var a = this;
        var b = exponent;
        return Node.Record("pow", y, new[] { this, exponent }, g => new[]
        {
            // d/da a^b = b a^(b-1), 0 where b = 0; d/db a^b = a^b ln a, 0 where a = 0 and b >= 0 (as PyTorch,
            // instead of the NaN of 0 * 0^-1 or 0 * ln 0).
            a.RequiresGrad ? (g * Where(b.Eq(0), a.ScalarLike(0), b * a.Pow(b - 1))).SumTo(a.ShapeSpan) : null,
            b.RequiresGrad ? (g * Where(a.Eq(0).LogicalAnd(b.Ge(0)), a.ScalarLike(0), y * a.Log())).SumTo(b.ShapeSpan) : null,
        }, this, exponent, y);
    }

    /// <summary>x ^ exponent for a scalar exponent.</summary>
    public Tensor Pow(double exponent)
    {
        var e = ScalarLike(exponent);
        var y = BinaryRaw<PowFn>("pow", this, e);
        var a = this;
        // x^0 is constant: its gradient is 0 everywhere, also at x = 0 where 0 * 0^-1 would give NaN.
        return Node.Record("pow", y, new[] { this }, g => new[] { exponent == 0 ? ZerosLike(g) : g * exponent * BinaryRaw<PowFn>("pow", a, a.ScalarLike(exponent - 1)) }, this);
    }

    /// <summary>x squared.</summary>
    public Tensor Square() => Mul(this);

    /// <summary>Elementwise maximum of two tensors (ties send the gradient to this tensor).</summary>
    public Tensor Maximum(Tensor other)
    {
        var y = BinaryRaw<MaxFn>("maximum", this, other);
        var a = this;
        var b = other;
        return Node.Record("maximum", y, new[] { this, other }, g =>
        {
            var mask = BinaryRaw<GeFn>("maximum", a, b);
            return new[]
            {
                a.RequiresGrad ? BinaryRaw<MulFn>("mul", g, mask).SumTo(a.ShapeSpan) : null,
                b.RequiresGrad ? BinaryRaw<MulFn>("mul", g, 1.0 - mask).SumTo(b.ShapeSpan) : null,
            };
        }, this, other);
    }

    /// <summary>Elementwise minimum of two tensors (ties send the gradient to this tensor).</summary>
    public Tensor Minimum(Tensor other)
    {
        var y = BinaryRaw<MinFn>("minimum", this, other);
        var a = this;
        var b = other;
        return Node.Record("minimum", y, new[] { this, other }, g =>
        {
            var mask = BinaryRaw<LeFn>("minimum", a, b);
            return new[]
            {
                a.RequiresGrad ? BinaryRaw<MulFn>("mul", g, mask).SumTo(a.ShapeSpan) : null,
                b.RequiresGrad ? BinaryRaw<MulFn>("mul", g, 1.0 - mask).SumTo(b.ShapeSpan) : null,
            };
        }, this, other);
    }

    /// <summary>Clamps into [min, max] (either bound optional); the gradient passes where min &lt;= x &lt;= max.</summary>
    public Tensor Clamp(double? min = null, double? max = null)
    {
        if (min is null && max is null)
        {
            throw new ArgumentException("clamp: at least one of min and max must be given");
        }
        var r = this;
        if (min is double lo)
        {
            r = r.Maximum(ScalarLike(lo));
        }
        if (max is double hi)
        {
            r = r.Minimum(ScalarLike(hi));
        }
        return r;
    }

    /// <summary>this += other (broadcast), in place, outside the graph (used for gradient accumulation and optimizers).</summary>
    public Tensor AddInPlace(Tensor other, double alpha = 1)
    {
        CheckInPlace("add_");
        CheckSame("add_", this, other);
        var src = alpha == 1 ? other : BinaryRaw<MulFn>("add_", other, other.ScalarLike(alpha));
        Span<int> bs = stackalloc int[Dim];
        var shape = ShapeUtil.Broadcast(src.ShapeSpan, ShapeSpan, "add_");
        if (!ShapeUtil.SameShape(shape, ShapeSpan))
        {
            throw new ArgumentException($"add_: shape {ShapeString(other.ShapeSpan)} cannot be broadcast into the in-place target of shape {ShapeString(ShapeSpan)}");
        }
        ShapeUtil.BroadcastStrides(src.ShapeSpan, src.StridesSpan, ShapeSpan, bs);
        Backend.Binary<AddFn>(AsOperand(), new Operand(src.Storage, src.Offset, bs), AsOperand(), ShapeSpan);
        BumpVersion();
        return this;
    }

    /// <summary>this *= other (broadcast), in place, outside the graph.</summary>
    public Tensor MulInPlace(Tensor other)
    {
        CheckInPlace("mul_");
        CheckSame("mul_", this, other);
        Span<int> bs = stackalloc int[Dim];
        ShapeUtil.BroadcastStrides(other.ShapeSpan, other.StridesSpan, ShapeSpan, bs);
        Backend.Binary<MulFn>(AsOperand(), new Operand(other.Storage, other.Offset, bs), AsOperand(), ShapeSpan);
        BumpVersion();
        return this;
    }

    /// <summary>this *= s, in place, outside the graph.</summary>
    public Tensor MulInPlace(double s) => MulInPlace(ScalarLike(s));

    // ---------------------------------------------------------------- operators

    /// <summary>Elementwise sum.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);

    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(Tensor a, double b) => a.Add(a.ScalarLike(b));

    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(double a, Tensor b) => b.ScalarLike(a).Add(b);

    /// <summary>Elementwise difference.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);

    /// <summary>Subtracts a scalar.</summary>
    public static Tensor operator -(Tensor a, double b) => a.Sub(a.ScalarLike(b));

    /// <summary>Scalar minus tensor.</summary>
    public static Tensor operator -(double a, Tensor b) => b.ScalarLike(a).Sub(b);

    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();

    /// <summary>Elementwise product.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);

    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(Tensor a, double b) => a.Mul(a.ScalarLike(b));

    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(double a, Tensor b) => b.Mul(b.ScalarLike(a));

    /// <summary>Elementwise quotient.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);

    /// <summary>Divides by a scalar.</summary>
    public static Tensor operator /(Tensor a, double b) => a.Div(a.ScalarLike(b));

    /// <summary>Scalar divided by tensor.</summary>
    public static Tensor operator /(double a, Tensor b) => b.ScalarLike(a).Div(b);

    // ---------------------------------------------------------------- comparisons (Bool results, no gradient)

    private static Tensor Compare<TFn>(string op, Tensor a, Tensor b) where TFn : struct, IBinaryFn
    {
        using var _ = GradMode.NoGrad();
        if (!a.DType.IsFloating() || !b.DType.IsFloating())
        {
            // Integer and bool comparisons go through float64, which holds every index exactly.
            CheckDevice(op, a, b);
            a = a.To(DType.Float64);
            b = b.To(DType.Float64);
        }
        var f = BinaryRaw<TFn>(op, a, b);
        return f.To(DType.Bool);
    }

    /// <summary>a == b elementwise (Bool).</summary>
    public Tensor Eq(Tensor other) => Compare<EqFn>("eq", this, other);

    /// <summary>a == b elementwise (Bool).</summary>
    public Tensor Eq(double other) => Compare<EqFn>("eq", this, ScalarLike(other));

    /// <summary>a != b elementwise (Bool).</summary>
    public Tensor Ne(Tensor other) => Compare<NeFn>("ne", this, other);

    /// <summary>a != b elementwise (Bool).</summary>
    public Tensor Ne(double other) => Compare<NeFn>("ne", this, ScalarLike(other));

    /// <summary>a &lt; b elementwise (Bool).</summary>
    public Tensor Lt(Tensor other) => Compare<LtFn>("lt", this, other);

    /// <summary>a &lt; b elementwise (Bool).</summary>
    public Tensor Lt(double other) => Compare<LtFn>("lt", this, ScalarLike(other));

    /// <summary>a &lt;= b elementwise (Bool).</summary>
    public Tensor Le(Tensor other) => Compare<LeFn>("le", this, other);

    /// <summary>a &lt;= b elementwise (Bool).</summary>
    public Tensor Le(double other) => Compare<LeFn>("le", this, ScalarLike(other));

    /// <summary>a &gt; b elementwise (Bool).</summary>
    public Tensor Gt(Tensor other) => Compare<GtFn>("gt", this, other);

    /// <summary>a &gt; b elementwise (Bool).</summary>
    public Tensor Gt(double other) => Compare<GtFn>("gt", this, ScalarLike(other));

    /// <summary>a &gt;= b elementwise (Bool).</summary>
    public Tensor Ge(Tensor other) => Compare<GeFn>("ge", this, other);

    /// <summary>a &gt;= b elementwise (Bool).</summary>
    public Tensor Ge(double other) => Compare<GeFn>("ge", this, ScalarLike(other));
}
