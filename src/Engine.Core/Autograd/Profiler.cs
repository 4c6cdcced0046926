using System.Diagnostics;

namespace Engine.Autograd;

/// <summary>
/// An op-level profiler in the spirit of torch.profiler's table: while a session is active it counts, per op
/// name, the forward ops (each call of <see cref="Node.Record"/>), the backward functions the autograd walk runs
/// (named like "mulBackward"), and the regions a caller marks with <see cref="Region"/>; <see cref="Report"/>
/// prints them as a table. Usage: <c>using var p = Profiler.Start(); ...; Console.Write(p.Report());</c>.
/// <para>
/// Timing is taken at node boundaries, which every op passes through: a forward op is charged the time since the
/// previous profiler event on its thread (the previous op, a backward pass or a region boundary), so it includes
/// its own kernel, its shape checks and allocation, and any untracked host work done in between (an op that
/// records no node, such as a tensor made from an array, is charged to the next op that does). Backward
/// functions are timed exactly around their call. Ops run inside a backward function are not listed on their
/// own. Each row also names the innermost region it ran in, so an optimizer's ops are told apart from the
/// model's. Disabled, the hooks cost one static bool check.
/// </para>
/// </summary>
public sealed partial class Profiler : IDisposable
{
    /// <summary>Whether a session is recording (the one check the hooks make).</summary>
    internal static bool Enabled;

    private static readonly object Gate = new();
    private static Profiler? _active;

    [ThreadStatic]
    private static long _mark;

    [ThreadStatic]
    private static int _backwardDepth;

    [ThreadStatic]
    private static List<string>? _regions;

    private readonly Dictionary<(string Name, ProfileKind Kind, string Region), Stat> _stats = new();
    private readonly long _start;
    private readonly int[] _gcStart = new int[3];
    private readonly long _allocStart;
    private long _stop;
    private int[] _gcStop = new int[3];
    private long _allocStop;

    private Profiler()
    {
        _start = Stopwatch.GetTimestamp();
        for (int g = 0; g < 3; g++)
        {
            _gcStart[g] = GC.CollectionCount(g);
        }
        _allocStart = GC.GetTotalAllocatedBytes(false);
    }

    /// <summary>Whether a profiler session is active.</summary>
    public static bool IsActive => Enabled;

    /// <summary>Starts a session; only one may be active at a time. Dispose (or <see cref="Stop"/>) ends it.</summary>
    public static Profiler Start()
    {
        lock (Gate)
        {
            if (_active is not null)
            {
                throw new InvalidOperationException("Profiler.Start: a profiler session is already active; dispose it first");
            }
            _active = new Profiler();
            Enabled = true;
            return _active;
        }
    }

    /// <summary>Ends the session (idempotent); the recorded table stays readable.</summary>
    public void Stop()
    {
        lock (Gate)
        {
            if (!ReferenceEquals(_active, this))
            {
                return;
            }
            Enabled = false;
            _active = null;
            _stop = Stopwatch.GetTimestamp();
            _gcStop = new int[3];
            for (int g = 0; g < 3; g++)
            {
                _gcStop[g] = GC.CollectionCount(g);
            }
            _allocStop = GC.GetTotalAllocatedBytes(false);
        }
    }

    /// <inheritdoc />
    public void Dispose() => Stop();

    /// <summary>Wall time the session covered (up to now while it runs).</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start, _stop == 0 ? Stopwatch.GetTimestamp() : _stop);

    /// <summary>
    /// Marks a region (for example "optimizer" or "data") until the returned scope is disposed; its row holds the
    /// inclusive time. Regions nest; ops inside are listed with the innermost region's name. A no-op when no
    /// session is active.
    /// </summary>
    public static RegionScope Region(string name)
    {
        if (!Enabled)
        {
            return default;
        }
        var stack = _regions ??= new List<string>();
        stack.Add(name);
        long now = Stopwatch.GetTimestamp();
        _mark = now;
        return new RegionScope(name, now);
    }

