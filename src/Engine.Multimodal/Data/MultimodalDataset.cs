namespace Engine.Multimodal.Data;

/// <summary>Decoded samples of a manifest plus the rows that were skipped while decoding.</summary>
public sealed class MultimodalDataset
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
        // Per-coefficient statistics over every training frame.
        var mfccs = raws.Where(r => r.Mfcc is not null).Select(r => r.Mfcc!).ToList();
        if (mfccs.Count > 0)
        {
            int n = prep.NMfcc;
            var sum = new double[n];
            var sq = new double[n];
            long frames = 0;
            foreach (var m in mfccs)
            {
                for (int t = 0; t < m.GetLength(0); t++)
                {
                    for (int c = 0; c < n; c++)
                    {
                        sum[c] += m[t, c];
                        sq[c] += (double)m[t, c] * m[t, c];
                    }
                }
                frames += m.GetLength(0);
            }
            prep.AudioMean = sum.Select(s => (float)(s / frames)).ToArray();
            prep.AudioStd = Enumerable.Range(0, n).Select(c => (float)Math.Sqrt(Math.Max(sq[c] / frames - sum[c] / frames * (sum[c] / frames), 1e-8))).ToArray();
        }
        prep.Vocabulary = TextFeatures.BuildVocabulary(raws.Select(r => r.Row.Text));
        return (prep, Finish(raws, prep, problems));
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
        var rows = manifest.Rows;
        var results = new Raw?[rows.Count];
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
                    results[i] = new Raw(row, image, mfcc);
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
        return results.Where(r => r is not null).Select(r => r!).ToList();
    }
}
