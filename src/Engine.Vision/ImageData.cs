namespace Engine.Vision;

/// <summary>An image as a float array in CHW layout (channel, row, column), values usually 0..1.</summary>
/// <remarks>Element (c, y, x) lives at <c>Data[(c * Height + y) * Width + x]</c>.</remarks>
public sealed class ImageData
{
    /// <summary>Wraps <paramref name="data"/> (not copied) as an image of the given size.</summary>
    public ImageData(int channels, int height, int width, float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (channels <= 0 || height <= 0 || width <= 0)
        {
            throw new ArgumentException(
                $"ImageData: sizes must be positive, got channels={channels}, height={height}, width={width}.");
        }

        long expected = (long)channels * height * width;
        if (data.LongLength != expected)
        {
            throw new ArgumentException(
                $"ImageData: {channels}x{height}x{width} needs {expected} values, got {data.LongLength}.",
                nameof(data));
        }

        Channels = channels;
        Height = height;
        Width = width;
        Data = data;
    }

    /// <summary>Creates a zero-filled image of the given size.</summary>
    public ImageData(int channels, int height, int width)
        : this(channels, height, width, new float[CheckedLength(channels, height, width)])
    {
    }

    /// <summary>Number of channels (1 for grayscale, 3 for RGB).</summary>
    public int Channels { get; }

    /// <summary>Number of rows.</summary>
    public int Height { get; }

    /// <summary>Number of columns.</summary>
    public int Width { get; }

    /// <summary>The pixel values in CHW order.</summary>
    public float[] Data { get; }

    /// <summary>The value at channel <paramref name="c"/>, row <paramref name="y"/>, column <paramref name="x"/>.</summary>
    public float this[int c, int y, int x]
    {
        get => Data[Index(c, y, x)];
        set => Data[Index(c, y, x)] = value;
    }

    /// <summary>The shape as (C, H, W).</summary>
    public (int Channels, int Height, int Width) Shape => (Channels, Height, Width);

    /// <summary>A deep copy.</summary>
    public ImageData Clone() => new(Channels, Height, Width, (float[])Data.Clone());

    /// <inheritdoc />
    public override string ToString() => $"ImageData({Channels}x{Height}x{Width})";

    private int Index(int c, int y, int x)
    {
        if ((uint)c >= (uint)Channels || (uint)y >= (uint)Height || (uint)x >= (uint)Width)
        {
            throw new IndexOutOfRangeException(
                $"ImageData: index ({c}, {y}, {x}) is outside {Channels}x{Height}x{Width}.");
        }

        return ((c * Height) + y) * Width + x;
    }

    private static int CheckedLength(int channels, int height, int width)
    {
        if (channels <= 0 || height <= 0 || width <= 0)
        {
            throw new ArgumentException(
                $"ImageData: sizes must be positive, got channels={channels}, height={height}, width={width}.");
        }

        long n = (long)channels * height * width;
        if (n > Array.MaxLength)
        {
            throw new ArgumentException($"ImageData: {channels}x{height}x{width} is too large for one array.");
        }

        return (int)n;
    }
}
