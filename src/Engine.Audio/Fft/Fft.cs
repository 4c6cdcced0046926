using System.Collections.Concurrent;
using System.Runtime.Intrinsics;

namespace Engine.Audio.Fft;

/// <summary>Forward FFTs of any length on float spans; plans are cached per length.</summary>
public static class Fft
{
    private static readonly ConcurrentDictionary<int, FftPlan> ComplexPlans = new();
    private static readonly ConcurrentDictionary<int, RealFftPlan> RealPlans = new();

    /// <summary>The cached complex plan of one length.</summary>
    public static FftPlan ComplexPlan(int length) => ComplexPlans.GetOrAdd(length, n => new FftPlan(n));

    /// <summary>The cached real-input plan of one length.</summary>
    public static RealFftPlan RealPlan(int length) => RealPlans.GetOrAdd(length, n => new RealFftPlan(n));

    /// <summary>In-place forward complex DFT of (re, im): X[k] = sum_j x[j] e^{-2 pi i jk/n}.</summary>
    public static void Forward(Span<float> re, Span<float> im)
    {
        if (re.Length != im.Length)
        {
            throw new ArgumentException($"Fft.Forward: re has {re.Length} elements but im has {im.Length}.");
        }
        if (re.Length == 0)
        {
            return;
        }
        var plan = ComplexPlan(re.Length);
        var work = new float[plan.WorkLength];
        plan.Forward<float, ScalarLane>(re, im, work);
    }

    /// <summary>Real-input FFT: writes the n/2 + 1 bins of x into re and im.</summary>
    public static void Rfft(ReadOnlySpan<float> x, Span<float> re, Span<float> im)
    {
        if (x.Length == 0)
        {
            throw new ArgumentException("Fft.Rfft: input is empty.");
        }
        var plan = RealPlan(x.Length);
        CheckBins("Fft.Rfft", plan, re.Length, im.Length, 1);
        var zr = new float[plan.ComplexLength];
        var zi = new float[plan.ComplexLength];
        Pack(x, zr, zi, plan.IsPacked);
        plan.Forward<float, ScalarLane>(zr, zi, new float[plan.WorkLength], re, im);
    }

    /// <summary>
    /// Real-input FFT of <paramref name="count"/> frames of length n stored back to back in
    /// <paramref name="frames"/>; bins of frame f go to re/im[f * (n/2 + 1) ..]. Frames are transformed
    /// 16 or 8 at a time in SIMD lanes where the hardware allows.
    /// </summary>
    public static void RfftBatch(ReadOnlySpan<float> frames, int count, int n, Span<float> re, Span<float> im)
    {
        if (count < 0 || n < 1 || frames.Length < (long)count * n)
        {
            throw new ArgumentException($"Fft.RfftBatch: {count} frames of length {n} need {(long)count * n} samples, got {frames.Length}.");
        }
        var plan = RealPlan(n);
        CheckBins("Fft.RfftBatch", plan, re.Length, im.Length, count);
        if (Vector512.IsHardwareAccelerated)
        {
            Batch<Vector512<float>, Lane512>(plan, frames, count, re, im);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Batch<Vector256<float>, Lane256>(plan, frames, count, re, im);
        }
        else
        {
            Batch<float, ScalarLane>(plan, frames, count, re, im);
        }
    }

    private static void Batch<T, TOps>(RealFftPlan plan, ReadOnlySpan<float> frames, int count, Span<float> re, Span<float> im)
        where T : unmanaged where TOps : ILaneOps<T>
    {
        int w = TOps.Width, n = plan.Length, c = plan.ComplexLength, bins = plan.Bins;
        var zr = new T[c];
        var zi = new T[c];
        var work = new T[plan.WorkLength];
        var outRe = new T[bins];
        var outIm = new T[bins];
        Span<float> lanes = stackalloc float[w];
        for (int f0 = 0; f0 < count; f0 += w)
        {
            int live = Math.Min(w, count - f0);
            for (int j = 0; j < c; j++)
            {
                for (int l = 0; l < w; l++)
                {
                    int f = f0 + Math.Min(l, live - 1);
                    lanes[l] = plan.IsPacked ? frames[f * n + 2 * j] : frames[f * n + j];
                }
                zr[j] = TOps.FromLanes(lanes);
                for (int l = 0; l < w; l++)
                {
                    int f = f0 + Math.Min(l, live - 1);
                    lanes[l] = plan.IsPacked ? frames[f * n + 2 * j + 1] : 0f;
                }
                zi[j] = TOps.FromLanes(lanes);
            }
            plan.Forward<T, TOps>(zr, zi, work, outRe, outIm);
            for (int l = 0; l < live; l++)
            {
                for (int k = 0; k < bins; k++)
                {
                    re[(f0 + l) * bins + k] = TOps.Lane(outRe[k], l);
                    im[(f0 + l) * bins + k] = TOps.Lane(outIm[k], l);
                }
            }
        }
    }

    internal static void Pack(ReadOnlySpan<float> x, Span<float> zr, Span<float> zi, bool packed)
    {
        if (packed)
        {
            for (int j = 0; j < x.Length / 2; j++)
            {
                zr[j] = x[2 * j];
                zi[j] = x[2 * j + 1];
            }
        }
        else
        {
            x.CopyTo(zr);
            zi.Clear();
        }
    }

    private static void CheckBins(string op, RealFftPlan plan, int reLength, int imLength, int count)
    {
        long need = (long)plan.Bins * count;
        if (reLength < need || imLength < need)
        {
            throw new ArgumentException($"{op}: outputs need {need} elements each (n = {plan.Length}), got re {reLength} and im {imLength}.");
        }
    }
}
