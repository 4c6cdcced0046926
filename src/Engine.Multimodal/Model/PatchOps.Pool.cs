using System.Numerics;
using Engine.Autograd;
using Engine.Kernels;

namespace Engine.Multimodal.Model;

public static partial class PatchOps
{
    /// <summary>
    /// max_pool(relu(x)) with window 2 and stride 2 over the middle dims of a channels-last input: (B, H, W, C)
    /// to (B, H/2, W/2, C) when <paramref name="twoD"/>, else (B, T, C) to (B, T/2, C); odd trailing rows and
    /// columns are dropped. The gradient goes to the first maximum of each window (row-major order), where the
    /// maximum is positive. Vectorised over channels, without branches on the data.
    /// </summary>
    public static Tensor ReluMaxPool(Tensor input, bool twoD)
    {
        var x = input.Contiguous();
        int b = x.Size(0), c = x.Size(x.Dim - 1);
        int h = twoD ? x.Size(1) : 1, w = twoD ? x.Size(2) : x.Size(1);
        int ho = twoD ? h / 2 : 1, wo = w / 2;
        var y = Tensor.Empty(twoD ? new[] { b, ho, wo, c } : new[] { b, wo, c }, x.DType, x.Device);
        var geo = new PoolGeometry(b, h, w, c, twoD);
        if (x.DType == DType.Float32)
        {
            Pooling<float>.Forward(x, y, geo);
        }
        else
        {
            Pooling<double>.Forward(x, y, geo);
        }
        int[] shape = x.Shape;
        return Node.Record("relu_max_pool", y, new[] { x }, g =>
        {
            // Every element inside a window is written; only a dropped odd row or column needs zeros first.
            bool odd = (twoD && shape[1] % 2 != 0) || shape[^2] % 2 != 0;
            var gx = odd ? Tensor.Zeros(shape, g.DType, g.Device) : Tensor.Empty(shape, g.DType, g.Device);
            var gc = g.Contiguous();
            if (gc.DType == DType.Float32)
            {
                Pooling<float>.Backward(x, y, gc, gx, geo);
            }
            else
            {
                Pooling<double>.Backward(x, y, gc, gx, geo);
            }
            return new[] { gx };
        }, x, y);
    }

    /// <summary>
    /// [mean over T of relu(x), max over T of relu(x)] for a (B, T, C) input: (B, 2C), the mean in the first C
    /// columns. One pass forward; the backward sends g_mean / T to every positive element and g_max to the first
    /// maximum where it is positive (where several elements tie, the relu has zeroed their gradient unless the
    /// maximum is positive, and positive float ties are not split as amax would split them).
    /// </summary>
    public static Tensor ReluMeanMaxOverTime(Tensor input)
    {
        var x = input.Contiguous();
        if (x.Dim != 3 || x.Size(1) == 0)
        {
            throw new ArgumentException($"ReluMeanMaxOverTime: expected a (B, T > 0, C) input, got {Dims(x)}");
        }
        int b = x.Size(0), t = x.Size(1), c = x.Size(2);
        var y = Tensor.Empty(new[] { b, 2 * c }, x.DType, x.Device);
        if (x.DType == DType.Float32)
        {
            MeanMax<float>.Forward(x, y, b, t, c);
        }
        else
        {
            MeanMax<double>.Forward(x, y, b, t, c);
        }
        return Node.Record("relu_mean_max", y, new[] { x }, g =>
        {
            var gx = Tensor.Empty(new[] { b, t, c }, g.DType, g.Device);
            var gc = g.Contiguous();
            if (gc.DType == DType.Float32)
            {
                MeanMax<float>.Backward(x, y, gc, gx, b, t, c);
            }
            else
            {
                MeanMax<double>.Backward(x, y, gc, gx, b, t, c);
            }
            return new[] { gx };
        }, x, y);
    }

