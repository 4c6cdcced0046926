using System.Reflection;
using Engine.Gpu.Functors;
using Engine.Gpu.Kernels;
using Engine.Kernels;
using ILGPU;

namespace Engine.Gpu;

/// <summary>
/// Every kernel the GPU backend can launch, as closed generic methods: each elementwise kernel for
/// every functor in Engine.Kernels.Cpu and both float types, every copy/fill/where/index kernel for
/// every storage type, and so on. The PTX test compiles each of them for CUDA with no GPU present.
/// </summary>
public static class KernelCatalog
{
    /// <summary>One kernel: its method and whether it is explicitly grouped (uses Group/Grid and shared memory).</summary>
    public readonly record struct Entry(MethodInfo Method, bool ExplicitlyGrouped)
    {
        /// <summary>A readable name such as UnaryLin[Single, FromCpuUnary`1[ExpFn]].</summary>
        public override string ToString() => $"{Method.DeclaringType!.Name}.{Method.Name}[{string.Join(", ", Method.GetGenericArguments().Select(Name))}]";

        private static string Name(Type t) => t.IsGenericType ? $"{t.Name}[{string.Join(", ", t.GetGenericArguments().Select(Name))}]" : t.Name;
    }

    /// <summary>The CPU functor types (unary) that the elementwise kernels run.</summary>
    public static IEnumerable<Type> UnaryFunctors => typeof(IUnaryFn).Assembly.GetTypes()
        .Where(t => t.IsValueType && !t.ContainsGenericParameters && typeof(IUnaryFn).IsAssignableFrom(t)).OrderBy(t => t.Name);

    /// <summary>The CPU functor types (binary) that the elementwise kernels run.</summary>
    public static IEnumerable<Type> BinaryFunctors => typeof(IBinaryFn).Assembly.GetTypes()
        .Where(t => t.IsValueType && !t.ContainsGenericParameters && typeof(IBinaryFn).IsAssignableFrom(t)).OrderBy(t => t.Name);

    /// <summary>All kernels.</summary>
    public static IEnumerable<Entry> All()
    {
        Type[] floats = { typeof(float), typeof(double) };
        Type[] storage = { typeof(float), typeof(double), typeof(long), typeof(byte) };
        foreach (var t in floats)
        {
            foreach (var fn in UnaryFunctors)
            {
                var g = GpuFunctorMap.Unary(fn);
                yield return Make(typeof(ElementwiseKernels), nameof(ElementwiseKernels.UnaryLin), t, g);
                yield return Make(typeof(ElementwiseKernels), nameof(ElementwiseKernels.UnaryStrided), t, g);
            }
            foreach (var fn in BinaryFunctors)
            {
                var g = GpuFunctorMap.Binary(fn);
                yield return Make(typeof(ElementwiseKernels), nameof(ElementwiseKernels.BinaryLin), t, g);
                yield return Make(typeof(ElementwiseKernels), nameof(ElementwiseKernels.BinaryStrided), t, g);
            }
            foreach (var op in new[] { typeof(SumOp), typeof(MaxOp), typeof(MinOp) })
            {
                yield return Make(typeof(ReduceKernels), nameof(ReduceKernels.ThreadPerOutput), t, op);
                yield return Make(typeof(ReduceKernels), nameof(ReduceKernels.GroupPerOutput), t, op);
                yield return Make(typeof(ReduceKernels), nameof(ReduceKernels.GroupPerChunk), t, op);
            }
            yield return Make(typeof(ReduceKernels), nameof(ReduceKernels.ArgExtreme), t);
            yield return Make(typeof(SoftmaxKernels), nameof(SoftmaxKernels.Forward), t);
            yield return Make(typeof(SoftmaxKernels), nameof(SoftmaxKernels.Backward), t);
            yield return Make(typeof(GemmKernels), nameof(GemmKernels.Tiled), t);
            yield return Make(typeof(ConvKernels), nameof(ConvKernels.Im2Col), t);
            yield return Make(typeof(ConvKernels), nameof(ConvKernels.Col2Im), t);
            yield return Make(typeof(ConvKernels), nameof(ConvKernels.ChannelSum), t);
        }
        foreach (var t in storage)
        {
            yield return Make(typeof(ElementwiseKernels), nameof(ElementwiseKernels.CopyLin), t);
            yield return Make(typeof(ElementwiseKernels), nameof(ElementwiseKernels.CopyStrided), t);
            yield return Make(typeof(ElementwiseKernels), nameof(ElementwiseKernels.FillStrided), t);
            yield return Make(typeof(ElementwiseKernels), nameof(ElementwiseKernels.WhereStrided), t);
            yield return Make(typeof(IndexKernels), nameof(IndexKernels.Gather), t);
            yield return Make(typeof(IndexKernels), nameof(IndexKernels.IndexSelect), t);
        }
        foreach (var conv in typeof(IConvert<,>).Assembly.GetTypes().Where(IsConverter))
        {
            var args = conv.GetInterfaces().First(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConvert<,>)).GetGenericArguments();
            yield return Make(typeof(ElementwiseKernels), nameof(ElementwiseKernels.ConvertStrided), args[0], args[1], conv);
        }
        foreach (var (t, add) in new[] { (typeof(float), typeof(AtomicF32)), (typeof(double), typeof(AtomicF64)), (typeof(long), typeof(AtomicI64)) })
        {
            yield return Make(typeof(IndexKernels), nameof(IndexKernels.ScatterAdd), t, add);
            yield return Make(typeof(IndexKernels), nameof(IndexKernels.IndexAdd), t, add);
        }
        yield return Of(typeof(GemmKernels).GetMethod(nameof(GemmKernels.Large))!);
        foreach (var e in Extra())
        {
            yield return e;
        }
    }

    private static bool IsConverter(Type t) => t.IsValueType
        && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConvert<,>));

    /// <summary>
    /// Non-generic and other kernels: every public static method of <see cref="OptimizerKernels"/> and
    /// of each class marked <see cref="CatalogedKernelsAttribute"/> (non-generic methods as they are,
    /// methods with one type parameter closed over float and double).
    /// </summary>
    private static IEnumerable<Entry> Extra()
    {
        var types = typeof(KernelCatalog).Assembly.GetTypes()
            .Where(t => t == typeof(OptimizerKernels) || t.GetCustomAttribute<CatalogedKernelsAttribute>() is not null)
            .OrderBy(t => t.Name);
        foreach (var type in types)
        {
            foreach (var m in type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly).OrderBy(m => m.Name))
            {
                if (!m.IsGenericMethodDefinition)
                {
                    yield return Of(m);
                }
                else if (m.GetGenericArguments().Length == 1)
                {
                    yield return Of(m.MakeGenericMethod(typeof(float)));
                    yield return Of(m.MakeGenericMethod(typeof(double)));
                }
            }
        }
    }

    private static Entry Make(Type holder, string name, params Type[] args)
    {
        var m = holder.GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new MissingMethodException(holder.Name, name);
        return Of(m.MakeGenericMethod(args));
    }

    private static Entry Of(MethodInfo m)
    {
        var first = m.GetParameters().FirstOrDefault()?.ParameterType;
        bool implicitGrouped = first == typeof(Index1D) || first == typeof(Index2D) || first == typeof(Index3D);
        return new Entry(m, !implicitGrouped);
    }
}

/// <summary>
/// Marks a static class of kernels for <see cref="KernelCatalog"/>: each public static method is a
/// kernel; generic ones (one type parameter) are compiled for float and double.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class CatalogedKernelsAttribute : Attribute
{
}
