using System.Numerics;
using System.Numerics.Tensors;

namespace Engine.Kernels;

/// <summary>
/// Batch normalisation over (N, C, inner) spans, float or double: training forward with batch
/// statistics (and the running-statistics update), evaluation forward with running statistics,
/// and the backward for input, weight and bias. Channels are split across threads.
/// </summary>
public static unsafe class BatchNorm
{
    /// <summary>
    /// Training forward: per channel, mean and biased variance over batch and inner; y = (x - mean) * invstd * weight + bias.
    /// Writes mean and invstd (for backward) and, when given, updates runningMean/runningVar with
    /// momentum (running variance takes the unbiased variance, as PyTorch). weight/bias may be empty.
    /// </summary>
    public static void TrainForward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> y,
        Span<T> mean, Span<T> invStd, Span<T> runningMean, Span<T> runningVar, double momentum, in BatchNormParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x.Length, y.Length, mean.Length, invStd.Length, p);
        fixed (T* px = x)
        fixed (T* pw = weight)
        fixed (T* pb = bias)
        fixed (T* py = y)
        fixed (T* pm = mean)
        fixed (T* ps = invStd)
        fixed (T* prm = runningMean)
        fixed (T* prv = runningVar)
        {
            var job = new ForwardJob<T>
            {
                X = px, W = weight.IsEmpty ? null : pw, B = bias.IsEmpty ? null : pb, Y = py, Mean = pm, InvStd = ps,
                RunMean = runningMean.IsEmpty ? null : prm, RunVar = runningVar.IsEmpty ? null : prv, Momentum = momentum, P = p, Train = true,
            };
            KernelWorkers.Run(ref job, Math.Min(p.Channels, KernelWorkers.PartsFor(p.Length, 1 << 15)), fine: true);
        }
    }

    /// <summary>
    /// Evaluation forward: y = (x - runningMean) / sqrt(runningVar + eps) * weight + bias. Writes
    /// the invstd it used into <paramref name="invStd"/> (for backward). weight/bias may be empty.
    /// </summary>
    public static void EvalForward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> y,
        ReadOnlySpan<T> runningMean, ReadOnlySpan<T> runningVar, Span<T> invStd, in BatchNormParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x.Length, y.Length, runningMean.Length, invStd.Length, p);
        fixed (T* px = x)
        fixed (T* pw = weight)
        fixed (T* pb = bias)
        fixed (T* py = y)
        fixed (T* pm = runningMean)
        fixed (T* prv = runningVar)
        fixed (T* ps = invStd)
        {
            var job = new ForwardJob<T>
            {
                X = px, W = weight.IsEmpty ? null : pw, B = bias.IsEmpty ? null : pb, Y = py, Mean = pm, InvStd = ps,
                RunVar = prv, P = p, Train = false,
            };
            KernelWorkers.Run(ref job, Math.Min(p.Channels, KernelWorkers.PartsFor(p.Length, 1 << 15)), fine: true);
        }
    }

    /// <summary>
    /// Backward given the mean and invstd the forward used. With batch statistics the gradient
    /// flows through them too; with running statistics (evaluation) it is a per-channel scale.
    /// dx, dweight, dbias may each be empty to skip them; weight empty means 1.
    /// </summary>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, ReadOnlySpan<T> weight, ReadOnlySpan<T> mean, ReadOnlySpan<T> invStd,
        Span<T> dx, Span<T> dweight, Span<T> dbias, bool batchStats, in BatchNormParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x.Length, dy.Length, mean.Length, invStd.Length, p);
        fixed (T* px = x)
        fixed (T* pdy = dy)
        fixed (T* pw = weight)
        fixed (T* pm = mean)
        fixed (T* ps = invStd)
        fixed (T* pdx = dx)
        fixed (T* pdw = dweight)
        fixed (T* pdb = dbias)
        {
            var job = new BackwardJob<T>
            {
                X = px, Dy = pdy, W = weight.IsEmpty ? null : pw, Mean = pm, InvStd = ps,
                Dx = dx.IsEmpty ? null : pdx, Dw = dweight.IsEmpty ? null : pdw, Db = dbias.IsEmpty ? null : pdb, BatchStats = batchStats, P = p,
            };
            KernelWorkers.Run(ref job, Math.Min(p.Channels, KernelWorkers.PartsFor(p.Length, 1 << 15)), fine: true);
        }
    }

    private static void Check(long a, long b, long c, long d, in BatchNormParams p)
    {
        if (p.Batch < 0 || p.Channels <= 0 || p.Inner < 0)
        {
            throw new ArgumentException($"batch_norm: invalid sizes (batch {p.Batch}, channels {p.Channels}, inner {p.Inner})");
        }
        if (a < p.Length || b < p.Length || c < p.Channels || d < p.Channels)
        {
            throw new ArgumentException($"batch_norm: buffers too small for {p.Batch} x {p.Channels} x {p.Inner}");
        }
    }

    private struct ForwardJob<T> : IPartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* X, W, B, Y, Mean, InvStd, RunMean, RunVar;
        public double Momentum;
        public BatchNormParams P;
        public bool Train;

        public readonly void RunPart(int part, int parts)
        {
            int n = P.Batch, c = P.Channels, inner = P.Inner;
            long count = (long)n * inner;
            var (s, e) = KernelWorkers.Range(c, part, parts);
            for (int ch = s; ch < e; ch++)
            {
                T mean, invStd;
                if (Train)
                {
                    T sum = T.Zero;
                    for (int b = 0; b < n; b++)
                    {
                        sum += TensorPrimitives.Sum(new ReadOnlySpan<T>(X + ((long)b * c + ch) * inner, inner));
                    }
                    mean = sum / T.CreateTruncating(count);
                    // Second pass over centred values: no cancellation when |mean| >> std.
                    T sq = T.Zero;
                    for (int b = 0; b < n; b++)
                    {
                        sq += NormLoops.CentredSumOfSquares(X + ((long)b * c + ch) * inner, inner, mean);
                    }
                    T var = sq / T.CreateTruncating(count);
                    invStd = T.One / T.Sqrt(var + T.CreateTruncating(P.Eps));
                    Mean[ch] = mean;
                    InvStd[ch] = invStd;
                    if (RunMean != null)
                    {
                        T m = T.CreateTruncating(Momentum);
                        RunMean[ch] = (T.One - m) * RunMean[ch] + m * mean;
                        T unbiased = count > 1 ? sq / T.CreateTruncating(count - 1) : T.NaN;
                        RunVar[ch] = (T.One - m) * RunVar[ch] + m * unbiased;
                    }
                }
                else
                {
                    mean = Mean[ch];
                    invStd = T.One / T.Sqrt(RunVar[ch] + T.CreateTruncating(P.Eps));
                    InvStd[ch] = invStd;
                }
                // y = x * scale + shift.
                T scale = invStd * (W == null ? T.One : W[ch]);
                T shift = (B == null ? T.Zero : B[ch]) - mean * scale;
                for (int b = 0; b < n; b++)
                {
                    long o = ((long)b * c + ch) * inner;
                    NormLoops.Affine(X + o, Y + o, inner, scale, shift);
                }
            }
        }
    }

    private struct BackwardJob<T> : IPartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* X, Dy, W, Mean, InvStd, Dx, Dw, Db;
        public bool BatchStats;
        public BatchNormParams P;

        public readonly void RunPart(int part, int parts)
        {
            int n = P.Batch, c = P.Channels, inner = P.Inner;
            long count = (long)n * inner;
            var (s, e) = KernelWorkers.Range(c, part, parts);
            for (int ch = s; ch < e; ch++)
            {
                T mean = Mean[ch], invStd = InvStd[ch], w = W == null ? T.One : W[ch];
                // sumDy = sum dy, sumDyXc = sum dy * (x - mean).
                T sumDy = T.Zero, sumDyXc = T.Zero;
                for (int b = 0; b < n; b++)
                {
                    long o = ((long)b * c + ch) * inner;
                    var dy = new ReadOnlySpan<T>(Dy + o, inner);
                    T sdy = TensorPrimitives.Sum(dy);
                    sumDy += sdy;
                    sumDyXc += TensorPrimitives.Dot(dy, new ReadOnlySpan<T>(X + o, inner)) - mean * sdy;
                }
                if (Dw != null)
                {
                    Dw[ch] = sumDyXc * invStd;
                }
                if (Db != null)
                {
                    Db[ch] = sumDy;
                }
                if (Dx == null)
                {
                    continue;
                }
                T k = w * invStd;
                if (!BatchStats)
                {
                    for (int b = 0; b < n; b++)
                    {
                        long o = ((long)b * c + ch) * inner;
                        TensorPrimitives.Multiply(new ReadOnlySpan<T>(Dy + o, inner), k, new Span<T>(Dx + o, inner));
                    }
                    continue;
                }
                // dx = k * (dy - sumDy / M - (x - mean) * invStd^2 * sumDyXc / M)
                //    = k * dy + a * x + b with a = -k invStd^2 sumDyXc / M, b = -k sumDy / M - a mean.
                T cnt = T.CreateTruncating(count);
                T a = -k * invStd * invStd * sumDyXc / cnt;
                T bb = -k * sumDy / cnt - a * mean;
                for (int b = 0; b < n; b++)
                {
                    long o = ((long)b * c + ch) * inner;
                    NormLoops.Affine2(Dy + o, X + o, Dx + o, inner, k, a, bb);
                }
            }
        }
    }
}
