using System.Text.Json;
using NUnit.Framework;

namespace Engine.Vision.Tests;

public class TransformTests
{
    private static string Fixture(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "fixtures", name);

    private static ImageData Ramp(int c, int h, int w)
    {
        var img = new ImageData(c, h, w);
        for (int i = 0; i < img.Data.Length; i++)
        {
            img.Data[i] = i;
        }

        return img;
    }

    [Test]
    public void Resize_MatchesPyTorchBilinear()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Fixture("resize_bilinear.json")));
        int n = 0;
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            int ch = c.GetProperty("c").GetInt32(), h = c.GetProperty("h").GetInt32(), w = c.GetProperty("w").GetInt32();
            int oh = c.GetProperty("oh").GetInt32(), ow = c.GetProperty("ow").GetInt32();
            float[] input = c.GetProperty("input").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
            float[] expected = c.GetProperty("output").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
            ImageData y = Transforms.Resize(new ImageData(ch, h, w, input), oh, ow);
            Assert.That(y.Shape, Is.EqualTo((ch, oh, ow)));
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.That(y.Data[i], Is.EqualTo(expected[i]).Within(1e-6f), $"case {ch}x{h}x{w}->{oh}x{ow}, element {i}");
            }

            n++;
        }

        Assert.That(n, Is.EqualTo(5));
    }

    [Test]
    public void Resize_DoublingAHandComputedRow()
    {
        // Input [0, 4] upsampled to 4 columns: sources -0.25->0, 0.25, 0.75, 1.25->clamped right tap.
        var img = new ImageData(1, 1, 2, [0f, 4f]);
        ImageData y = Transforms.Resize(img, 1, 4);
        Assert.That(y.Data, Is.EqualTo(new[] { 0f, 1f, 3f, 4f }));
    }

    [Test]
    public void Resize_SameSizeIsACopy_AndConstantStaysConstant()
    {
        ImageData ramp = Ramp(2, 3, 4);
        ImageData same = Transforms.Resize(ramp, 3, 4);
        Assert.That(same.Data, Is.EqualTo(ramp.Data));
        Assert.That(same.Data, Is.Not.SameAs(ramp.Data));

        var constant = new ImageData(3, 7, 5);
        Array.Fill(constant.Data, 0.375f);
        Assert.That(Transforms.Resize(constant, 13, 2).Data, Is.All.EqualTo(0.375f));
    }

    [Test]
    public void Resize_BadSize_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Transforms.Resize(Ramp(1, 2, 2), 0, 3));
        Assert.That(e!.Message, Does.Contain("Resize").And.Contain("0x3"));
    }

    [TestCase(5, 5, 3, 3, 1, 1)]
    [TestCase(6, 6, 3, 3, 2, 2)] // (6-3)/2 = 1.5 rounds to even: 2
    [TestCase(7, 8, 2, 3, 2, 2)] // 2.5 -> 2, 2.5 -> 2
    [TestCase(4, 4, 4, 4, 0, 0)]
    public void CenterCrop_PlacesTheWindowAsTorchvision(int h, int w, int ch, int cw, int top, int left)
    {
        ImageData img = Ramp(2, h, w);
        ImageData crop = Transforms.CenterCrop(img, ch, cw);
        Assert.That(crop.Shape, Is.EqualTo((2, ch, cw)));
        for (int c = 0; c < 2; c++)
        {
            for (int y = 0; y < ch; y++)
            {
                for (int x = 0; x < cw; x++)
                {
                    Assert.That(crop[c, y, x], Is.EqualTo(img[c, top + y, left + x]));
                }
            }
        }
    }

    [Test]
    public void CenterCrop_LargerThanImage_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Transforms.CenterCrop(Ramp(1, 4, 4), 5, 2));
        Assert.That(e!.Message, Does.Contain("CenterCrop").And.Contain("5x2"));
    }

    [Test]
    public void RandomCrop_IsReproducibleAndCoversEveryPosition()
    {
        ImageData img = Ramp(1, 6, 5);
        var a = new Random(42);
        var b = new Random(42);
        var seen = new HashSet<float>();
        for (int i = 0; i < 400; i++)
        {
            ImageData ca = Transforms.RandomCrop(img, 4, 3, a);
            ImageData cb = Transforms.RandomCrop(img, 4, 3, b);
            Assert.That(ca.Data, Is.EqualTo(cb.Data));
            // The top-left value identifies the window; every window is a true sub-block.
            float topLeft = ca[0, 0, 0];
            int top = (int)topLeft / 5, left = (int)topLeft % 5;
            Assert.That(top, Is.InRange(0, 2));
            Assert.That(left, Is.InRange(0, 2));
            Assert.That(ca.Data, Is.EqualTo(Transforms.Crop(img, top, left, 4, 3).Data));
            seen.Add(topLeft);
        }

        Assert.That(seen, Has.Count.EqualTo(9), "3 x 3 possible positions");
    }

    [Test]
    public void RandomCrop_WithPadding_CanReachTheZeroBorder()
    {
        var img = new ImageData(1, 4, 4);
        Array.Fill(img.Data, 1f);
        var rng = new Random(7);
        bool sawCornerPad = false;
        for (int i = 0; i < 200; i++)
        {
            ImageData crop = Transforms.RandomCrop(img, 4, 4, rng, padding: 2);
            Assert.That(crop.Shape, Is.EqualTo((1, 4, 4)));
            float sum = crop.Data.Sum();
            // The window always overlaps the 4x4 interior by at least 2x2.
            Assert.That(sum, Is.InRange(4f, 16f));
            sawCornerPad |= sum == 4f;
        }

        Assert.That(sawCornerPad, Is.True);
    }

    [Test]
    public void Pad_AddsBorder()
    {
        ImageData padded = Transforms.Pad(new ImageData(1, 1, 2, [5f, 6f]), 1, value: -1f);
        Assert.That(padded.Shape, Is.EqualTo((1, 3, 4)));
        Assert.That(padded.Data, Is.EqualTo(new[] { -1f, -1f, -1f, -1f, -1f, 5f, 6f, -1f, -1f, -1f, -1f, -1f }));
    }

    [Test]
    public void HorizontalFlip_MirrorsEachRowOfEachChannel()
    {
        ImageData img = Ramp(2, 2, 3);
        ImageData f = Transforms.HorizontalFlip(img);
        Assert.That(f.Data, Is.EqualTo(new[] { 2f, 1f, 0f, 5f, 4f, 3f, 8f, 7f, 6f, 11f, 10f, 9f }));
        Assert.That(Transforms.HorizontalFlip(f).Data, Is.EqualTo(img.Data));
        Assert.That(img.Data[0], Is.Zero, "input untouched");
    }

    [Test]
    public void RandomHorizontalFlip_FlipsAboutHalfTheTime_AndRespectsP()
    {
        ImageData img = Ramp(1, 1, 2);
        var rng = new Random(11);
        int flips = 0;
        for (int i = 0; i < 1000; i++)
        {
            flips += Transforms.RandomHorizontalFlip(img, rng)[0, 0, 0] == 1f ? 1 : 0;
        }

        Assert.That(flips, Is.InRange(430, 570));
        Assert.That(Transforms.RandomHorizontalFlip(img, rng, p: 0).Data, Is.EqualTo(img.Data));
        Assert.That(Transforms.RandomHorizontalFlip(img, rng, p: 1).Data, Is.EqualTo(new[] { 1f, 0f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Transforms.RandomHorizontalFlip(img, rng, p: 1.5));
    }

    [Test]
    public void Normalize_MatchesPyTorch()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Fixture("normalize.json")));
        JsonElement r = doc.RootElement;
        float[] Read(string name) => r.GetProperty(name).EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        var img = new ImageData(r.GetProperty("c").GetInt32(), r.GetProperty("h").GetInt32(), r.GetProperty("w").GetInt32(), Read("input"));
        ImageData y = Transforms.Normalize(img, Read("mean"), Read("std"));
        float[] expected = Read("output");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.That(y.Data[i], Is.EqualTo(expected[i]).Within(1e-6f), $"element {i}");
        }
    }

    [Test]
    public void Normalize_BadArguments_Throw()
    {
        ImageData img = Ramp(3, 1, 1);
        var e = Assert.Throws<ArgumentException>(() => Transforms.Normalize(img, [0f], [1f]));
        Assert.That(e!.Message, Does.Contain("3 channels"));
        e = Assert.Throws<ArgumentException>(() => Transforms.Normalize(img, [0f, 0f, 0f], [1f, 0f, 1f]));
        Assert.That(e!.Message, Does.Contain("channel 1"));
    }
}