    private static class MeanMax<T> where T : unmanaged, INumber<T>
    {
        public static void Forward(Tensor x, Tensor y, int b, int t, int c)
        {
            var src = ((CpuStorage<T>)x.Storage).Span[x.Offset..];
            var dst = ((CpuStorage<T>)y.Storage).Span[y.Offset..];
            T inv = T.One / T.CreateChecked(t);
            for (int n = 0; n < b; n++)
            {
                var sum = dst.Slice(n * 2 * c, c);
                var max = dst.Slice(n * 2 * c + c, c);
                sum.Clear();
                max.Clear(); // relu: the maximum is at least 0
                for (int i = 0; i < t; i++)
                {
                    var row = src.Slice((n * t + i) * c, c);
                    for (int ch = 0; ch < c; ch++)
                    {
                        T v = T.Max(row[ch], T.Zero);
                        sum[ch] += v;
                        max[ch] = T.Max(max[ch], v);
                    }
                }
                for (int ch = 0; ch < c; ch++)
                {
                    sum[ch] *= inv;
                }
            }
        }

        public static void Backward(Tensor x, Tensor y, Tensor g, Tensor gx, int b, int t, int c)
        {
            var src = ((CpuStorage<T>)x.Storage).Span[x.Offset..];
            var yv = ((CpuStorage<T>)y.Storage).Span[y.Offset..];
            var gv = ((CpuStorage<T>)g.Storage).Span[g.Offset..];
            var dst = ((CpuStorage<T>)gx.Storage).Span[gx.Offset..];
            T inv = T.One / T.CreateChecked(t);
            var taken = new bool[c];
            for (int n = 0; n < b; n++)
            {
                Array.Clear(taken);
                var gMean = gv.Slice(n * 2 * c, c);
                var gMax = gv.Slice(n * 2 * c + c, c);
                var max = yv.Slice(n * 2 * c + c, c);
                for (int i = 0; i < t; i++)
                {
                    var row = src.Slice((n * t + i) * c, c);
                    var outRow = dst.Slice((n * t + i) * c, c);
                    for (int ch = 0; ch < c; ch++)
                    {
                        T v = row[ch];
                        T d = T.Zero;
                        if (v > T.Zero)
                        {
                            d = gMean[ch] * inv;
                            if (!taken[ch] && v == max[ch])
                            {
                                taken[ch] = true;
                                d += gMax[ch];
                            }
                        }
                        outRow[ch] = d;
                    }
                }
            }
        }
    }

    private readonly record struct PoolGeometry(int B, int H, int W, int C, bool TwoD)
    {
        public int Ho => TwoD ? H / 2 : 1;

        public int Wo => W / 2;

        // Flat index into x of the top-left element of output row r (= n * Ho + i), column j.
        public int Corner(int r, int j)
        {
            int n = r / Ho, i = r % Ho;
            return ((TwoD ? n * H + 2 * i : n) * W + 2 * j) * C;
        }
    }

    private static class Pooling<T> where T : unmanaged, INumber<T>
    {
        public static void Forward(Tensor x, Tensor y, PoolGeometry p)
        {
            var xs = (CpuStorage<T>)x.Storage;
            var ys = (CpuStorage<T>)y.Storage;
            int xOff = x.Offset, yOff = y.Offset, c = p.C, wo = p.Wo, down = p.W * p.C;
            bool twoD = p.TwoD;
            Parallelism.ForRanges(p.B * p.Ho, Math.Max(1, Grain / (wo * c)), (s, e) =>
            {
                var src = xs.Span[xOff..];
                var dst = ys.Span[yOff..];
                int vw = Vector<T>.Count;
                for (int r = (int)s; r < e; r++)
                {
                    for (int j = 0; j < wo; j++)
                    {
                        int o = (r * wo + j) * c, p00 = p.Corner(r, j), p01 = p00 + c, p10 = p00 + down, p11 = p10 + c;
                        int ch = 0;
                        for (; ch + vw <= c; ch += vw)
                        {
                            var m = Vector.Max(Load(src, p00 + ch), Load(src, p01 + ch));
                            if (twoD)
                            {
                                m = Vector.Max(m, Vector.Max(Load(src, p10 + ch), Load(src, p11 + ch)));
                            }
                            Store(Vector.Max(m, Vector<T>.Zero), dst, o + ch);
                        }
                        for (; ch < c; ch++)
                        {
                            T m = T.Max(src[p00 + ch], src[p01 + ch]);
                            if (twoD)
                            {
                                m = T.Max(m, T.Max(src[p10 + ch], src[p11 + ch]));
                            }
                            dst[o + ch] = T.Max(m, T.Zero);
                        }
                    }
                }
            });
        }

