namespace Engine.Vision;

/// <summary>Image transforms on CHW float images; each returns a new image and leaves its input unchanged.</summary>
public static partial class Transforms
{
    /// <summary>Bilinear resize to <paramref name="height"/> x <paramref name="width"/>, every channel alike.</summary>
    /// <remarks>
    /// Half-pixel centres and no antialiasing: the same numbers as PyTorch's
    /// <c>F.interpolate(x, size, mode="bilinear", align_corners=False)</c>. Shrinking by more than 2x
    /// therefore skips pixels; resize in steps if that matters.
    /// </remarks>
    public static ImageData Resize(ImageData image, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (height <= 0 || width <= 0)
        {
            throw new ArgumentException($"Resize: target size must be positive, got {height}x{width}.");
        }

        int c = image.Channels, ih = image.Height, iw = image.Width;
        var output = new ImageData(c, height, width);
        if (ih == height && iw == width)
        {
            Array.Copy(image.Data, output.Data, image.Data.Length);
            return output;
        }

        // Per output column: the two source columns and the weight of the right one.
        var x0 = new int[width];
        var x1 = new int[width];
        var wx = new float[width];
        SourceTaps(iw, width, x0, x1, wx);
        var y0 = new int[height];
        var y1 = new int[height];
        var wy = new float[height];
        SourceTaps(ih, height, y0, y1, wy);

        float[] src = image.Data, dst = output.Data;
        for (int ch = 0; ch < c; ch++)
        {
            int inPlane = ch * ih * iw, outPlane = ch * height * width;
            for (int y = 0; y < height; y++)
            {
                int rowA = inPlane + (y0[y] * iw), rowB = inPlane + (y1[y] * iw);
                float fy = wy[y];
                int outRow = outPlane + (y * width);
                for (int x = 0; x < width; x++)
                {
                    float fx = wx[x];
                    float top = ((1f - fx) * src[rowA + x0[x]]) + (fx * src[rowA + x1[x]]);
                    float bottom = ((1f - fx) * src[rowB + x0[x]]) + (fx * src[rowB + x1[x]]);
                    dst[outRow + x] = ((1f - fy) * top) + (fy * bottom);
                }
            }
        }

        return output;
    }

    private static void SourceTaps(int inSize, int outSize, int[] i0, int[] i1, float[] frac)
    {
        float scale = (float)inSize / outSize;
        for (int o = 0; o < outSize; o++)
        {
            // Centre of output pixel o mapped into input coordinates; clamped at the left edge.
            float s = MathF.Max(((o + 0.5f) * scale) - 0.5f, 0f);
            int lo = Math.Min((int)s, inSize - 1);
            i0[o] = lo;
            i1[o] = Math.Min(lo + 1, inSize - 1);
            frac[o] = s - lo;
        }
    }
}
