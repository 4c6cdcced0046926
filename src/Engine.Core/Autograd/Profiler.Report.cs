using System.Globalization;
using System.Text;

namespace Engine.Autograd;

public sealed partial class Profiler
{
    /// <summary>
    /// The table: one row per (name, kind, region), largest total first, with calls, total milliseconds, mean
    /// microseconds per call and the share of the session's wall time; then totals per kind and the garbage
    /// collections and bytes allocated during the session. <paramref name="top"/> limits the rows (0: all).
    /// </summary>
    public string Report(int top = 40)
    {
        var rows = Entries;
        double wall = Elapsed.TotalSeconds;
        int nameWidth = Math.Max(24, rows.Take(top <= 0 ? rows.Count : top).Select(r => r.Name.Length).DefaultIfEmpty(0).Max() + 1);
        int regionWidth = Math.Max(8, rows.Select(r => r.Region.Length).DefaultIfEmpty(0).Max() + 1);
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"profile: {wall:F3} s wall, {rows.Count} rows").AppendLine();
        sb.Append("name".PadRight(nameWidth)).Append("kind".PadRight(10)).Append("region".PadRight(regionWidth))
            .Append("calls".PadLeft(10)).Append("total ms".PadLeft(12)).Append("mean us".PadLeft(11)).Append("% wall".PadLeft(8)).AppendLine();
        foreach (var r in top <= 0 ? rows : rows.Take(top))
        {
            sb.Append(r.Name.PadRight(nameWidth)).Append(r.Kind.ToString().ToLowerInvariant().PadRight(10)).Append(r.Region.PadRight(regionWidth))
                .Append(r.Count.ToString(inv).PadLeft(10))
                .Append((r.TotalSeconds * 1e3).ToString("F1", inv).PadLeft(12))
                .Append((r.TotalSeconds * 1e6 / Math.Max(r.Count, 1)).ToString("F1", inv).PadLeft(11))
                .Append((wall > 0 ? 100 * r.TotalSeconds / wall : 0).ToString("F1", inv).PadLeft(8))
                .AppendLine();
        }
        if (top > 0 && rows.Count > top)
        {
            sb.Append(inv, $"... {rows.Count - top} more rows").AppendLine();
        }
        foreach (var kind in new[] { ProfileKind.Forward, ProfileKind.Backward })
        {
            var of = rows.Where(r => r.Kind == kind).ToList();
            sb.Append(inv, $"total {kind.ToString().ToLowerInvariant()}: {of.Sum(r => r.Count)} calls, {of.Sum(r => r.TotalSeconds) * 1e3:F1} ms").AppendLine();
        }
        var gcEnd = _stop == 0 ? new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) } : _gcStop;
        long allocEnd = _stop == 0 ? GC.GetTotalAllocatedBytes(false) : _allocStop;
        sb.Append(inv, $"GC: {gcEnd[0] - _gcStart[0]} gen0, {gcEnd[1] - _gcStart[1]} gen1, {gcEnd[2] - _gcStart[2]} gen2 collections; {(allocEnd - _allocStart) / 1e6:F1} MB allocated").AppendLine();
        return sb.ToString();
    }
}