        // gx receives g at the first position of each window equal to a positive y and 0 at the window's other positions.
        public static void Backward(Tensor x, Tensor y, Tensor g, Tensor gx, PoolGeometry p)
        {
            var xs = (CpuStorage<T>)x.Storage;
            var ys = (CpuStorage<T>)y.Storage;
            var gs = (CpuStorage<T>)g.Storage;
            var dxs = (CpuStorage<T>)gx.Storage;
            int xOff = x.Offset, yOff = y.Offset, gOff = g.Offset, dxOff = gx.Offset, c = p.C, wo = p.Wo, down = p.W * p.C;
            bool twoD = p.TwoD;
            Parallelism.ForRanges(p.B * p.Ho, Math.Max(1, Grain / (wo * c)), (s, e) =>
            {
                var src = xs.Span[xOff..];
                var yv = ys.Span[yOff..];
                var gv = gs.Span[gOff..];
                var dst = dxs.Span[dxOff..];
                int vw = Vector<T>.Count;
                for (int r = (int)s; r < e; r++)
                {
                    for (int j = 0; j < wo; j++)
                    {
                        int o = (r * wo + j) * c, p00 = p.Corner(r, j), p01 = p00 + c, p10 = p00 + down, p11 = p10 + c;
                        int ch = 0;
                        for (; ch + vw <= c; ch += vw)
                        {
                            var m = Load(yv, o + ch);
                            var grad = Load(gv, o + ch);
                            var open = Vector.GreaterThan(m, Vector<T>.Zero);
                            open = Route(src, dst, p00 + ch, m, grad, open);
                            open = Route(src, dst, p01 + ch, m, grad, open);
                            if (twoD)
                            {
                                open = Route(src, dst, p10 + ch, m, grad, open);
                                Route(src, dst, p11 + ch, m, grad, open);
                            }
                        }
                        for (; ch < c; ch++)
                        {
                            T m = yv[o + ch];
                            dst[p00 + ch] = T.Zero;
                            dst[p01 + ch] = T.Zero;
                            if (twoD)
                            {
                                dst[p10 + ch] = T.Zero;
                                dst[p11 + ch] = T.Zero;
                            }
                            if (m <= T.Zero)
                            {
                                continue;
                            }
                            int at = src[p00 + ch] == m ? p00 : src[p01 + ch] == m ? p01 : !twoD ? -1 : src[p10 + ch] == m ? p10 : p11;
                            if (at >= 0)
                            {
                                dst[at + ch] = gv[o + ch];
                            }
                        }
                    }
                }
            });
        }

        // Writes g where the window's element equals the max and no earlier element took it; returns the lanes still open.
        private static Vector<T> Route(Span<T> x, Span<T> gx, int at, Vector<T> m, Vector<T> g, Vector<T> open)
        {
            var hit = Vector.BitwiseAnd(Vector.Equals(Load(x, at), m), open);
            Store(Vector.ConditionalSelect(hit, g, Vector<T>.Zero), gx, at);
            return Vector.AndNot(open, hit);
        }

        private static Vector<T> Load(Span<T> s, int at) => new(s.Slice(at, Vector<T>.Count));

        private static void Store(Vector<T> v, Span<T> s, int at) => v.CopyTo(s.Slice(at, Vector<T>.Count));
    }
}
