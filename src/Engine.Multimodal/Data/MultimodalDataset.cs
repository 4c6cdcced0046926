namespace Engine.Multimodal.Data;

/// <summary>Decoded samples of a manifest plus the rows that were skipped while decoding.</summary>
public sealed class MultimodalDataset : ISampleSource
{
    /// <summary>Creates a dataset.</summary>
    public MultimodalDataset(IReadOnlyList<Sample> samples, IReadOnlyList<RowProblem> problems)
    {
        Samples = samples;
        Problems = problems;
    }

    /// <summary>The decoded samples, in manifest order.</summary>
    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>Rows skipped (by the manifest checks or while decoding), with reasons.</summary>
    public IReadOnlyList<RowProblem> Problems { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Samples.Count;

    /// <summary>A dataset holding the samples at the given positions.</summary>
    public MultimodalDataset Subset(IEnumerable<int> indices) => new(indices.Select(i => Samples[i]).ToList(), Problems);

    /// <inheritdoc />
    public int LabelOf(int index) => Samples[index].Label;

    /// <inheritdoc />
    public Sample? Get(int index) => Samples[index];

    /// <inheritdoc />
    ISampleSource ISampleSource.Subset(IReadOnlyList<int> indices) => Subset(indices);
}

/// <summary>
/// Decodes manifests in parallel and fits the <see cref="Preprocessing"/> on a training manifest
/// (labels, MFCC normalisation, text vocabulary).
/// </summary>
public static class DatasetBuilder
{
    private sealed record Raw(ManifestRow Row, float[]? Image, float[,]? Mfcc);

    /// <summary>Fits preprocessing on the training manifest and decodes it.</summary>
    public static (Preprocessing Prep, MultimodalDataset Data) FitAndLoad(Manifest train, Modality used, bool strict, Action<int, int>? progress = null)
    {
        var labels = train.Rows.Select(r => r.Label).Distinct().Order(LabelComparer.Instance).ToArray();
        if (labels.Length < 2)
        {
            throw new ManifestException($"Manifest: '{train.Path}' has {labels.Length} distinct label(s) among its usable rows; training needs at least 2");
        }
        var prep = new Preprocessing { Labels = labels };
        var problems = new List<RowProblem>(train.Problems);
        var raws = DecodeRaw(train, prep, strict, problems, progress);
        SetAudioStatistics(prep, raws.Where(r => r.Mfcc is not null).Select(r => FrameSums(r.Mfcc!)));
        prep.Vocabulary = TextFeatures.BuildVocabulary(raws.Select(r => r.Row.Text));
        return (prep, Finish(raws, prep, problems));
    }

    /// <summary>
    /// Fits preprocessing on the training manifest without keeping the decoded data (for streaming): one parallel
    /// pass decodes each row's audio for the MFCC statistics and checks its image, then drops both. Returns the
    /// preprocessing (identical to <see cref="FitAndLoad"/>'s) and the rows that could not be read.
    /// </summary>
    public static (Preprocessing Prep, List<RowProblem> Problems) Fit(Manifest train, Modality used, bool strict, Action<int, int>? progress = null)
    {
        var labels = train.Rows.Select(r => r.Label).Distinct().Order(LabelComparer.Instance).ToArray();
        if (labels.Length < 2)
        {
            throw new ManifestException($"Manifest: '{train.Path}' has {labels.Length} distinct label(s) among its usable rows; training needs at least 2");
        }
        var prep = new Preprocessing { Labels = labels };
        var problems = new List<RowProblem>();
        var sums = new (double[] Sum, double[] Sq, long Frames)?[train.Rows.Count];
        var good = DecodeRows(train, prep, strict, problems, progress, (i, image, mfcc) =>
        {
            sums[i] = mfcc is null ? null : FrameSums(mfcc);
            return true;
        });
        SetAudioStatistics(prep, sums.Where((s, i) => s is not null && good[i]).Select(s => s!.Value));
        prep.Vocabulary = TextFeatures.BuildVocabulary(train.Rows.Where((r, i) => good[i]).Select(r => r.Text));
        return (prep, problems);
    }

    // Per-row sums are added in row order, so the statistics do not depend on thread scheduling.
    private static (double[] Sum, double[] Sq, long Frames) FrameSums(float[,] m)
    {
        int n = m.GetLength(1);
        var sum = new double[n];
        var sq = new double[n];
        for (int t = 0; t < m.GetLength(0); t++)
        {
            for (int c = 0; c < n; c++)
            {
                sum[c] += m[t, c];
                sq[c] += (double)m[t, c] * m[t, c];
            }
        }
        return (sum, sq, m.GetLength(0));
    }

