using System.Runtime.InteropServices;
using Engine.Audio.Fft;

namespace Engine.Audio.Features;

public sealed partial class FeaturePipeline
{
    // Kaldi's floor for log energies: numeric_limits<float>::epsilon().
    private const float KaldiEpsilon = 1.1920928955078125e-07f;
    private const float DbAmin = 1e-10f;
    private static readonly double DbScale = 10.0 / Math.Log(10.0);

    /// <summary>Runs all frames, W at a time in the lanes of T.</summary>
    private unsafe void Run<T, TOps>(float[] padded, int frames, float[,] output)
        where T : unmanaged where TOps : ILaneOps<T>
    {
        int w = TOps.Width, l = _o.FrameLength, bins = _fft.Bins, c = _fft.ComplexLength;
        int groups = (frames + w - 1) / w;
        int nMels = _mel?.NMels ?? 0;
        int frameLen = _kaldiFrameOps || !_fft.IsPacked ? l : 0;
        // One thread-local buffer sliced into every scratch array: no allocation per call after the first.
        var buffer = Scratch<T>.Rent(2 * c + _fft.WorkLength + bins + frameLen + groups + groups * nMels + Math.Max(_o.NMfcc, 1));
        var rest = buffer.AsSpan();
        Span<T> zr = Take(ref rest, c), zi = Take(ref rest, c), work = Take(ref rest, _fft.WorkLength);
        Span<T> spec = Take(ref rest, bins), frame = Take(ref rest, frameLen), energy = Take(ref rest, groups);
        // Mel (or log-mel) energies of every group, kept for the utterance-wide top_db clamp before the DCT.
        Span<T> melStore = Take(ref rest, groups * nMels), cep = Take(ref rest, Math.Max(_o.NMfcc, 1));
        var random = _o.Dither != 0f ? new Random(_o.DitherSeed) : null;
        int* offsets = stackalloc int[w];
        T maxDb = TOps.Splat(float.NegativeInfinity);
        fixed (float* p = padded)
        {
            for (int g = 0; g < groups; g++)
            {
                int live = Math.Min(w, frames - g * w);
                for (int i = 0; i < w; i++)
                {
                    // Dead lanes repeat the last frame, so they never change an utterance-wide maximum.
                    offsets[i] = (g * w + Math.Min(i, live - 1)) * _o.Hop;
                }
                if (_kaldiFrameOps)
                {
                    energy[g] = KaldiFrame<T, TOps>(p, offsets, frame, random, live);
                    PackFrame<T, TOps>(frame, zr, zi);
                }
                else
                {
                    GatherWindowed<T, TOps>(p, offsets, frame, zr, zi);
                }
                _fft.Power<T, TOps>(zr, zi, work, spec, _o.Magnitude);
                if (_mel is null)
                {
                    Compress<T, TOps>(spec, ref maxDb);
                    if (_o.UseEnergy)
                    {
                        spec[0] = energy[g];
                    }
                    Scatter<T, TOps>(spec, output, g * w, live);
                    continue;
                }
                var mel = melStore.Slice(g * nMels, nMels);
                ApplyMel<T, TOps>(spec, mel);
                Compress<T, TOps>(mel, ref maxDb);
            }
        }
        if (_mel is null)
        {
            return;
        }
        if (_o.Log == LogMode.Decibel && _o.TopDb is float topDb)
        {
            float max = float.NegativeInfinity;
            for (int i = 0; i < w; i++)
            {
                max = Math.Max(max, TOps.Lane(maxDb, i));
            }
            T floor = TOps.Splat(max - topDb);
            for (int i = 0; i < melStore.Length; i++)
            {
                melStore[i] = TOps.Max(melStore[i], floor);
            }
        }
        for (int g = 0; g < groups; g++)
        {
            int live = Math.Min(w, frames - g * w);
            var mel = melStore.Slice(g * nMels, nMels);
            if (_dct is null)
            {
                Scatter<T, TOps>(mel, output, g * w, live);
                continue;
            }
            Cepstrum<T, TOps>(mel, cep);
            if (_o.UseEnergy)
            {
                cep[0] = energy[g];
            }
            Scatter<T, TOps>(cep, output, g * w, live);
        }
    }

    private static Span<T> Take<T>(ref Span<T> rest, int n)
    {
        var head = rest[..n];
        rest = rest[n..];
        return head;
    }

