using System.Collections.Concurrent;

namespace Engine.Multimodal.Data;

/// <summary>
/// A manifest whose samples are decoded from their files each time they are asked for (image decode, MFCC,
/// text features, with the fitted <see cref="Preprocessing"/>), so memory holds only the batches in flight,
/// not the data set. A row that became unreadable is reported in <see cref="Problems"/> and skipped, or stops
/// the run with <c>strict</c>.
/// </summary>
public sealed class StreamingDataset : ISampleSource, IDisposable
{
    private readonly IReadOnlyList<ManifestRow> _rows;
    private readonly int[] _labels;
    private readonly string _manifestPath;
    private readonly Preprocessing _prep;
    private readonly bool _strict;
    private readonly ThreadLocal<FeatureLoader> _loaders;
    private readonly ConcurrentQueue<RowProblem> _problems;
    private readonly IReadOnlyList<RowProblem> _initialProblems;

    /// <summary>Streams the rows of <paramref name="manifest"/> (rows with a label unknown to <paramref name="prep"/> are reported and left out).</summary>
    public StreamingDataset(Manifest manifest, Preprocessing prep, bool strict = false, IEnumerable<RowProblem>? earlierProblems = null, ISet<int>? skipRows = null)
    {
        _manifestPath = manifest.Path;
        _prep = prep;
        _strict = strict;
        _loaders = new ThreadLocal<FeatureLoader>(() => new FeatureLoader(prep));
        _problems = new ConcurrentQueue<RowProblem>();
        var initial = new List<RowProblem>(manifest.Problems);
        initial.AddRange(earlierProblems ?? Array.Empty<RowProblem>());
        var rows = new List<ManifestRow>();
        var labels = new List<int>();
        foreach (var row in manifest.Rows)
        {
            if (skipRows is not null && skipRows.Contains(row.Line))
            {
                continue;
            }
            int label = prep.LabelIndex(row.Label);
            if (label < 0)
            {
                var problem = new RowProblem(manifest.Path, row.Line, row.Id, null, $"unknown label '{row.Label}'");
                if (strict)
                {
                    throw new ManifestException($"Manifest: {problem} (stopped: --strict)", problem);
                }
                initial.Add(problem);
                continue;
            }
            rows.Add(row);
            labels.Add(label);
        }
        _rows = rows;
        _labels = labels.ToArray();
        _initialProblems = initial;
    }

    private StreamingDataset(StreamingDataset parent, IReadOnlyList<int> indices)
    {
        _manifestPath = parent._manifestPath;
        _prep = parent._prep;
        _strict = parent._strict;
        _loaders = parent._loaders;
        _problems = parent._problems;
        _initialProblems = parent._initialProblems;
        _rows = indices.Select(i => parent._rows[i]).ToList();
        _labels = indices.Select(i => parent._labels[i]).ToArray();
    }

    /// <inheritdoc />
    public int Count => _rows.Count;

    /// <inheritdoc />
    public IReadOnlyList<RowProblem> Problems => _initialProblems.Concat(_problems).ToList();

    /// <inheritdoc />
    public int LabelOf(int index) => _labels[index];

    /// <inheritdoc />
    public Sample? Get(int index)
    {
        var row = _rows[index];
        try
        {
            return _loaders.Value!.Load(row);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException or Engine.Audio.Io.AudioFormatException)
        {
            var problem = new RowProblem(_manifestPath, row.Line, row.Id, null, "unreadable: " + e.Message);
            if (_strict)
            {
                throw new ManifestException($"Manifest: {problem} (stopped: --strict)", problem);
            }
            _problems.Enqueue(problem);
            return null;
        }
    }

    /// <inheritdoc />
    public ISampleSource Subset(IReadOnlyList<int> indices) => new StreamingDataset(this, indices);

    /// <summary>Releases the per-thread decoders (subsets share them with their parent).</summary>
    public void Dispose() => _loaders.Dispose();
}
