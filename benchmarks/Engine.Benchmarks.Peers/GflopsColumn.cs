using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Engine.Benchmarks.Peers;

/// <summary>
/// GFLOP/s from the median time: the benchmark class says how many floating-point operations one
/// invocation does through a public static <c>double Flops(string method, string shape)</c>.
/// </summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Billions of floating-point operations per second, from the median";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        MethodInfo? flops = benchmarkCase.Descriptor.Type.GetMethod("Flops", BindingFlags.Public | BindingFlags.Static | BindingFlags.FlattenHierarchy);
        if (report?.ResultStatistics is null || flops is null)
        {
            return "-";
        }
        string shape = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Shape")?.Value?.ToString() ?? "";
        double f = (double)flops.Invoke(null, [benchmarkCase.Descriptor.WorkloadMethod.Name, shape])!;
        return (f / report.ResultStatistics.Median).ToString("F1"); // flop per ns = GFLOP/s
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