    /// <summary>A snapshot of the rows recorded so far, largest total time first.</summary>
    public IReadOnlyList<ProfileEntry> Entries
    {
        get
        {
            lock (_stats)
            {
                return _stats
                    .Select(kv => new ProfileEntry(kv.Key.Name, kv.Key.Kind, kv.Key.Region, kv.Value.Count, kv.Value.Ticks / (double)Stopwatch.Frequency))
                    .OrderByDescending(e => e.TotalSeconds)
                    .ToList();
            }
        }
    }

    // ---------------------------------------------------------------- hooks (called only when Enabled)

    /// <summary>Node.Record's hook: charges the time since the thread's last event to the op.</summary>
    internal static void OnForward(string name)
    {
        if (_backwardDepth > 0)
        {
            return;
        }
        long now = Stopwatch.GetTimestamp();
        var p = _active;
        if (p is not null)
        {
            long since = Math.Max(_mark, p._start);
            p.Add(name, ProfileKind.Forward, CurrentRegion(), now - since);
        }
        _mark = now;
    }

    /// <summary>Backprop's hook around one node: runs its backward function and times it.</summary>
    internal static Tensor?[] TimeBackward(Node node, Tensor grad)
    {
        long t0 = Stopwatch.GetTimestamp();
        var grads = node.Apply(grad);
        long t1 = Stopwatch.GetTimestamp();
        _active?.Add(node.Name + "Backward", ProfileKind.Backward, CurrentRegion(), t1 - t0);
        return grads;
    }

    /// <summary>Backprop's hook around a whole backward pass (a region named "autograd::backward").</summary>
    internal static RegionScope BackwardPass()
    {
        if (!Enabled)
        {
            return default;
        }
        var scope = Region("autograd::backward");
        _backwardDepth++;
        return scope;
    }

    internal static void EndRegion(string name, long start)
    {
        long now = Stopwatch.GetTimestamp();
        var stack = _regions;
        if (stack is not null && stack.Count > 0 && stack[^1] == name)
        {
            stack.RemoveAt(stack.Count - 1);
        }
        if (name == "autograd::backward" && _backwardDepth > 0)
        {
            _backwardDepth--;
        }
        _active?.Add(name, ProfileKind.Region, CurrentRegion(), now - start);
        _mark = now;
    }

    private static string CurrentRegion()
    {
        var stack = _regions;
        return stack is null || stack.Count == 0 ? "" : stack[^1];
    }

    private void Add(string name, ProfileKind kind, string region, long ticks)
    {
        lock (_stats)
        {
            var key = (name, kind, region);
            _stats.TryGetValue(key, out var s);
            _stats[key] = new Stat(s.Count + 1, s.Ticks + ticks);
        }
    }

    private readonly record struct Stat(long Count, long Ticks);

    /// <summary>The scope of a region; disposing it ends the region.</summary>
    public readonly struct RegionScope : IDisposable
    {
        private readonly string? _name;
        private readonly long _start;

        internal RegionScope(string name, long start)
        {
            _name = name;
            _start = start;
        }

        /// <summary>Ends the region.</summary>
        public void Dispose()
        {
            // Ended even when the session stopped meanwhile, so the thread's region stack and backward depth unwind.
            if (_name is not null)
            {
                EndRegion(_name, _start);
            }
        }
    }
}

/// <summary>What a profiler row counts.</summary>
public enum ProfileKind
{
    /// <summary>A forward op (one <see cref="Node.Record"/> call).</summary>
    Forward,

    /// <summary>A backward function run by the autograd walk.</summary>
    Backward,

    /// <summary>A region a caller marked (inclusive time).</summary>
    Region,
}

/// <summary>One row of a profile.</summary>
/// <param name="Name">Op, backward function ("mulBackward") or region name.</param>
/// <param name="Kind">What the row counts.</param>
/// <param name="Region">The innermost region it ran in ("" for none; for a region, its enclosing one).</param>
/// <param name="Count">Calls.</param>
/// <param name="TotalSeconds">Total time.</param>
public sealed record ProfileEntry(string Name, ProfileKind Kind, string Region, long Count, double TotalSeconds);
