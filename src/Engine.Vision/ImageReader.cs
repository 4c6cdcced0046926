using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;

namespace Engine.Vision;

/// <summary>Reads PNG, JPEG, BMP and GIF (first frame) files into CHW float images with values 0..1.</summary>
/// <remarks>
/// Only these four formats are registered, so other formats ImageSharp knows (TIFF, WebP, TGA, PBM) are
/// rejected rather than parsed. The header is identified before decoding, and images larger than
/// <see cref="MaxPixels"/> are refused, so a crafted header cannot make the decoder allocate gigabytes.
/// Alpha is dropped, not composited (as torchvision's <c>convert("RGB")</c> does).
/// </remarks>
public static class ImageReader
{
    /// <summary>The largest image (width times height) that is decoded: 64 megapixels.</summary>
    public const long MaxPixels = 64L * 1024 * 1024;

    /// <summary>The largest file that is read: 256 MiB.</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    private static readonly Configuration Config = CreateConfiguration();

    /// <summary>Reads the image file at <paramref name="path"/> as grayscale (1 channel) or RGB (3 channels).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable PNG, JPEG, BMP or GIF image.</exception>
    public static ImageData Read(string path, ColorMode mode)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"ImageReader: image file '{path}' does not exist.", path);
        }

        long length = new FileInfo(path).Length;
        if (length > MaxFileBytes)
        {
            throw new InvalidDataException(
                $"ImageReader: '{path}' is {length} bytes, over the {MaxFileBytes}-byte limit.");
        }

        return DecodeArray(File.ReadAllBytes(path), mode, path);
    }

    /// <summary>Decodes an encoded image held in memory; <paramref name="name"/> is used in error messages.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a readable PNG, JPEG, BMP or GIF image.</exception>
    public static ImageData Decode(ReadOnlySpan<byte> encoded, ColorMode mode, string name = "<memory>")
        => DecodeArray(encoded.ToArray(), mode, name);

    private static ImageData DecodeArray(byte[] encoded, ColorMode mode, string name)
    {
        if (mode is not ColorMode.Grayscale and not ColorMode.Rgb)
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "ImageReader: unknown colour mode.");
        }

        if (encoded.Length == 0)
        {
            throw new InvalidDataException($"ImageReader: '{name}' is empty.");
        }

        Image<Rgb24> image;
        try
        {
            IImageInfo? info = Image.Identify(Config, encoded, out _);
            if (info is null)
            {
                throw new InvalidDataException(
                    $"ImageReader: '{name}' is not a PNG, JPEG, BMP or GIF image (unrecognised header).");
            }

            long pixels = (long)info.Width * info.Height;
            if (info.Width <= 0 || info.Height <= 0 || pixels > MaxPixels)
            {
                throw new InvalidDataException(
                    $"ImageReader: '{name}' declares {info.Width}x{info.Height} pixels; the limit is {MaxPixels} pixels.");
            }

            string? truncation = ImageIntegrity.FindTruncation(encoded);
            if (truncation is not null)
            {
                throw new InvalidDataException($"ImageReader: '{name}' is corrupt: {truncation}.");
            }

            image = Image.Load<Rgb24>(Config, encoded);
        }
        catch (InvalidDataException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // ImageSharp reports corrupt data with several exception types (ImageFormatException,
            // InvalidImageContentException, NotSupportedException, IndexOutOfRange in older
            // decoders); callers need one type that names the file.
            throw new InvalidDataException($"ImageReader: cannot decode '{name}': {e.Message}", e);
        }

        using (image)
        {
            return ToImageData(image, mode);
        }
    }

    private static ImageData ToImageData(Image<Rgb24> image, ColorMode mode)
    {
        int h = image.Height, w = image.Width;
        var pixels = new Rgb24[checked(h * w)];
        image.CopyPixelDataTo(pixels);
        if (mode == ColorMode.Rgb)
        {
            var rgb = new ImageData(3, h, w);
            float[] d = rgb.Data;
            int plane = h * w;
            for (int i = 0; i < plane; i++)
            {
                d[i] = pixels[i].R / 255f;
                d[plane + i] = pixels[i].G / 255f;
                d[(2 * plane) + i] = pixels[i].B / 255f;
            }

            return rgb;
        }

        var gray = new ImageData(1, h, w);
        float[] g = gray.Data;
        for (int i = 0; i < pixels.Length; i++)
        {
            Rgb24 p = pixels[i];
            // A gray pixel stays exactly v/255; colour pixels use BT.601 luma weights.
            g[i] = p.R == p.G && p.G == p.B
                ? p.R / 255f
                : (float)(((0.299 * p.R) + (0.587 * p.G) + (0.114 * p.B)) / 255.0);
        }

        return gray;
    }

    private static Configuration CreateConfiguration()
    {
        var config = new Configuration(
            new PngConfigurationModule(),
            new JpegConfigurationModule(),
            new BmpConfigurationModule(),
            new GifConfigurationModule());
        // Decode only the first GIF frame: later frames are never used and cost memory.
        config.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        return config;
    }
}
