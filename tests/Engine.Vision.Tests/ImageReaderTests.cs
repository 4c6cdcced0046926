using NUnit.Framework;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.PixelFormats;

namespace Engine.Vision.Tests;

public class ImageReaderTests
{
    // A 4x3 (w x h) test pattern with distinct values in every channel.
    private static Rgb24 Pattern(int x, int y) => new((byte)(10 + (x * 40) + y), (byte)(200 - (y * 50) - x), (byte)((x * y * 20) + 5));

    private static Image<Rgb24> MakePattern(int width = 4, int height = 3)
    {
        var img = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                img[x, y] = Pattern(x, y);
            }
        }

        return img;
    }

    [TestCase("png")]
    [TestCase("bmp")]
    public void LosslessFormats_RoundTripRgbExactly(string format)
    {
        using var dir = new TempDir();
        string path = dir.File("pattern." + format);
        using (Image<Rgb24> img = MakePattern())
        {
            if (format == "png")
            {
                img.SaveAsPng(path);
            }
            else
            {
                img.SaveAsBmp(path, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 });
            }
        }

        ImageData data = ImageReader.Read(path, ColorMode.Rgb);
        Assert.That(data.Shape, Is.EqualTo((3, 3, 4)));
        for (int y = 0; y < 3; y++)
        {
            for (int x = 0; x < 4; x++)
            {
                Rgb24 p = Pattern(x, y);
                Assert.That(data[0, y, x], Is.EqualTo(p.R / 255f), $"R at ({y},{x})");
                Assert.That(data[1, y, x], Is.EqualTo(p.G / 255f), $"G at ({y},{x})");
                Assert.That(data[2, y, x], Is.EqualTo(p.B / 255f), $"B at ({y},{x})");
            }
        }
    }

    [Test]
    public void Grayscale_UsesBt601Weights()
    {
        using var dir = new TempDir();
        string path = dir.File("pattern.png");
        using (Image<Rgb24> img = MakePattern())
        {
            img.SaveAsPng(path);
        }

        ImageData gray = ImageReader.Read(path, ColorMode.Grayscale);
        Assert.That(gray.Shape, Is.EqualTo((1, 3, 4)));
        for (int y = 0; y < 3; y++)
        {
            for (int x = 0; x < 4; x++)
            {
                Rgb24 p = Pattern(x, y);
                double expected = ((0.299 * p.R) + (0.587 * p.G) + (0.114 * p.B)) / 255.0;
                Assert.That(gray[0, y, x], Is.EqualTo(expected).Within(1e-6), $"at ({y},{x})");
            }
        }
    }

    [Test]
    public void GrayscalePng_ReadsExactValuesInBothModes()
    {
        using var dir = new TempDir();
        string path = dir.File("gray.png");
        var values = new byte[] { 0, 1, 127, 128, 254, 255 };
        using (var img = new Image<L8>(3, 2))
        {
            for (int i = 0; i < values.Length; i++)
            {
                img[i % 3, i / 3] = new L8(values[i]);
            }

            img.SaveAsPng(path, new PngEncoder { ColorType = PngColorType.Grayscale });
        }

        ImageData gray = ImageReader.Read(path, ColorMode.Grayscale);
        ImageData rgb = ImageReader.Read(path, ColorMode.Rgb);
        Assert.That(gray.Data, Is.EqualTo(values.Select(v => v / 255f).ToArray()));
        Assert.That(rgb.Channels, Is.EqualTo(3));
        for (int c = 0; c < 3; c++)
        {
            Assert.That(rgb.Data.AsSpan(c * 6, 6).ToArray(), Is.EqualTo(gray.Data), $"channel {c}");
        }
    }

    [Test]
    public void RgbaPng_DropsAlpha()
    {
        using var dir = new TempDir();
        string path = dir.File("rgba.png");
        using (var img = new Image<Rgba32>(2, 1))
        {
            img[0, 0] = new Rgba32(255, 0, 0, 0);
            img[1, 0] = new Rgba32(0, 100, 200, 128);
            img.SaveAsPng(path, new PngEncoder { ColorType = PngColorType.RgbWithAlpha });
        }

        ImageData data = ImageReader.Read(path, ColorMode.Rgb);
        Assert.That(data.Data, Is.EqualTo(new[] { 1f, 0f, 0f, 100 / 255f, 0f, 200 / 255f }));
    }

    [Test]
    public void Jpeg_IsCloseToTheSourceForASmoothImage()
    {
        using var dir = new TempDir();
        string path = dir.File("smooth.jpg");
        const int n = 32;
        using (var img = new Image<Rgb24>(n, n))
        {
            for (int y = 0; y < n; y++)
            {
                for (int x = 0; x < n; x++)
                {
                    img[x, y] = new Rgb24((byte)(x * 8), (byte)(y * 8), 128);
                }
            }

            img.SaveAsJpeg(path, new JpegEncoder { Quality = 95 });
        }

        ImageData data = ImageReader.Read(path, ColorMode.Rgb);
        Assert.That(data.Shape, Is.EqualTo((3, n, n)));
        double maxErr = 0;
        for (int y = 0; y < n; y++)
        {
            for (int x = 0; x < n; x++)
            {
                maxErr = Math.Max(maxErr, Math.Abs(data[0, y, x] - (x * 8 / 255.0)));
                maxErr = Math.Max(maxErr, Math.Abs(data[1, y, x] - (y * 8 / 255.0)));
                maxErr = Math.Max(maxErr, Math.Abs(data[2, y, x] - (128 / 255.0)));
            }
        }

        // Lossy, but a smooth ramp at quality 95 stays within a few levels.
        Assert.That(maxErr, Is.LessThan(8 / 255.0));
    }

    [Test]
    public void Gif_ReadsOnlyTheFirstFrame()
    {
        using var dir = new TempDir();
        string path = dir.File("anim.gif");
        using (var img = new Image<Rgb24>(4, 4, new Rgb24(255, 255, 255)))
        {
            using var second = new Image<Rgb24>(4, 4, new Rgb24(0, 0, 0));
            img.Frames.AddFrame(second.Frames.RootFrame);
            Assert.That(img.Frames, Has.Count.EqualTo(2));
            img.SaveAsGif(path, new GifEncoder());
        }

        ImageData data = ImageReader.Read(path, ColorMode.Grayscale);
        Assert.That(data.Shape, Is.EqualTo((1, 4, 4)));
        Assert.That(data.Data, Is.All.EqualTo(1f));
    }

    [Test]
    public void MissingFile_ThrowsFileNotFoundNamingIt()
    {
        using var dir = new TempDir();
        string path = dir.File("nope.png");
        var e = Assert.Throws<FileNotFoundException>(() => ImageReader.Read(path, ColorMode.Rgb));
        Assert.That(e!.Message, Does.Contain(path));
    }

    [Test]
    public void GarbageFile_ThrowsInvalidDataNamingIt()
    {
        using var dir = new TempDir();
        string path = dir.File("garbage.png");
        File.WriteAllBytes(path, Enumerable.Range(0, 300).Select(i => (byte)((i * 37) + 11)).ToArray());
        var e = Assert.Throws<InvalidDataException>(() => ImageReader.Read(path, ColorMode.Rgb));
        Assert.That(e!.Message, Does.Contain(path));
    }

    [Test]
    public void EmptyFile_ThrowsInvalidDataNamingIt()
    {
        using var dir = new TempDir();
        string path = dir.File("empty.jpg");
        File.WriteAllBytes(path, []);
        var e = Assert.Throws<InvalidDataException>(() => ImageReader.Read(path, ColorMode.Grayscale));
        Assert.That(e!.Message, Does.Contain(path));
    }

    [TestCase("png", 0.33)]
    [TestCase("png", 0.97)]
    [TestCase("jpg", 0.33)]
    [TestCase("jpg", 0.97)]
    [TestCase("bmp", 0.33)]
    [TestCase("bmp", 0.97)]
    [TestCase("gif", 0.33)]
    [TestCase("gif", 0.97)]
    [TestCase("gif", 0.02)]
    public void TruncatedFile_ThrowsInvalidDataNamingIt(string format, double keep)
    {
        using var dir = new TempDir();
        string good = dir.File("good." + format);
        using (var img = new Image<Rgb24>(64, 64))
        {
            var rng = new Random(5);
            for (int y = 0; y < 64; y++)
            {
                for (int x = 0; x < 64; x++)
                {
                    img[x, y] = new Rgb24((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
                }
            }

            img.Save(good);
        }

        byte[] bytes = File.ReadAllBytes(good);
        string bad = dir.File("cut." + format);
        File.WriteAllBytes(bad, bytes.AsSpan(0, (int)(bytes.Length * keep)).ToArray());
        Assert.That(ImageReader.Read(good, ColorMode.Rgb).Shape, Is.EqualTo((3, 64, 64)), "the uncut file reads");
        var e = Assert.Throws<InvalidDataException>(() => ImageReader.Read(bad, ColorMode.Rgb));
        Assert.That(e!.Message, Does.Contain(bad));
    }

    [Test]
    public void UnsupportedFormat_Tiff_IsRejected()
    {
        using var dir = new TempDir();
        string path = dir.File("image.tiff");
        using (Image<Rgb24> img = MakePattern())
        {
            img.Save(path, new TiffEncoder());
        }

        var e = Assert.Throws<InvalidDataException>(() => ImageReader.Read(path, ColorMode.Rgb));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("not a PNG, JPEG, BMP or GIF"));
    }

    [Test]
    public void HugeDeclaredSize_IsRefusedBeforeDecoding()
    {
        // A hand-made 24-bit BMP header that declares 20000 x 20000 pixels but carries no pixel data.
        var bmp = new byte[54];
        bmp[0] = (byte)'B';
        bmp[1] = (byte)'M';
        BitConverter.TryWriteBytes(bmp.AsSpan(2), 54);
        BitConverter.TryWriteBytes(bmp.AsSpan(10), 54);
        BitConverter.TryWriteBytes(bmp.AsSpan(14), 40);
        BitConverter.TryWriteBytes(bmp.AsSpan(18), 20000);
        BitConverter.TryWriteBytes(bmp.AsSpan(22), 20000);
        BitConverter.TryWriteBytes(bmp.AsSpan(26), (short)1);
        BitConverter.TryWriteBytes(bmp.AsSpan(28), (short)24);
        var e = Assert.Throws<InvalidDataException>(() => ImageReader.Decode(bmp, ColorMode.Rgb, "huge.bmp"));
        Assert.That(e!.Message, Does.Contain("huge.bmp").And.Contain("20000x20000"));
    }

    [Test]
    public void WriterAndReader_RoundTripGrayAndRgb()
    {
        using var dir = new TempDir();
        var rng = new Random(3);
        foreach (int c in new[] { 1, 3 })
        {
            var img = new ImageData(c, 5, 6);
            for (int i = 0; i < img.Data.Length; i++)
            {
                img.Data[i] = rng.Next(256) / 255f;
            }

            string path = dir.File($"rt{c}.png");
            ImageWriter.SavePng(img, path);
            ImageData back = ImageReader.Read(path, c == 1 ? ColorMode.Grayscale : ColorMode.Rgb);
            Assert.That(back.Shape, Is.EqualTo(img.Shape));
            Assert.That(back.Data, Is.EqualTo(img.Data), $"channels {c}");
        }

        Assert.That(Directory.GetFiles(dir.Path, "*.tmp"), Is.Empty, "no temporary file is left behind");
    }
}
