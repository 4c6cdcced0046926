using System.Diagnostics;
using System.Runtime.InteropServices;
using Engine.Text.Corpus;
using Engine.Text.Sampling;
using Engine.Text.Vectors;

namespace Engine.Text.Word2Vec;

/// <summary>
/// One training run: the weight matrices in 64-byte-aligned native memory with padded rows, shared by
/// all worker threads without locks (Hogwild, as in the word2vec C tool). Work is handed out in jobs
/// of about <see cref="Word2VecOptions.JobWords"/> words; the learning rate decays linearly with the
/// share of all words processed.
/// </summary>
internal sealed unsafe class TrainingRun : IDisposable
{
    private readonly TrainingCorpus _corpus;
    private readonly Word2VecOptions _o;
    private readonly int _dim;
    private readonly int _stride;
    private readonly int _vocab;
    private readonly float* _syn0;
    private readonly float* _syn1neg;
    private readonly float* _syn1;
    private readonly uint* _keep;
    private readonly NegativeSampler? _negatives;
    // Hierarchical softmax paths, flattened: word w uses _points/_hsLabels[_codeStart[w] .. + _codeLength[w]].
    private readonly int* _points;
    private readonly float* _hsLabels;
    private readonly int[] _codeStart = [];
    private readonly int[] _codeLength = [];
    private readonly int _maxCode;
    private readonly int[] _jobs;
    private readonly int _maxSentence;
    private readonly long _totalWork;
    // Written by all workers: kept on cache lines of their own so that the read-only fields above are not invalidated.
    private readonly SharedCounters[] _shared = new SharedCounters[1];
    private Exception? _failure;

    public TrainingRun(TrainingCorpus corpus, Word2VecOptions options)
    {
        _corpus = corpus;
        _o = options;
        _dim = options.Dim;
        _stride = SgdKernels.StrideFor(_dim);
        _vocab = corpus.Vocabulary.Count;
        long rowsBytes = (long)_vocab * _stride * sizeof(float);
        _syn0 = (float*)NativeMemory.AlignedAlloc((nuint)rowsBytes, 64);
        InitInput(options.Seed);
        if (options.Negative > 0)
        {
            _syn1neg = (float*)NativeMemory.AlignedAlloc((nuint)rowsBytes, 64);
            NativeMemory.Clear(_syn1neg, (nuint)rowsBytes);
            _negatives = new NegativeSampler(corpus.Vocabulary.Counts, options.NegativePower);
        }
        if (options.HierarchicalSoftmax)
        {
            var tree = new HuffmanTree(corpus.Vocabulary.Counts);
            long inner = Math.Max(1, _vocab - 1);
            _syn1 = (float*)NativeMemory.AlignedAlloc((nuint)(inner * _stride * sizeof(float)), 64);
            NativeMemory.Clear(_syn1, (nuint)(inner * _stride * sizeof(float)));
            _codeStart = new int[_vocab];
            _codeLength = new int[_vocab];
            int total = 0;
            for (int w = 0; w < _vocab; w++)
            {
                _codeStart[w] = total;
                _codeLength[w] = tree.Codes[w].Length;
                _maxCode = Math.Max(_maxCode, _codeLength[w]);
                total += _codeLength[w];
            }
            _points = (int*)NativeMemory.Alloc((nuint)Math.Max(1, total), sizeof(int));
            _hsLabels = (float*)NativeMemory.Alloc((nuint)Math.Max(1, total), sizeof(float));
            for (int w = 0; w < _vocab; w++)
            {
                for (int d = 0; d < _codeLength[w]; d++)
                {
                    _points[_codeStart[w] + d] = tree.Points[w][d];
                    // word2vec: the target of inner node d is 1 - code bit.
                    _hsLabels[_codeStart[w] + d] = 1 - tree.Codes[w][d];
                }
            }
        }
        var subsampler = new Subsampler(corpus.Vocabulary.Counts, options.Sample);
        _keep = (uint*)NativeMemory.Alloc((nuint)_vocab, sizeof(uint));
        subsampler.Thresholds.AsSpan().CopyTo(new Span<uint>(_keep, _vocab));
        (_jobs, _maxSentence) = PlanJobs(corpus, options.JobWords);
        _totalWork = (long)options.Epochs * corpus.Tokens.Length;
    }