    /// <summary>Fast path without Kaldi frame operations: gather, window and pack in one pass.</summary>
    private unsafe void GatherWindowed<T, TOps>(float* p, int* offsets, Span<T> frame, Span<T> zr, Span<T> zi)
        where T : unmanaged where TOps : ILaneOps<T>
    {
        int l = _o.FrameLength, c = _fft.ComplexLength;
        float[] win = _window;
        double[] winD = _windowD;
        T zero = TOps.Splat(0f);
        if (_fft.IsPacked)
        {
            // Consecutive samples of W frames, transposed into lanes 8 at a time (8x8 blocks), windowed and
            // packed straight into the even/odd halves, so no frame-sized buffer is touched.
            Span<T> block = stackalloc T[8];
            int j = 0;
            for (; j + 8 <= l; j += 8)
            {
                TOps.GatherBlock(p + j, offsets, block);
                int k = j / 2;
                zr[k] = TOps.Mul(block[0], TOps.Tw(win, winD, j));
                zi[k] = TOps.Mul(block[1], TOps.Tw(win, winD, j + 1));
                zr[k + 1] = TOps.Mul(block[2], TOps.Tw(win, winD, j + 2));
                zi[k + 1] = TOps.Mul(block[3], TOps.Tw(win, winD, j + 3));
                zr[k + 2] = TOps.Mul(block[4], TOps.Tw(win, winD, j + 4));
                zi[k + 2] = TOps.Mul(block[5], TOps.Tw(win, winD, j + 5));
                zr[k + 3] = TOps.Mul(block[6], TOps.Tw(win, winD, j + 6));
                zi[k + 3] = TOps.Mul(block[7], TOps.Tw(win, winD, j + 7));
            }
            for (int k = j / 2; k < c; k++)
            {
                zr[k] = 2 * k < l ? TOps.Mul(TOps.Gather(p + 2 * k, offsets), TOps.Tw(win, winD, 2 * k)) : zero;
                zi[k] = 2 * k + 1 < l ? TOps.Mul(TOps.Gather(p + 2 * k + 1, offsets), TOps.Tw(win, winD, 2 * k + 1)) : zero;
            }
        }
        else
        {
            TOps.GatherBlock(p, offsets, frame);
            for (int k = 0; k < c; k++)
            {
                zr[k] = k < l ? TOps.Mul(frame[k], TOps.Tw(win, winD, k)) : zero;
                zi[k] = zero;
            }
        }
    }

    /// <summary>
    /// Kaldi's per-frame processing in the order of torchaudio.compliance.kaldi: dither, DC removal, raw log
    /// energy, pre-emphasis (x[j] -= c x[j-1], x[0] -= c x[0]), window; returns the log energy per lane.
    /// </summary>
    private unsafe T KaldiFrame<T, TOps>(float* p, int* offsets, Span<T> frame, Random? random, int live)
        where T : unmanaged where TOps : ILaneOps<T>
    {
        int l = _o.FrameLength, w = TOps.Width;
        TOps.GatherBlock(p, offsets, frame);
        if (random is not null)
        {
            Span<float> noise = stackalloc float[w];
            for (int j = 0; j < l; j++)
            {
                for (int i = 0; i < w; i++)
                {
                    noise[i] = i < live ? (float)Gaussian(random) * _o.Dither : 0f;
                }
                frame[j] = TOps.Add(frame[j], TOps.FromLanes(noise));
            }
        }
        if (_o.RemoveDcOffset)
        {
            T sum = TOps.Splat(0f);
            for (int j = 0; j < l; j++)
            {
                sum = TOps.Add(sum, frame[j]);
            }
            T mean = TOps.Mul(sum, TOps.SplatD(1.0 / l));
            for (int j = 0; j < l; j++)
            {
                frame[j] = TOps.Sub(frame[j], mean);
            }
        }
        T energy = _o.RawEnergy ? LogEnergy<T, TOps>(frame) : default;
        if (_o.PreEmphasis != 0f)
        {
            T coef = TOps.SplatD(-_o.PreEmphasis);
            for (int j = l - 1; j > 0; j--)
            {
                frame[j] = TOps.MulAdd(coef, frame[j - 1], frame[j]);
            }
            frame[0] = TOps.MulAdd(coef, frame[0], frame[0]);
        }
        for (int j = 0; j < l; j++)
        {
            frame[j] = TOps.Mul(frame[j], TOps.Tw(_window, _windowD, j));
        }
        return _o.RawEnergy ? energy : LogEnergy<T, TOps>(frame);
    }