    private static void SetAudioStatistics(Preprocessing prep, IEnumerable<(double[] Sum, double[] Sq, long Frames)> rows)
    {
        int n = prep.NMfcc;
        var sum = new double[n];
        var sq = new double[n];
        long frames = 0;
        foreach (var r in rows)
        {
            for (int c = 0; c < n; c++)
            {
                sum[c] += r.Sum[c];
                sq[c] += r.Sq[c];
            }
            frames += r.Frames;
        }
        if (frames > 0)
        {
            prep.AudioMean = sum.Select(s => (float)(s / frames)).ToArray();
            prep.AudioStd = Enumerable.Range(0, n).Select(c => (float)Math.Sqrt(Math.Max(sq[c] / frames - sum[c] / frames * (sum[c] / frames), 1e-8))).ToArray();
        }
    }

    /// <summary>Decodes a manifest with an already fitted preprocessing (validation, test, eval, embed).</summary>
    public static MultimodalDataset Load(Manifest manifest, Preprocessing prep, bool strict, Action<int, int>? progress = null)
    {
        var problems = new List<RowProblem>(manifest.Problems);
        var raws = DecodeRaw(manifest, prep, strict, problems, progress);
        return Finish(raws, prep, problems);
    }

    private static MultimodalDataset Finish(List<Raw> raws, Preprocessing prep, List<RowProblem> problems)
    {
        var loader = new FeatureLoader(prep);
        var samples = raws.Select(r => new Sample(
            r.Row.Id,
            prep.LabelIndex(r.Row.Label),
            r.Image,
            r.Mfcc is null ? null : loader.FitFrames(r.Mfcc),
            r.Row.Text is null ? null : loader.EncodeText(r.Row.Text))).ToList();
        return new MultimodalDataset(samples, problems);
    }

    private static List<Raw> DecodeRaw(Manifest manifest, Preprocessing prep, bool strict, List<RowProblem> problems, Action<int, int>? progress)
    {
        var results = new Raw?[manifest.Rows.Count];
        DecodeRows(manifest, prep, strict, problems, progress, (i, image, mfcc) =>
        {
            results[i] = new Raw(manifest.Rows[i], image, mfcc);
            return true;
        });
        return results.Where(r => r is not null).Select(r => r!).ToList();
    }

    // Decodes every row in parallel and hands each readable one to keep; returns which rows were readable.
    private static bool[] DecodeRows(Manifest manifest, Preprocessing prep, bool strict, List<RowProblem> problems, Action<int, int>? progress, Func<int, float[]?, float[,]?, bool> keep)
    {
        var rows = manifest.Rows;
        var good = new bool[rows.Count];
        var errors = new RowProblem?[rows.Count];
        int done = 0;
        // The MFCC pipeline keeps scratch buffers, so each worker thread gets its own loader.
        using var loaders = new ThreadLocal<FeatureLoader>(() => new FeatureLoader(prep));
        using var cancel = new CancellationTokenSource();
        try
        {
            Parallel.For(0, rows.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancel.Token }, i =>
            {
                var row = rows[i];
                string? file = null;
                try
                {
                    file = row.ImagePath;
                    var image = row.ImagePath is null ? null : loaders.Value!.LoadImage(row.ImagePath);
                    file = row.AudioPath;
                    var mfcc = row.AudioPath is null ? null : loaders.Value!.LoadMfcc(row.AudioPath);
                    good[i] = keep(i, image, mfcc);
                }
                catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException or Engine.Audio.Io.AudioFormatException)
                {
                    errors[i] = new RowProblem(manifest.Path, row.Line, row.Id, file, "unreadable: " + e.Message);
                    if (strict)
                    {
                        cancel.Cancel();
                    }
                }
                progress?.Invoke(Interlocked.Increment(ref done), rows.Count);
            });
        }
        catch (OperationCanceledException)
        {
            // Reported below with the first bad row.
        }
        var firstError = errors.FirstOrDefault(e => e is not null);
        if (strict && firstError is not null)
        {
            throw new ManifestException($"Manifest: {firstError} (stopped: --strict)", firstError);
        }
        problems.AddRange(errors.Where(e => e is not null)!);
        return good;
    }
}
