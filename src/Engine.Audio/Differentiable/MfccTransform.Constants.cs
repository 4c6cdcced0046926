using Engine.Audio.Features;

namespace Engine.Audio.Differentiable;

public sealed partial class MfccTransform
{
    /// <summary>The constant matrices in float64 on the host, built once per transform.</summary>
    private sealed class HostConstants
    {
        public int Bins;
        /// <summary>(l, 2 bins): frame operations then [cos | -sin] of the n_fft-point DFT (frames zero-padded to n_fft).</summary>
        public double[] Basis = [];
        /// <summary>(bins, n_mels): the filterbank transposed, or null.</summary>
        public double[]? MelT;
        /// <summary>(n_mels, n_mfcc): DCT-II transposed with the lifter folded in, or null.</summary>
        public double[]? DctT;
        /// <summary>(l, l): all frame operations, for the log energy after them (RawEnergy false), or null.</summary>
        public double[]? FrameOp;

        public static HostConstants Build(FeatureOptions o, MelFilterbank? fb, bool orthoDct)
        {
            int l = o.FrameLength, n = o.FftLength, bins = n / 2 + 1;
            var h = new HostConstants { Bins = bins };
            var basis = new double[l * 2 * bins];
            for (int j = 0; j < l; j++)
            {
                for (int k = 0; k < bins; k++)
                {
                    // Reduce j k mod n exactly before scaling, so large products keep full accuracy.
                    double a = 2.0 * Math.PI * ((long)j * k % n) / n;
                    basis[j * 2 * bins + k] = Math.Cos(a);
                    basis[j * 2 * bins + bins + k] = -Math.Sin(a);
                }
            }
            h.Basis = FoldFrameOps(o, basis, 2 * bins);
            if (fb is not null)
            {
                var melT = new double[bins * fb.NMels];
                for (int m = 0; m < fb.NMels; m++)
                {
                    for (int k = 0; k < bins; k++)
                    {
                        melT[k * fb.NMels + m] = fb.Weights[m * bins + k];
                    }
                }
                h.MelT = melT;
            }
            if (o.NMfcc > 0)
            {
                int nm = o.NMels, nc = o.NMfcc;
                var d = Dct.Matrix(nc, nm, orthoDct);
                var lift = Dct.Lifter(nc, o.Lifter);
                var dctT = new double[nm * nc];
                for (int c = 0; c < nc; c++)
                {
                    for (int m = 0; m < nm; m++)
                    {
                        dctT[m * nc + c] = (double)d[c * nm + m] * lift[c];
                    }
                }
                h.DctT = dctT;
            }
            if (o.UseEnergy && !o.RawEnergy)
            {
                var eye = new double[l * l];
                for (int j = 0; j < l; j++)
                {
                    eye[j * l + j] = 1.0;
                }
                h.FrameOp = FoldFrameOps(o, eye, l);
            }
            return h;
        }

        /// <summary>
        /// D P W M for a row-vector frame x: x D removes the mean, (.) P pre-emphasises (y[j] = x[j] - c x[j-1],
        /// y[0] = (1 - c) x[0]), (.) W windows; so x (D P W M) = (frame operations of x) M. M is (l, cols).
        /// </summary>
        private static double[] FoldFrameOps(FeatureOptions o, double[] m, int cols)
        {
            int l = o.FrameLength;
            var w = Windows.CreateDouble(o.Window, l, o.PeriodicWindow);
            var r = new double[l * cols];
            double c = o.PreEmphasis;
            for (int i = 0; i < l; i++)
            {
                // Row i of P W M: P[i, i] w[i] M[i] + P[i, i + 1] w[i + 1] M[i + 1].
                double pii = i == 0 ? 1.0 - c : 1.0;
                for (int q = 0; q < cols; q++)
                {
                    double v = pii * w[i] * m[i * cols + q];
                    if (c != 0.0 && i + 1 < l)
                    {
                        v -= c * w[i + 1] * m[(i + 1) * cols + q];
                    }
                    r[i * cols + q] = v;
                }
            }
            if (o.RemoveDcOffset)
            {
                var mean = new double[cols];
                for (int i = 0; i < l; i++)
                {
                    for (int q = 0; q < cols; q++)
                    {
                        mean[q] += r[i * cols + q];
                    }
                }
                for (int i = 0; i < l; i++)
                {
                    for (int q = 0; q < cols; q++)
                    {
                        r[i * cols + q] -= mean[q] / l;
                    }
                }
            }
            return r;
        }
    }