    private T LogEnergy<T, TOps>(ReadOnlySpan<T> frame) where T : unmanaged where TOps : ILaneOps<T>
    {
        T sum = TOps.Splat(0f);
        for (int j = 0; j < frame.Length; j++)
        {
            sum = TOps.MulAdd(frame[j], frame[j], sum);
        }
        T log = TOps.Log(TOps.Max(sum, TOps.Splat(KaldiEpsilon)));
        return _o.EnergyFloor != 0f ? TOps.Max(log, TOps.SplatD(Math.Log(_o.EnergyFloor))) : log;
    }

    private void PackFrame<T, TOps>(ReadOnlySpan<T> frame, Span<T> zr, Span<T> zi)
        where T : unmanaged where TOps : ILaneOps<T>
    {
        int l = frame.Length, c = _fft.ComplexLength;
        T zero = TOps.Splat(0f);
        for (int k = 0; k < c; k++)
        {
            if (_fft.IsPacked)
            {
                zr[k] = 2 * k < l ? frame[2 * k] : zero;
                zi[k] = 2 * k + 1 < l ? frame[2 * k + 1] : zero;
            }
            else
            {
                zr[k] = k < l ? frame[k] : zero;
                zi[k] = zero;
            }
        }
    }

    private void ApplyMel<T, TOps>(ReadOnlySpan<T> spec, Span<T> mel) where T : unmanaged where TOps : ILaneOps<T>
    {
        var fb = _mel!;
        float[] wts = fb.Weights;
        int nf = fb.NFreqs;
        for (int m = 0; m < fb.NMels; m++)
        {
            T acc = TOps.Splat(0f);
            int row = m * nf;
            for (int k = fb.Start[m]; k < fb.End[m]; k++)
            {
                acc = TOps.MulAdd(TOps.Splat(wts[row + k]), spec[k], acc);
            }
            mel[m] = acc;
        }
    }

    /// <summary>Applies the log mode in place and tracks the running maximum for top_db.</summary>
    private void Compress<T, TOps>(Span<T> values, ref T maxDb) where T : unmanaged where TOps : ILaneOps<T>
    {
        switch (_o.Log)
        {
            case LogMode.KaldiLog:
            {
                T eps = TOps.Splat(KaldiEpsilon);
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = TOps.Log(TOps.Max(values[i], eps));
                }
                break;
            }
            case LogMode.Decibel:
            {
                T amin = TOps.Splat(DbAmin), scale = TOps.SplatD(DbScale);
                T max = maxDb;
                for (int i = 0; i < values.Length; i++)
                {
                    T v = TOps.Mul(scale, TOps.Log(TOps.Max(values[i], amin)));
                    values[i] = v;
                    max = TOps.Max(max, v);
                }
                maxDb = max;
                break;
            }
        }
    }

    private void Cepstrum<T, TOps>(ReadOnlySpan<T> mel, Span<T> cep) where T : unmanaged where TOps : ILaneOps<T>
    {
        float[] d = _dct!;
        int nMels = mel.Length;
        for (int k = 0; k < cep.Length; k++)
        {
            T acc = TOps.Splat(0f);
            int row = k * nMels;
            for (int m = 0; m < nMels; m++)
            {
                acc = TOps.MulAdd(TOps.Splat(d[row + m]), mel[m], acc);
            }
            cep[k] = _lifter is null ? acc : TOps.Mul(acc, TOps.Splat(_lifter[k]));
        }
    }

    /// <summary>Writes lane i of values[j] to output[first + i, j] for the live lanes.</summary>
    private static void Scatter<T, TOps>(ReadOnlySpan<T> values, float[,] output, int first, int live)
        where T : unmanaged where TOps : ILaneOps<T>
    {
        int w = TOps.Width, n = values.Length;
        Span<float> flat = n * w <= 4096 ? stackalloc float[n * w] : new float[n * w];
        TOps.ToFloats(values, flat);
        var dst = MemoryMarshal.CreateSpan(ref output[0, 0], output.Length);
        for (int i = 0; i < live; i++)
        {
            var row = dst.Slice((first + i) * n, n);
            for (int j = 0; j < n; j++)
            {
                row[j] = flat[j * w + i];
            }
        }
    }

    /// <summary>Standard normal sample (Box-Muller).</summary>
    private static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
