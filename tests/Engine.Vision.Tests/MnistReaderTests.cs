using System.Buffers.Binary;
using System.IO.Compression;
using Engine.Vision.Mnist;
using NUnit.Framework;

namespace Engine.Vision.Tests;

public class MnistReaderTests
{
    private const string MnistDir = "/work/shared/data/mnist";

    private static void RequireData()
    {
        if (!Directory.Exists(MnistDir))
        {
            Assert.Ignore($"MNIST data not found at {MnistDir}");
        }
    }

    [Test]
    public void Train10k_HasTheKnownCountsAndFirstImageSum()
    {
        RequireData();
        (MnistImages images, byte[] labels) = MnistReader.ReadSet(MnistDir, "train10k");
        Assert.That(images.Count, Is.EqualTo(10000));
        Assert.That((images.Rows, images.Columns), Is.EqualTo((28, 28)));
        Assert.That(labels, Has.Length.EqualTo(10000));
        int sum = 0;
        foreach (byte b in images.GetBytes(0))
        {
            sum += b;
        }

        Assert.That(sum, Is.EqualTo(27525));
        // The first training labels of MNIST are 5, 0, 4, 1, 9.
        Assert.That(labels.Take(5), Is.EqualTo(new byte[] { 5, 0, 4, 1, 9 }));
        ImageData first = images.GetImage(0);
        Assert.That(first.Shape, Is.EqualTo((1, 28, 28)));
        Assert.That(first.Data.Sum(), Is.EqualTo(27525 / 255.0).Within(1e-3));
    }

    [Test]
    public void T10k_HasTheKnownClassCounts()
    {
        RequireData();
        (MnistImages images, byte[] labels) = MnistReader.ReadSet(MnistDir, "t10k");
        Assert.That(images.Count, Is.EqualTo(10000));
        var counts = new int[10];
        foreach (byte l in labels)
        {
            counts[l]++;
        }

        Assert.That(counts, Is.EqualTo(new[] { 980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009 }));
    }

    [Test]
    public void UncompressedFile_ReadsTheSameAsGzip()
    {
        RequireData();
        using var dir = new TempDir();
        string gz = Path.Combine(MnistDir, "t10k-labels-idx1-ubyte.gz");
        string raw = dir.File("t10k-labels-idx1-ubyte");
        using (var input = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress))
        using (FileStream output = File.Create(raw))
        {
            input.CopyTo(output);
        }

        Assert.That(MnistReader.ReadLabels(raw), Is.EqualTo(MnistReader.ReadLabels(gz)));
    }

    private static byte[] ImageFile(int count, int rows, int cols, int payload, int magic = MnistReader.ImagesMagic)
    {
        var data = new byte[16 + payload];
        BinaryPrimitives.WriteInt32BigEndian(data, magic);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(12), cols);
        for (int i = 0; i < payload; i++)
        {
            data[16 + i] = (byte)i;
        }

        return data;
    }

    [Test]
    public void SmallHandMadeFile_ReadsBack()
    {
        using var dir = new TempDir();
        string path = dir.File("tiny-images-idx3-ubyte");
        File.WriteAllBytes(path, ImageFile(2, 2, 3, 12));
        MnistImages images = MnistReader.ReadImages(path);
        Assert.That((images.Count, images.Rows, images.Columns), Is.EqualTo((2, 2, 3)));
        Assert.That(images.GetBytes(1).ToArray(), Is.EqualTo(new byte[] { 6, 7, 8, 9, 10, 11 }));
        Assert.That(images.ToFloatMatrix()[11], Is.EqualTo(11 / 255f));
    }

    [Test]
    public void WrongMagic_NamesTheFileAndTheMagic()
    {
        using var dir = new TempDir();
        string path = dir.File("bad-images");
        File.WriteAllBytes(path, ImageFile(1, 1, 1, 1, magic: MnistReader.LabelsMagic));
        var e = Assert.Throws<InvalidDataException>(() => MnistReader.ReadImages(path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("0x00000801").And.Contain("label file"));
    }

    [Test]
    public void Truncated_And_Trailing_AreRejected()
    {
        using var dir = new TempDir();
        string shortFile = dir.File("short");
        File.WriteAllBytes(shortFile, ImageFile(3, 2, 2, 11));
        var e = Assert.Throws<InvalidDataException>(() => MnistReader.ReadImages(shortFile));
        Assert.That(e!.Message, Does.Contain(shortFile).And.Contain("truncated").And.Contain("12 bytes").And.Contain("11"));

        string longFile = dir.File("long");
        File.WriteAllBytes(longFile, ImageFile(3, 2, 2, 14));
        e = Assert.Throws<InvalidDataException>(() => MnistReader.ReadImages(longFile));
        Assert.That(e!.Message, Does.Contain(longFile).And.Contain("2 unexpected trailing bytes"));

        string headerOnly = dir.File("header");
        File.WriteAllBytes(headerOnly, new byte[] { 0, 0, 8, 3, 0 });
        e = Assert.Throws<InvalidDataException>(() => MnistReader.ReadImages(headerOnly));
        Assert.That(e!.Message, Does.Contain(headerOnly).And.Contain("too short"));
    }

    [Test]
    public void TruncatedGzip_IsRejectedNamingTheFile()
    {
        RequireData();
        using var dir = new TempDir();
        byte[] gz = File.ReadAllBytes(Path.Combine(MnistDir, "t10k-labels-idx1-ubyte.gz"));
        string path = dir.File("cut-labels.gz");
        File.WriteAllBytes(path, gz.AsSpan(0, gz.Length / 2).ToArray());
        var e = Assert.Throws<InvalidDataException>(() => MnistReader.ReadLabels(path));
        Assert.That(e!.Message, Does.Contain(path));
    }

    [Test]
    public void CountMismatch_BetweenImagesAndLabels_IsRejected()
    {
        using var dir = new TempDir();
        string images = dir.File("x-images");
        File.WriteAllBytes(images, ImageFile(2, 1, 1, 2));
        string labels = dir.File("x-labels");
        var l = new byte[8 + 3];
        BinaryPrimitives.WriteInt32BigEndian(l, MnistReader.LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(l.AsSpan(4), 3);
        File.WriteAllBytes(labels, l);
        var e = Assert.Throws<InvalidDataException>(() => MnistReader.Read(images, labels));
        Assert.That(e!.Message, Does.Contain(images).And.Contain(labels).And.Contain("2 images").And.Contain("3 labels"));
    }

    [Test]
    public void MissingFiles_AreReportedByName()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => MnistReader.ReadSet(dir.Path, "train"));
        Assert.That(e!.Message, Does.Contain("train-images-idx3-ubyte"));
    }
}
