namespace Engine.Vision;

public static partial class Transforms
{
    /// <summary>A <paramref name="height"/> x <paramref name="width"/> window at a uniformly random position, after optional zero padding on every side.</summary>
    /// <remarks>Draws the top row, then the left column, from <paramref name="random"/>; the same seed gives the same crop.</remarks>
    public static ImageData RandomCrop(ImageData image, int height, int width, Random random, int padding = 0)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        CheckCropSize("RandomCrop", image, height, width, padding);
        ImageData source = padding > 0 ? Pad(image, padding) : image;
        int top = random.Next(0, source.Height - height + 1);
        int left = random.Next(0, source.Width - width + 1);
        return Crop(source, top, left, height, width);
    }

    /// <summary>The image with <paramref name="padding"/> rows and columns of <paramref name="value"/> added on every side.</summary>
    public static ImageData Pad(ImageData image, int padding, float value = 0f)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (padding < 0)
        {
            throw new ArgumentException($"Pad: padding must be >= 0, got {padding}.", nameof(padding));
        }

        int h = image.Height + (2 * padding), w = image.Width + (2 * padding);
        var output = new ImageData(image.Channels, h, w);
        if (value != 0f)
        {
            Array.Fill(output.Data, value);
        }

        for (int ch = 0; ch < image.Channels; ch++)
        {
            for (int y = 0; y < image.Height; y++)
            {
                int from = ((ch * image.Height) + y) * image.Width;
                int to = (((ch * h) + y + padding) * w) + padding;
                Array.Copy(image.Data, from, output.Data, to, image.Width);
            }
        }

        return output;
    }
}
