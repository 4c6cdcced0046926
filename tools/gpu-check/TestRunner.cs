using System.Reflection;
using NUnit.Framework.Internal;

namespace Engine.GpuCheck;

/// <summary>
/// A minimal runner for the NUnit tests compiled into this program (the GPU machine has no test
/// host): runs [OneTimeSetUp], then every [Test] and [TestCaseSource] case of one fixture,
/// counting passes, failures and ignores.
/// </summary>
internal static class TestRunner
{
    public static (int Passed, int Failed, int Skipped) Run(object fixture, TextWriter log, string? only = null)
    {
        var type = fixture.GetType();
        int passed = 0, failed = 0, skipped = 0;
        try
        {
            foreach (var m in Methods<OneTimeSetUpAttribute>(type))
            {
                m.Invoke(fixture, null);
            }
        }
        catch (TargetInvocationException e) when (e.InnerException is IgnoreException ie)
        {
            log.WriteLine($"SKIP {type.Name}: {ie.Message}");
            return (0, 0, 1);
        }
        foreach (var (name, call) in Cases(fixture))
        {
            if (only is not null && !name.Contains(only, StringComparison.Ordinal))
            {
                continue;
            }
            var sw = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                using (new TestExecutionContext.IsolatedContext())
                {
                    call();
                }
                passed++;
                log.WriteLine($"PASS {type.Name}.{name} ({sw.Elapsed.TotalSeconds:0.00} s)");
            }
            catch (Exception e)
            {
                var inner = e;
                while (inner is TargetInvocationException { InnerException: not null } t)
                {
                    inner = t.InnerException!;
                }
                if (inner is IgnoreException)
                {
                    skipped++;
                    log.WriteLine($"SKIP {type.Name}.{name}: {inner.Message}");
                    continue;
                }
                failed++;
                log.WriteLine($"FAIL {type.Name}.{name}: {inner.GetType().Name}: {inner.Message.Trim()}");
            }
        }
        return (passed, failed, skipped);
    }

    private static IEnumerable<MethodInfo> Methods<TAttr>(Type t) where TAttr : Attribute
        => t.GetMethods(BindingFlags.Public | BindingFlags.Instance).Where(m => m.GetCustomAttribute<TAttr>() is not null);

    private static IEnumerable<(string, Action)> Cases(object fixture)
    {
        var type = fixture.GetType();
        foreach (var m in type.GetMethods(BindingFlags.Public | BindingFlags.Instance).OrderBy(m => m.Name))
        {
            if (m.GetCustomAttribute<TestAttribute>() is not null)
            {
                yield return (m.Name, () => m.Invoke(fixture, null));
            }
            foreach (var tc in m.GetCustomAttributes<TestCaseAttribute>())
            {
                var args = tc.Arguments;
                yield return ($"{m.Name}({string.Join(", ", args)})", () => m.Invoke(fixture, Convert(m, args)));
            }
            var src = m.GetCustomAttribute<TestCaseSourceAttribute>();
            if (src?.SourceName is string sourceName)
            {
                const BindingFlags any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.FlattenHierarchy;
                object? source = type.GetProperty(sourceName, any)?.GetValue(null)
                    ?? type.GetField(sourceName, any)?.GetValue(null)
                    ?? type.GetMethod(sourceName, any, Type.EmptyTypes)?.Invoke(null, null);
                var items = (System.Collections.IEnumerable)(source ?? throw new InvalidOperationException($"{type.Name}: test case source {sourceName} not found"));
                foreach (var item in items)
                {
                    var arg = item;
                    yield return ($"{m.Name}({arg})", () => m.Invoke(fixture, new[] { arg }));
                }
            }
        }
    }

    private static object?[] Convert(MethodInfo m, object?[] args)
    {
        var ps = m.GetParameters();
        var r = new object?[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            r[i] = args[i] is IConvertible c && ps[i].ParameterType != args[i]!.GetType() ? c.ToType(ps[i].ParameterType, null) : args[i];
        }
        return r;
    }
}
