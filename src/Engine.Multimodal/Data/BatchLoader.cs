using System.Collections.Concurrent;

namespace Engine.Multimodal.Data;

/// <summary>
/// Shuffled, batched iteration over a sample source with background prefetch: a worker thread decodes (for a
/// <see cref="StreamingDataset"/>, the samples of a batch in parallel) and collates the next batches while the
/// model trains on the current one, holding at most <see cref="Prefetch"/> finished batches in a bounded queue.
/// The order of an epoch depends only on the seed and the epoch number (never on thread timing), so a resumed
/// run sees the same batches as an uninterrupted one. Samples that became unreadable are left out of their batch.
/// </summary>
public sealed class BatchLoader
{
    private readonly ISampleSource _data;
    private readonly Preprocessing _prep;
    private readonly Modality _used;

    /// <summary>Creates a loader.</summary>
    public BatchLoader(ISampleSource data, Preprocessing prep, Modality used, int batchSize, bool shuffle, ulong seed, int prefetch = 2, bool textTokens = false)
    {
        TextTokens = textTokens && (used & Modality.Text) != 0;
        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "BatchLoader: batch size must be positive");
        }
        _data = data;
        _prep = prep;
        _used = used;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        Prefetch = Math.Max(1, prefetch);
    }

    /// <summary>Samples per batch (the last batch may be smaller).</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch is shuffled.</summary>
    public bool Shuffle { get; }

    /// <summary>The shuffling seed.</summary>
    public ulong Seed { get; }

    /// <summary>Whether batches also carry the text as padded token ids (for a token-level text encoder).</summary>
    public bool TextTokens { get; }

    /// <summary>Batches collated ahead.</summary>
    public int Prefetch { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchCount => (_data.Count + BatchSize - 1) / BatchSize;

    /// <summary>The sample order of an epoch.</summary>
    public int[] Order(int epoch)
    {
        var order = Enumerable.Range(0, _data.Count).ToArray();
        if (Shuffle)
        {
            var g = new Generator(Seed * 1_000_003UL + (ulong)epoch);
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = (int)g.NextInt64(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }
        return order;
    }

    /// <summary>The batches of one epoch, collated on a background thread.</summary>
    public IEnumerable<BatchData> Epoch(int epoch)
    {
        var order = Order(epoch);
        using var queue = new BlockingCollection<BatchData>(Prefetch);
        using var stop = new CancellationTokenSource();
        Exception? failure = null;
        var worker = new Thread(() =>
        {
            try
            {
                for (int start = 0; start < order.Length && !stop.IsCancellationRequested; start += BatchSize)
                {
                    var idx = order.AsSpan(start, Math.Min(BatchSize, order.Length - start)).ToArray();
                    var batch = Collate(idx);
                    if (batch.Size > 0)
                    {
                        queue.Add(batch, stop.Token);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The consumer stopped early.
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                queue.CompleteAdding();
            }
        })
        { IsBackground = true, Name = "batch-prefetch" };
        worker.Start();
        try
        {
            foreach (var batch in queue.GetConsumingEnumerable())
            {
                yield return batch;
            }
        }
        finally
        {
            stop.Cancel();
            worker.Join();
        }
        if (failure is not null)
        {
            if (failure is ManifestException)
            {
                // --strict stopped at an unreadable row: the caller reports it like any bad manifest row.
                throw new ManifestException(failure.Message, ((ManifestException)failure).Problem);
            }
            throw new InvalidOperationException($"BatchLoader: collating a batch failed: {failure.Message}", failure);
        }
    }

    /// <summary>Collates the samples at <paramref name="indices"/> into one batch (unreadable ones are left out).</summary>
    public BatchData Collate(int[] indices)
    {
        var fetched = new Sample?[indices.Length];
        if (_data is MultimodalDataset)
        {
            for (int i = 0; i < indices.Length; i++)
            {
                fetched[i] = _data.Get(indices[i]);
            }
        }
        else
        {
            // Decoding dominates a streamed batch; results land by position, so the batch is the same whatever the timing.
            try
            {
                Parallel.For(0, indices.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i => fetched[i] = _data.Get(indices[i]));
            }
            catch (AggregateException e) when (e.InnerExceptions.OfType<ManifestException>().FirstOrDefault() is ManifestException strict)
            {
                throw new ManifestException(strict.Message, strict.Problem);
            }
        }
        var samples = fetched.Where(f => f is not null).Select(f => f!).ToArray();
        int b = samples.Length;
        int pix = _prep.ImageSize * _prep.ImageSize;
        int frames = _prep.AudioFrames * _prep.NMfcc;
        int vocab = _prep.Vocabulary.Length;
        var image = (_used & Modality.Image) != 0 ? new float[b * pix] : null;
        var audio = (_used & Modality.Audio) != 0 ? new float[b * frames] : null;
        var text = (_used & Modality.Text) != 0 && vocab > 0 ? new float[b * vocab] : null;
        var mask = new float[b * 3];
        var labels = new long[b];
        var ids = new string[b];
        for (int i = 0; i < b; i++)
        {
            var s = samples[i];
            ids[i] = s.Id;
            labels[i] = s.Label;
            if (image is not null && s.Image is not null)
            {
                s.Image.CopyTo(image, i * pix);
                mask[i * 3] = 1;
            }
            if (audio is not null && s.Audio is not null)
            {
                s.Audio.CopyTo(audio, i * frames);
                mask[i * 3 + 1] = 1;
            }
            if (text is not null && s.Text is not null && s.Text.Length > 0)
            {
                // Mean pooling of feature embeddings = (normalised counts) @ embedding table.
                float w = 1f / s.Text.Length;
                foreach (int id in s.Text)
                {
                    text[i * vocab + id] += w;
                }
                mask[i * 3 + 2] = 1;
            }
        }
        long[]? tokens = null;
        float[]? tokenMask = null;
        int len = 0;
        if (TextTokens)
        {
            len = Math.Max(1, Math.Min(BatchData.MaxTextTokens, samples.Max(x => x.Text?.Length ?? 0)));
            tokens = new long[b * len];
            tokenMask = new float[b * len];
            for (int i = 0; i < b; i++)
            {
                var t = samples[i].Text;
                for (int j = 0; t is not null && j < Math.Min(len, t.Length); j++)
                {
                    tokens[i * len + j] = t[j];
                    tokenMask[i * len + j] = 1;
                }
            }
        }
        return new BatchData
        {
            Size = b, Ids = ids, Labels = labels, Image = image, Audio = audio, Text = text, Mask = mask,
            TextTokens = tokens, TextTokenMask = tokenMask, TextTokenCount = len,
        };
    }
}
