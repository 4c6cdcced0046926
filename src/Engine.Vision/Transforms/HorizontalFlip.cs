namespace Engine.Vision;

public static partial class Transforms
{
    /// <summary>The image mirrored left to right.</summary>
    public static ImageData HorizontalFlip(ImageData image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var output = new ImageData(image.Channels, image.Height, image.Width);
        int w = image.Width, rows = image.Channels * image.Height;
        for (int r = 0; r < rows; r++)
        {
            int start = r * w;
            Array.Copy(image.Data, start, output.Data, start, w);
            Array.Reverse(output.Data, start, w);
        }

        return output;
    }

    /// <summary>A mirrored copy with probability <paramref name="p"/>, otherwise an unchanged copy; one draw from <paramref name="random"/>.</summary>
    public static ImageData RandomHorizontalFlip(ImageData image, Random random, double p = 0.5)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "RandomHorizontalFlip: p must be in [0, 1].");
        }

        return random.NextDouble() < p ? HorizontalFlip(image) : image.Clone();
    }
}