    /// <summary>The constants on one device in one dtype (the DCT always in float64, the log stage's dtype).</summary>
    private sealed class DeviceConstants : IDisposable
    {
        public required Tensor Basis { get; init; }
        public Tensor? MelT { get; init; }
        public Tensor? DctT { get; init; }
        public Tensor? FrameOp { get; init; }

        public void Dispose()
        {
            Basis.Dispose();
            MelT?.Dispose();
            DctT?.Dispose();
            FrameOp?.Dispose();
        }
    }

    private DeviceConstants ConstantsFor(Device device, DType ct) =>
        _constants.GetOrAdd((device, ct), key =>
        {
            // Cached tensors must outlive any TensorScope the caller has open.
            using var outside = TensorScopeOutside.Begin();
            int l = _o.FrameLength, bins = _host.Bins;
            return new DeviceConstants
            {
                Basis = Upload(_host.Basis, new[] { l, 2 * bins }, key.Item1, key.Item2),
                MelT = _host.MelT is null ? null : Upload(_host.MelT, new[] { bins, _o.NMels }, key.Item1, key.Item2),
                DctT = _host.DctT is null ? null : Upload(_host.DctT, new[] { _o.NMels, _o.NMfcc }, key.Item1, DType.Float64),
                FrameOp = _host.FrameOp is null ? null : Upload(_host.FrameOp, new[] { l, l }, key.Item1, key.Item2),
            };
        });

    private static Tensor Upload(double[] data, int[] shape, Device device, DType dtype) =>
        dtype == DType.Float64
            ? Tensor.FromArray(data, shape, device)
            : Tensor.FromArray(Array.ConvertAll(data, v => (float)v), shape, device);

    /// <summary>The framing index (frames * l) into the waveform (plus a zero slot at T for constant padding), cached per device and length.</summary>
    private Tensor IndexFor(Device device, int t, int frames)
    {
        if (_indices.TryGetValue((device, t), out var cached))
        {
            return cached;
        }
        if (_indices.Count >= MaxCachedLengths)
        {
            // Many distinct lengths: forget them (not disposed: another thread may still hold one; the GC frees them).
            _indices.Clear();
        }
        using var outside = TensorScopeOutside.Begin();
        var index = Tensor.FromArray(FramingIndex(t, frames), null, device);
        var kept = _indices.GetOrAdd((device, t), index);
        if (!ReferenceEquals(kept, index))
        {
            index.Dispose(); // another thread cached the same index first
        }
        return kept;
    }

    /// <summary>index[f * l + j] = the sample under position j of frame f, with the CPU pipeline's padding for each framing mode.</summary>
    private long[] FramingIndex(int t, int frames)
    {
        int l = _o.FrameLength, hop = _o.Hop;
        var index = new long[(long)frames * l];
        int pad = _o.FftLength / 2;
        int kaldiPad = l / 2 - hop / 2, left = Math.Max(0, kaldiPad), start = Math.Max(0, -kaldiPad);
        for (int f = 0; f < frames; f++)
        {
            for (int j = 0; j < l; j++)
            {
                long q = (long)f * hop + j;
                long i = _o.Framing switch
                {
                    FramingMode.Center => CenterSample(q - pad, t),
                    FramingMode.SnipEdges => q,
                    // Kaldi's padded signal: x[left-1] .. x[0], then x[start..], then x[t-1] .. x[0].
                    _ => q < left ? left - 1 - q : q < left + (t - start) ? start + q - left : t - 1 - (q - left - (t - start)),
                };
                index[f * l + j] = i;
            }
        }
        return index;
    }

    private long CenterSample(long i, int t)
    {
        if (i >= 0 && i < t)
        {
            return i;
        }
        if (_o.PadMode == PadMode.Constant)
        {
            return t; // the zero slot
        }
        return i < 0 ? -i : 2L * (t - 1) - i;
    }
}
