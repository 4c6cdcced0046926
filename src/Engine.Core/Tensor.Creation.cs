using Engine.Backends;

namespace Engine;

public sealed partial class Tensor
{
    /// <summary>The dtype used when none is given.</summary>
    public static DType DefaultDType { get; set; } = DType.Float32;

    /// <summary>An uninitialised contiguous tensor (contents undefined).</summary>
    public static Tensor Empty(ReadOnlySpan<int> shape, DType? dtype = null, Device? device = null)
    {
        foreach (int d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"empty: negative dimension in shape {ShapeString(shape)}");
            }
        }
        var dev = device ?? Device.Cpu;
        var st = dev.Backend.Allocate(dtype ?? DefaultDType, ShapeUtil.Numel(shape), false);
        return new Tensor(st, shape.ToArray(), ShapeUtil.ContiguousStrides(shape), 0);
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(ReadOnlySpan<int> shape, DType? dtype = null, Device? device = null)
    {
        var dev = device ?? Device.Cpu;
        var st = dev.Backend.Allocate(dtype ?? DefaultDType, ShapeUtil.Numel(shape), true);
        return new Tensor(st, shape.ToArray(), ShapeUtil.ContiguousStrides(shape), 0);
    }

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(ReadOnlySpan<int> shape, DType? dtype = null, Device? device = null) => Full(shape, 1.0, dtype, device);

    /// <summary>A tensor filled with one value.</summary>
    public static Tensor Full(ReadOnlySpan<int> shape, double value, DType? dtype = null, Device? device = null)
    {
        var t = Empty(shape, dtype, device);
        t.Backend.Fill(t.AsOperand(), t.ShapeSpan, value);
        return t;
    }

    /// <summary>Zeros with the shape, dtype and device of <paramref name="t"/>.</summary>
    public static Tensor ZerosLike(Tensor t) => Zeros(t.ShapeSpan, t.DType, t.Device);

    /// <summary>Ones with the shape, dtype and device of <paramref name="t"/>.</summary>
    public static Tensor OnesLike(Tensor t) => Full(t.ShapeSpan, 1.0, t.DType, t.Device);

    /// <summary>A 0-dimensional tensor holding one value.</summary>
    public static Tensor Scalar(double value, DType? dtype = null, Device? device = null) => Full(ReadOnlySpan<int>.Empty, value, dtype, device);

    /// <summary>Values start, start + step, ... below end (like torch.arange).</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType? dtype = null, Device? device = null)
    {
        if (step == 0 || double.IsNaN(step))
        {
            throw new ArgumentException($"arange: step must be nonzero, got {step}");
        }
        if ((end - start) / step < 0)
        {
            throw new ArgumentException($"arange: upper bound and larger bound inconsistent with step sign (start {start}, end {end}, step {step})");
        }
        int n = (int)Math.Ceiling((end - start) / step);
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = start + i * step;
        }
        return FromDoubles(v, new[] { n }, dtype ?? DefaultDType, device);
    }

    /// <summary>Values 0, 1, ..., end - 1.</summary>
    public static Tensor Arange(int end, DType? dtype = null, Device? device = null) => Arange(0, end, 1, dtype, device);

    /// <summary><paramref name="steps"/> evenly spaced values from start to end inclusive.</summary>
    public static Tensor Linspace(double start, double end, int steps, DType? dtype = null, Device? device = null)
    {
        if (steps < 0)
        {
            throw new ArgumentException($"linspace: number of steps must be non-negative, got {steps}");
        }
        var v = new double[steps];
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        for (int i = 0; i < steps; i++)
        {
            // Fill from both ends, as PyTorch does, so the last value is exactly `end`.
            v[i] = i < steps / 2 ? start + step * i : end - step * (steps - 1 - i);
        }
        return FromDoubles(v, new[] { steps }, dtype ?? DefaultDType, device);
    }

    /// <summary>An identity matrix (n x m, m defaults to n).</summary>
    public static Tensor Eye(int n, int? m = null, DType? dtype = null, Device? device = null)
    {
        int cols = m ?? n;
        if (n < 0 || cols < 0)
        {
            throw new ArgumentException($"eye: n and m must be non-negative, got {n} and {cols}");
        }
        var v = new double[n * cols];
        for (int i = 0; i < Math.Min(n, cols); i++)
        {
            v[i * cols + i] = 1;
        }
        return FromDoubles(v, new[] { n, cols }, dtype ?? DefaultDType, device);
    }

    /// <summary>Uniform samples in [0, 1).</summary>
    public static Tensor Rand(ReadOnlySpan<int> shape, Generator? generator = null, DType? dtype = null, Device? device = null)
        => Uniform(shape, 0, 1, generator, dtype, device);

    /// <summary>Standard normal samples.</summary>
    public static Tensor Randn(ReadOnlySpan<int> shape, Generator? generator = null, DType? dtype = null, Device? device = null)
        => Normal(shape, 0, 1, generator, dtype, device);

    /// <summary>Uniform samples in [low, high).</summary>
    public static Tensor Uniform(ReadOnlySpan<int> shape, double low, double high, Generator? generator = null, DType? dtype = null, Device? device = null)
    {
        if (!(high >= low))
        {
            throw new ArgumentException($"uniform: expects low <= high, got low={low}, high={high}");
        }
        var g = generator ?? Generator.Default;
        var v = new double[ShapeUtil.Numel(shape)];
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = low + (high - low) * g.NextDouble();
        }
        return FromDoubles(v, shape.ToArray(), dtype ?? DefaultDType, device);
    }

    /// <summary>Normal samples with the given mean and standard deviation.</summary>
    public static Tensor Normal(ReadOnlySpan<int> shape, double mean, double std, Generator? generator = null, DType? dtype = null, Device? device = null)
    {
        if (!(std >= 0))
        {
            throw new ArgumentException($"normal: expects std >= 0, got {std}");
        }
        var g = generator ?? Generator.Default;
        var v = new double[ShapeUtil.Numel(shape)];
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = mean + std * g.NextNormal();
        }
        return FromDoubles(v, shape.ToArray(), dtype ?? DefaultDType, device);
    }

    /// <summary>Random integers in [low, high) as Int64.</summary>
    public static Tensor RandInt(long low, long high, ReadOnlySpan<int> shape, Generator? generator = null, Device? device = null)
    {
        if (high <= low)
        {
            throw new ArgumentException($"randint: expects low < high, got low={low}, high={high}");
        }
        var g = generator ?? Generator.Default;
        var v = new long[ShapeUtil.Numel(shape)];
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = low + g.NextInt64(high - low);
        }
        return FromArray(v, shape.ToArray(), device);
    }

    /// <summary>A float32 tensor copied from data, with the given shape (null: 1-D; an empty shape: 0-D).</summary>
    public static Tensor FromArray(ReadOnlySpan<float> data, int[]? shape = null, Device? device = null)
        => FromTyped(data, shape, DType.Float32, device);

    /// <summary>A float64 tensor copied from data, with the given shape (null: 1-D; an empty shape: 0-D).</summary>
    public static Tensor FromArray(ReadOnlySpan<double> data, int[]? shape = null, Device? device = null)
        => FromTyped(data, shape, DType.Float64, device);

    /// <summary>An Int64 tensor copied from data, with the given shape (null: 1-D; an empty shape: 0-D).</summary>
    public static Tensor FromArray(ReadOnlySpan<long> data, int[]? shape = null, Device? device = null)
        => FromTyped(data, shape, DType.Int64, device);

    /// <summary>A Bool tensor copied from data, with the given shape (null: 1-D; an empty shape: 0-D).</summary>
    public static Tensor FromArray(ReadOnlySpan<bool> data, int[]? shape = null, Device? device = null)
        => FromTyped(data, shape, DType.Bool, device);

    /// <summary>A 2-D float32 tensor from a rectangular array.</summary>
    public static Tensor FromArray(float[,] data)
    {
        var flat = new float[data.Length];
        Buffer.BlockCopy(data, 0, flat, 0, data.Length * sizeof(float));
        return FromArray(flat, new[] { data.GetLength(0), data.GetLength(1) });
    }

    private static Tensor FromTyped<T>(ReadOnlySpan<T> data, int[]? shape, DType dtype, Device? device) where T : unmanaged
    {
        int[] sh = shape is null ? new[] { data.Length } : (int[])shape.Clone();
        if (ShapeUtil.Numel(sh) != data.Length)
        {
            throw new ArgumentException($"from_array: shape {ShapeString(sh)} needs {ShapeUtil.Numel(sh)} elements but {data.Length} were given");
        }
        var dev = device ?? Device.Cpu;
        var st = dev.Backend.FromArray(dtype, data);
        return new Tensor(st, sh, ShapeUtil.ContiguousStrides(sh), 0);
    }

    internal static Tensor FromDoubles(double[] v, int[] shape, DType dtype, Device? device)
    {
        switch (dtype)
        {
            case DType.Float64:
                return FromTyped<double>(v, shape, dtype, device);
            case DType.Float32:
                {
                    var f = new float[v.Length];
                    for (int i = 0; i < v.Length; i++)
                    {
                        f[i] = (float)v[i];
                    }
                    return FromTyped<float>(f, shape, dtype, device);
                }
            case DType.Int64:
                {
                    var l = new long[v.Length];
                    for (int i = 0; i < v.Length; i++)
                    {
                        l[i] = (long)v[i];
                    }
                    return FromTyped<long>(l, shape, dtype, device);
                }
            default:
                {
                    var b = new bool[v.Length];
                    for (int i = 0; i < v.Length; i++)
                    {
                        b[i] = v[i] != 0;
                    }
                    return FromTyped<bool>(b, shape, dtype, device);
                }
        }
    }

    // ---------------------------------------------------------------- copies and conversion

    /// <summary>A contiguous copy that is part of the graph (gradients flow through).</summary>
    public Tensor Clone()
    {
        var y = Empty(ShapeSpan, DType, Device);
        Backend.Copy(AsOperand(), y.AsOperand(), ShapeSpan);
        return Autograd.Node.Record("clone", y, new[] { this }, g => new[] { g });
    }

    /// <summary>This tensor if already contiguous, otherwise a contiguous copy.</summary>
    public Tensor Contiguous() => IsContiguous ? this : Clone();

    /// <summary>A copy converted to another dtype (this tensor if it already has it).</summary>
    public Tensor To(DType dtype)
    {
        if (dtype == DType)
        {
            return this;
        }
        var y = Empty(ShapeSpan, dtype, Device);
        Backend.Copy(AsOperand(), y.AsOperand(), ShapeSpan);
        if (dtype.IsFloating() && DType.IsFloating())
        {
            var from = DType;
            return Autograd.Node.Record("to", y, new[] { this }, g => new[] { g.To(from) });
        }
        return y;
    }

    /// <summary>A copy on another device (this tensor if already there). Gradients flow back.</summary>
    public Tensor To(Device device)
    {
        if (device.Equals(Device))
        {
            return this;
        }
        var src = Contiguous();
        Storage st = Device.Kind == DeviceKind.Cpu
            ? DType switch
            {
                DType.Float32 => device.Backend.FromArray<float>(DType, ((CpuStorage<float>)src.Storage).Span.Slice(src.Offset, NumEl)),
                DType.Float64 => device.Backend.FromArray<double>(DType, ((CpuStorage<double>)src.Storage).Span.Slice(src.Offset, NumEl)),
                DType.Int64 => device.Backend.FromArray<long>(DType, ((CpuStorage<long>)src.Storage).Span.Slice(src.Offset, NumEl)),
                _ => device.Backend.FromArray<bool>(DType, ((CpuStorage<bool>)src.Storage).Span.Slice(src.Offset, NumEl)),
            }
            : src.ToCpuStorage(device);
        var y = new Tensor(st, Shape, ShapeUtil.ContiguousStrides(ShapeSpan), 0);
        var from = Device;
        return Autograd.Node.Record("to", y, new[] { this }, g => new[] { g.To(from) });
    }

    private Storage ToCpuStorage(Device target)
    {
        // Device -> host, then host -> target (which is the CPU or another device).
        var compact = Contiguous();
        Storage host = DType switch
        {
            // ToArray copies just this tensor's elements (a view may start at an offset into a larger storage).
            DType.Float32 => new CpuStorage<float>(DType, compact.ToArray<float>()),
            DType.Float64 => new CpuStorage<double>(DType, compact.ToArray<double>()),
            DType.Int64 => new CpuStorage<long>(DType, compact.ToArray<long>()),
            _ => new CpuStorage<bool>(DType, compact.ToArray<bool>()),
        };
        if (target.Kind == DeviceKind.Cpu)
        {
            return host;
        }
        var t = new Tensor(host, ShapeArray, ShapeUtil.ContiguousStrides(ShapeSpan), 0);
        return t.To(target).Storage;
    }

    /// <summary>The elements in row-major order as a new array of T (T must match the dtype).</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var expected = typeof(T) == typeof(float) ? DType.Float32 : typeof(T) == typeof(double) ? DType.Float64
            : typeof(T) == typeof(long) ? DType.Int64 : typeof(T) == typeof(bool) ? DType.Bool
            : throw new NotSupportedException($"ToArray: element type {typeof(T).Name} is not a tensor dtype");
        if (expected != DType)
        {
            throw new InvalidOperationException($"ToArray<{typeof(T).Name}>: the tensor's dtype is {DType}; convert with To() first");
        }
        var c = Contiguous();
        if (c.Device.Kind == DeviceKind.Cpu)
        {
            return ((CpuStorage<T>)c.Storage).Span.Slice(c.Offset, NumEl).ToArray();
        }
        return c.Backend.ToArray<T>(c.Storage).AsSpan(c.Offset, NumEl).ToArray();
    }

    /// <summary>The elements in row-major order converted to double.</summary>
    public double[] ToDoubleArray()
    {
        var c = Contiguous().To(Device.Cpu);
        return c.Backend.ToDoubleArray(c.Storage, c.Offset, NumEl);
    }

    /// <summary>The elements as float.</summary>
    public float[] ToFloatArray() => Array.ConvertAll(ToDoubleArray(), v => (float)v);

    /// <summary>The value of a one-element tensor.</summary>
    public double Item()
    {
        if (NumEl != 1)
        {
            throw new InvalidOperationException($"item: a tensor with {NumEl} elements (shape {ShapeString(ShapeSpan)}) cannot be converted to a scalar");
        }
        return ToDoubleArray()[0];
    }
}
