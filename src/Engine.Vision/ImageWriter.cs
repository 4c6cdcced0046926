using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Engine.Vision;

/// <summary>Writes CHW float images (values 0..1) as 8-bit PNG files.</summary>
public static class ImageWriter
{
    /// <summary>Saves a 1-channel (grayscale) or 3-channel (RGB) image as PNG, via a temporary file renamed into place.</summary>
    /// <remarks>Values are clamped to 0..1 and rounded to the nearest of 256 levels.</remarks>
    public static void SavePng(ImageData image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(path);
        if (image.Channels is not 1 and not 3)
        {
            throw new ArgumentException(
                $"ImageWriter.SavePng: '{path}': need 1 or 3 channels, got {image.Channels}.", nameof(image));
        }

        string full = Path.GetFullPath(path);
        string temp = Path.Combine(
            Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                if (image.Channels == 1)
                {
                    using Image<L8> img = ToL8(image);
                    img.Save(stream, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 });
                }
                else
                {
                    using Image<Rgb24> img = ToRgb24(image);
                    img.Save(stream, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 });
                }
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Converts a value in 0..1 to a byte, clamping and rounding to nearest.</summary>
    public static byte ToByte(float v)
    {
        if (float.IsNaN(v) || v <= 0f)
        {
            return 0;
        }

        return v >= 1f ? (byte)255 : (byte)MathF.Round(v * 255f, MidpointRounding.AwayFromZero);
    }

    private static Image<L8> ToL8(ImageData image)
    {
        var px = new L8[image.Height * image.Width];
        for (int i = 0; i < px.Length; i++)
        {
            px[i] = new L8(ToByte(image.Data[i]));
        }

        return Image.LoadPixelData<L8>(px, image.Width, image.Height);
    }

    private static Image<Rgb24> ToRgb24(ImageData image)
    {
        int plane = image.Height * image.Width;
        var px = new Rgb24[plane];
        float[] d = image.Data;
        for (int i = 0; i < plane; i++)
        {
            px[i] = new Rgb24(ToByte(d[i]), ToByte(d[plane + i]), ToByte(d[(2 * plane) + i]));
        }

        return Image.LoadPixelData<Rgb24>(px, image.Width, image.Height);
    }
}
