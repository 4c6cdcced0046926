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
