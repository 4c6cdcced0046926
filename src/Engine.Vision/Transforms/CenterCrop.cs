namespace Engine.Vision;

public static partial class Transforms
{
    /// <summary>The central <paramref name="height"/> x <paramref name="width"/> window, placed as torchvision's CenterCrop places it.</summary>
    public static ImageData CenterCrop(ImageData image, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(image);
        CheckCropSize("CenterCrop", image, height, width, padding: 0);
        // round((H - h) / 2) with ties to even, as Python's round in torchvision.
        int top = (int)Math.Round((image.Height - height) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((image.Width - width) / 2.0, MidpointRounding.ToEven);
        return Crop(image, top, left, height, width);
    }

    /// <summary>The window of size <paramref name="height"/> x <paramref name="width"/> whose top-left pixel is (<paramref name="top"/>, <paramref name="left"/>).</summary>
    public static ImageData Crop(ImageData image, int top, int left, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (height <= 0 || width <= 0 || top < 0 || left < 0
            || top + height > image.Height || left + width > image.Width)
        {
            throw new ArgumentException(
                $"Crop: window top={top}, left={left}, {height}x{width} does not fit in a {image.Height}x{image.Width} image.");
        }

        int c = image.Channels;
        var output = new ImageData(c, height, width);
        for (int ch = 0; ch < c; ch++)
        {
            for (int y = 0; y < height; y++)
            {
                int from = ((ch * image.Height) + top + y) * image.Width + left;
                int to = ((ch * height) + y) * width;
                Array.Copy(image.Data, from, output.Data, to, width);
            }
        }

        return output;
    }

    private static void CheckCropSize(string op, ImageData image, int height, int width, int padding)
    {
        if (height <= 0 || width <= 0)
        {
            throw new ArgumentException($"{op}: crop size must be positive, got {height}x{width}.");
        }

        if (padding < 0)
        {
            throw new ArgumentException($"{op}: padding must be >= 0, got {padding}.");
        }

        int ph = image.Height + (2 * padding), pw = image.Width + (2 * padding);
        if (height > ph || width > pw)
        {
            throw new ArgumentException(
                $"{op}: crop {height}x{width} is larger than the {(padding > 0 ? "padded " : string.Empty)}image {ph}x{pw}.");
        }
    }
}