    public Word2VecModel Run(Action<TrainingProgress>? progress, CancellationToken ct)
    {
        int threads = _o.Threads;
        using var finished = new CountdownEvent(threads);
        var sw = Stopwatch.StartNew();
        for (int t = 0; t < threads; t++)
        {
            int id = t;
            var thread = new Thread(() =>
            {
                try
                {
                    Worker(id, ct);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _failure, e, null);
                }
                finally
                {
                    finished.Signal();
                }
            })
            {
                IsBackground = true,
                Name = $"word2vec-{id}",
                // The per-thread sentence buffer and gradient rows are small; the default stack is plenty.
            };
            thread.Start();
        }
        while (!finished.Wait(_o.ProgressInterval))
        {
            progress?.Invoke(Snapshot(sw.Elapsed));
        }
        var elapsed = sw.Elapsed;
        if (_failure != null)
        {
            throw new InvalidOperationException($"Word2Vec: a training thread failed: {_failure.Message}", _failure);
        }
        ct.ThrowIfCancellationRequested();
        progress?.Invoke(Snapshot(elapsed));
        var stats = new TrainingStats(Volatile.Read(ref _shared[0].RawDone), Volatile.Read(ref _shared[0].EffectiveDone), elapsed);
        return new Word2VecModel(_corpus.Vocabulary, _o,
            new WordVectors(_corpus.Vocabulary.Words, _dim, CopyRows(_syn0, _vocab)),
            _syn1neg != null ? CopyRows(_syn1neg, _vocab) : null,
            _syn1 != null ? CopyRows(_syn1, Math.Max(1, _vocab - 1)) : null,
            stats);
    }

    private TrainingProgress Snapshot(TimeSpan elapsed)
    {
        long done = Volatile.Read(ref _shared[0].WordsDone);
        double fraction = Math.Min(1.0, done / (double)_totalWork);
        int epoch = Math.Min(_o.Epochs, 1 + (int)(done / Math.Max(1, _corpus.Tokens.Length)));
        return new TrainingProgress(epoch, _o.Epochs, fraction, Volatile.Read(ref _shared[0].RawDone),
            Volatile.Read(ref _shared[0].EffectiveDone), elapsed, AlphaAt(done));
    }

    private float AlphaAt(long done)
    {
        double fraction = Math.Min(1.0, done / (double)_totalWork);
        return (float)(_o.Alpha - (_o.Alpha - _o.MinAlpha) * fraction);
    }

    private void Worker(int id, CancellationToken ct)
    {
        // Thread 0 of a seeded run draws the same stream every time: one thread is reproducible.
        var rng = new FastRandom(_o.Seed * 0x9E3779B97F4A7C15UL + (ulong)id + 1);
        int rowCapacity = _o.Negative + 1;
        int* sentence = (int*)NativeMemory.Alloc((nuint)Math.Max(1, _maxSentence), sizeof(int));
        int* rows = (int*)NativeMemory.Alloc((nuint)(2 * rowCapacity), sizeof(int));
        float* labels = (float*)NativeMemory.Alloc((nuint)rowCapacity, sizeof(float));
        float* neu1 = (float*)NativeMemory.AlignedAlloc((nuint)(_stride * sizeof(float)), 64);
        float* neu1e = (float*)NativeMemory.AlignedAlloc((nuint)(_stride * sizeof(float)), 64);
        try
        {
            labels[0] = 1f;
            for (int d = 1; d < rowCapacity; d++)
            {
                labels[d] = 0f;
            }
            NativeMemory.Clear(neu1, (nuint)(_stride * sizeof(float)));
            NativeMemory.Clear(neu1e, (nuint)(_stride * sizeof(float)));
            int jobsPerEpoch = _jobs.Length - 1;
            long totalJobs = (long)jobsPerEpoch * _o.Epochs;
            fixed (int* tokens = _corpus.Tokens)
            {
                while (!ct.IsCancellationRequested)
                {
                    long j = Interlocked.Increment(ref _shared[0].NextJob) - 1;
                    if (j >= totalJobs)
                    {
                        break;
                    }
                    int job = (int)(j % jobsPerEpoch);
                    // Counted locally and published once per job: atomics per sentence would bounce a cache line between threads.
                    long jobWords = 0, jobRaw = 0, jobEffective = 0;
                    for (int s = _jobs[job]; s < _jobs[job + 1]; s++)
                    {
                        int start = _corpus.SentenceStarts[s];
                        int end = _corpus.SentenceStarts[s + 1];
                        float alpha = AlphaAt(Volatile.Read(ref _shared[0].WordsDone) + jobWords);
                        int n = 0;
                        for (int t = start; t < end; t++)
                        {
                            int w = tokens[t];
                            uint keep = _keep[w];
                            if (keep == uint.MaxValue || rng.NextUInt32() < keep)
                            {
                                sentence[n++] = w;
                            }
                        }
                        if (_o.Architecture == Word2VecArchitecture.SkipGram && _syn1 == null)
                        {
                            SkipGramNegativePrefetch(sentence, n, ref rng, alpha, rows, rows + rowCapacity, labels);
                        }
                        else if (_o.Architecture == Word2VecArchitecture.SkipGram)
                        {
                            SkipGram(sentence, n, ref rng, alpha, rows, labels, neu1e);
                        }
                        else
                        {
                            Cbow(sentence, n, ref rng, alpha, rows, labels, neu1, neu1e);
                        }
                        jobWords += end - start;
                        jobRaw += _corpus.RawSentenceLengths[s];
                        jobEffective += n;
                    }
                    Interlocked.Add(ref _shared[0].WordsDone, jobWords);
                    Interlocked.Add(ref _shared[0].RawDone, jobRaw);
                    Interlocked.Add(ref _shared[0].EffectiveDone, jobEffective);
                }
            }
        }
        finally
        {
            NativeMemory.Free(sentence);
            NativeMemory.Free(rows);
            NativeMemory.Free(labels);
            NativeMemory.AlignedFree(neu1);
            NativeMemory.AlignedFree(neu1e);
        }
    }

    /// <summary>
    /// Skip-gram with negative sampling only (the common case): the same updates in the same order as
    /// <see cref="SkipGram"/>, but the rows of each pair are drawn one pair ahead and prefetched, so
    /// their cache misses overlap the previous pair's arithmetic. The random stream is consumed in the
    /// same order, so results are identical.
    /// </summary>
    private void SkipGramNegativePrefetch(int* sen, int n, ref FastRandom rng, float alpha, int* rowsA, int* rowsB, float* labels)
    {
        int window = _o.Window;
        int stride = _stride;
        int* current = rowsA;
        int* next = rowsB;
        float* pendingL1 = null;
        int pendingK = 0;
        for (int pos = 0; pos < n; pos++)
        {
            int word = sen[pos];
            int b = rng.NextInt(window);
            int lo = Math.Max(0, pos - window + b);
            int hi = Math.Min(n - 1, pos + window - b);
            for (int c = lo; c <= hi; c++)
            {
                if (c == pos)
                {
                    continue;
                }
                float* l1 = _syn0 + (long)sen[c] * stride;
                int k = DrawNegatives(word, next, ref rng);
                Prefetch(l1, stride);
                for (int d = 0; d < k; d++)
                {
                    Prefetch(_syn1neg + (long)next[d] * stride, stride);
                }
                if (pendingL1 != null)
                {
                    SgdKernels.Step(pendingL1, pendingL1, current, labels, pendingK, alpha, _syn1neg, stride);
                }
                int* swap = current;
                current = next;
                next = swap;
                pendingL1 = l1;
                pendingK = k;
            }
        }
        if (pendingL1 != null)
        {
            SgdKernels.Step(pendingL1, pendingL1, current, labels, pendingK, alpha, _syn1neg, stride);
        }
    }

    private static void Prefetch(float* row, int stride)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            for (int i = 0; i < stride; i += 16)
            {
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(row + i);
            }
        }
    }

    /// <summary>Skip-gram: the vector of each context word is trained to predict the centre word.</summary>
    private void SkipGram(int* sen, int n, ref FastRandom rng, float alpha, int* rows, float* labels, float* neu1e)
    {
        int window = _o.Window;
        int negative = _o.Negative;
        bool hs = _syn1 != null;
        bool both = hs && negative > 0;
        int stride = _stride;
        for (int pos = 0; pos < n; pos++)
        {
            int word = sen[pos];
            // Dynamic window: the effective radius is uniform in 1..window.
            int b = rng.NextInt(window);
            int lo = Math.Max(0, pos - window + b);
            int hi = Math.Min(n - 1, pos + window - b);
            for (int c = lo; c <= hi; c++)
            {
                if (c == pos)
                {
                    continue;
                }
                float* l1 = _syn0 + (long)sen[c] * stride;
                // With one loss the error goes straight into l1; with two, both must see the same l1.
                float* dst = both ? neu1e : l1;
                if (both)
                {
                    NativeMemory.Clear(neu1e, (nuint)(stride * sizeof(float)));
                }
                if (hs)
                {
                    SgdKernels.Step(l1, dst, _points + _codeStart[word], _hsLabels + _codeStart[word], _codeLength[word], alpha, _syn1, stride);
                }
                if (negative > 0)
                {
                    int k = DrawNegatives(word, rows, ref rng);
                    SgdKernels.Step(l1, dst, rows, labels, k, alpha, _syn1neg, stride);
                }
                if (both)
                {
                    SgdKernels.Axpy(1f, neu1e, l1, stride);
                }
            }
        }
    }

    /// <summary>CBOW: the mean (or sum) of the context vectors is trained to predict the centre word.</summary>
    private void Cbow(int* sen, int n, ref FastRandom rng, float alpha, int* rows, float* labels, float* neu1, float* neu1e)
    {
        int window = _o.Window;
        int negative = _o.Negative;
        bool hs = _syn1 != null;
        int stride = _stride;
        nuint bytes = (nuint)(stride * sizeof(float));
        for (int pos = 0; pos < n; pos++)
        {
            int word = sen[pos];
            int b = rng.NextInt(window);
            int lo = Math.Max(0, pos - window + b);
            int hi = Math.Min(n - 1, pos + window - b);
            NativeMemory.Clear(neu1, bytes);
            int count = 0;
            for (int c = lo; c <= hi; c++)
            {
                if (c != pos)
                {
                    SgdKernels.Axpy(1f, _syn0 + (long)sen[c] * stride, neu1, stride);
                    count++;
                }
            }
            if (count == 0)
            {
                continue;
            }
            if (_o.CbowMean)
            {
                float inv = 1f / count;
                for (int i = 0; i < stride; i++)
                {
                    neu1[i] *= inv;
                }
            }
            NativeMemory.Clear(neu1e, bytes);
            if (hs)
            {
                SgdKernels.Step(neu1, neu1e, _points + _codeStart[word], _hsLabels + _codeStart[word], _codeLength[word], alpha, _syn1, stride);
            }
            if (negative > 0)
            {
                int k = DrawNegatives(word, rows, ref rng);
                SgdKernels.Step(neu1, neu1e, rows, labels, k, alpha, _syn1neg, stride);
            }
            // As in the C tool, every context word receives the whole error.
            for (int c = lo; c <= hi; c++)
            {
                if (c != pos)
                {
                    SgdKernels.Axpy(1f, neu1e, _syn0 + (long)sen[c] * stride, stride);
                }
            }
        }
    }

    /// <summary>rows[0] = the positive word, then up to Negative draws; a draw equal to the word is skipped (not redrawn), as in word2vec.</summary>
    private int DrawNegatives(int word, int* rows, ref FastRandom rng)
    {
        rows[0] = word;
        int k = 1;
        var sampler = _negatives!;
        for (int d = 0; d < _o.Negative; d++)
        {
            int t = sampler.Sample(ref rng);
            if (t != word)
            {
                rows[k++] = t;
            }
        }
        return k;
    }

    private void InitInput(ulong seed)
    {
        // word2vec and gensim: uniform in [-0.5, 0.5) / dim; padding lanes stay zero.
        var rng = new FastRandom(seed ^ 0x5EED5EED5EED5EEDUL);
        for (long r = 0; r < _vocab; r++)
        {
            float* row = _syn0 + r * _stride;
            for (int i = 0; i < _stride; i++)
            {
                row[i] = i < _dim ? (rng.NextSingle() - 0.5f) / _dim : 0f;
            }
        }
    }

    private float[] CopyRows(float* src, int rows)
    {
        var data = new float[(long)rows * _dim];
        for (long r = 0; r < rows; r++)
        {
            new ReadOnlySpan<float>(src + r * _stride, _dim).CopyTo(data.AsSpan((int)(r * _dim), _dim));
        }
        return data;
    }

    /// <summary>Job boundaries (sentence indices) of about jobWords in-vocabulary words each, and the longest sentence.</summary>
    private static (int[] Jobs, int MaxSentence) PlanJobs(TrainingCorpus corpus, int jobWords)
    {
        var jobs = new List<int> { 0 };
        int words = 0;
        int max = 0;
        for (int s = 0; s < corpus.SentenceCount; s++)
        {
            int len = corpus.SentenceStarts[s + 1] - corpus.SentenceStarts[s];
            max = Math.Max(max, len);
            words += len;
            if (words >= jobWords)
            {
                jobs.Add(s + 1);
                words = 0;
            }
        }
        if (jobs[^1] != corpus.SentenceCount)
        {
            jobs.Add(corpus.SentenceCount);
        }
        return ([.. jobs], max);
    }

    /// <summary>Progress counters, padded to 256 bytes so no other data shares their cache lines.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct SharedCounters
    {
        [FieldOffset(64)]
        public long WordsDone;

        [FieldOffset(72)]
        public long RawDone;

        [FieldOffset(80)]
        public long EffectiveDone;

        [FieldOffset(88)]
        public int NextJob;
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_syn0);
        if (_syn1neg != null)
        {
            NativeMemory.AlignedFree(_syn1neg);
        }
        if (_syn1 != null)
        {
            NativeMemory.AlignedFree(_syn1);
        }
        NativeMemory.Free(_keep);
        if (_points != null)
        {
            NativeMemory.Free(_points);
            NativeMemory.Free(_hsLabels);
        }
    }
}
