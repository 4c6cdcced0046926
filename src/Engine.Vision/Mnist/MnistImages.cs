namespace Engine.Vision.Mnist;

/// <summary>A set of same-sized grayscale images as read from an IDX file: raw bytes, row-major, image after image.</summary>
public sealed class MnistImages
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied) as <paramref name="count"/> images of <paramref name="rows"/> x <paramref name="columns"/>.</summary>
    public MnistImages(int count, int rows, int columns, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (count < 0 || rows <= 0 || columns <= 0 || pixels.LongLength != (long)count * rows * columns)
        {
            throw new ArgumentException(
                $"MnistImages: {count} images of {rows}x{columns} need {(long)count * rows * columns} bytes, got {pixels.LongLength}.");
        }

        Count = count;
        Rows = rows;
        Columns = columns;
        Pixels = pixels;
    }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>Rows per image (28 for MNIST).</summary>
    public int Rows { get; }

    /// <summary>Columns per image (28 for MNIST).</summary>
    public int Columns { get; }

    /// <summary>Pixels per image (Rows times Columns).</summary>
    public int PixelsPerImage => Rows * Columns;

    /// <summary>All pixels, 0 = background, 255 = ink, image after image in row-major order.</summary>
    public byte[] Pixels { get; }

    /// <summary>The raw bytes of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> GetBytes(int index)
    {
        CheckIndex(index);
        return Pixels.AsSpan(index * PixelsPerImage, PixelsPerImage);
    }

    /// <summary>Image <paramref name="index"/> as a 1 x Rows x Columns image with values byte / 255.</summary>
    public ImageData GetImage(int index)
    {
        ReadOnlySpan<byte> src = GetBytes(index);
        var image = new ImageData(1, Rows, Columns);
        for (int i = 0; i < src.Length; i++)
        {
            image.Data[i] = src[i] / 255f;
        }

        return image;
    }

    /// <summary>All images as one (Count, Rows * Columns) row-major float array with values byte / 255.</summary>
    public float[] ToFloatMatrix()
    {
        var data = new float[Pixels.Length];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = Pixels[i] / 255f;
        }

        return data;
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"MnistImages: there are {Count} images.");
        }
    }
}
