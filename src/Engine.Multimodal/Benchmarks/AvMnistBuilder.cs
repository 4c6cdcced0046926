using System.Globalization;
using System.Text;
using Engine.Audio.Dsp;
using Engine.Audio.Io;
using Engine.Vision;
using Engine.Vision.AvMnist;
using Engine.Vision.Mnist;

namespace Engine.Multimodal.Benchmarks;

/// <summary>Settings of the AV-MNIST-style benchmark data.</summary>
public sealed class AvMnistOptions
{
    /// <summary>The shared data folder (with mnist/, fsdd/recordings/, noise/speech_commands_background_noise/).</summary>
    public required string DataDir { get; init; }

    /// <summary>Output folder for images/, audio/, train.csv, test.csv.</summary>
    public required string OutDir { get; init; }

    /// <summary>Training samples (the first N of MNIST's first 10k training images).</summary>
    public int TrainCount { get; init; } = 10000;

    /// <summary>Test samples (the first N of the official test set).</summary>
    public int TestCount { get; init; } = 10000;

    /// <summary>Fraction of the image variance kept by PCA (AV-MNIST: 0.25).</summary>
    public double Energy { get; init; } = AvMnistImages.DefaultEnergy;

    /// <summary>Signal-to-noise ratio in dB of the recordings mixed with background noise.</summary>
    public double SnrDb { get; init; } = 0;

    /// <summary>Seed for pairing and noise.</summary>
    public int Seed { get; init; } = 8;
}

/// <summary>
/// Builds the AV-MNIST-style benchmark as a manifest folder: each MNIST image is reduced to the leading PCA
/// components holding 25% of the variance (fitted on the training images) and paired by label with an FSDD
/// recording (speakers george/jackson/lucas/theo for training, nicolas/yweweler for test) mixed with a random
/// segment of a Speech Commands background-noise clip at a fixed SNR. The text column is empty.
/// </summary>
public static class AvMnistBuilder
{
    /// <summary>Writes the folder and returns (train manifest, test manifest, PCA components kept).</summary>
    public static (string Train, string Test, int Components) Build(AvMnistOptions o, Action<string>? info = null)
    {
        var (trainImages, trainLabels) = MnistReader.ReadSet(Path.Combine(o.DataDir, "mnist"), "train10k");
        var (testImages, testLabels) = MnistReader.ReadSet(Path.Combine(o.DataDir, "mnist"), "t10k");
        trainImages = Take(trainImages, o.TrainCount);
        testImages = Take(testImages, o.TestCount);
        trainLabels = trainLabels.AsSpan(0, trainImages.Count).ToArray();
        testLabels = testLabels.AsSpan(0, testImages.Count).ToArray();
        var (trainPix, testPix, _, k) = AvMnistImages.DegradeToEnergy(trainImages, testImages, o.Energy);
        info?.Invoke($"images: PCA on {trainImages.Count} training images keeps {k} component(s) for {o.Energy:P0} of the variance");

        var recordings = FsddRecording.ListFolder(Path.Combine(o.DataDir, "fsdd", "recordings"));
        var noiseDir = Path.Combine(o.DataDir, "noise", "speech_commands_background_noise");
        var noises = Directory.GetFiles(noiseDir, "*.wav").Order(StringComparer.Ordinal).Select(f =>
        {
            var clip = WavReader.Read(f);
            return clip.SampleRate == 8000 ? clip.Samples : Resampler.Resample(clip.Samples, clip.SampleRate, 8000);
        }).ToArray();
        info?.Invoke($"audio: {recordings.Count} FSDD recordings, {noises.Length} noise clips resampled to 8 kHz, SNR {o.SnrDb.ToString(CultureInfo.InvariantCulture)} dB");

        Directory.CreateDirectory(Path.Combine(o.OutDir, "images"));
        Directory.CreateDirectory(Path.Combine(o.OutDir, "audio"));
        string train = Write(o, "train", trainPix, trainLabels, recordings, AvMnistPairing.TrainSpeakers, noises, o.Seed);
        string test = Write(o, "test", testPix, testLabels, recordings, AvMnistPairing.TestSpeakers, noises, o.Seed + 1);
        return (train, test, k);
    }

    private static MnistImages Take(MnistImages images, int count)
    {
        if (count <= 0 || count > images.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"AvMnistBuilder: asked for {count} images, the set has {images.Count}");
        }
        return count == images.Count ? images : new MnistImages(count, images.Rows, images.Columns, images.Pixels.AsSpan(0, count * images.PixelsPerImage).ToArray());
    }

    private static string Write(AvMnistOptions o, string split, float[] pixels, byte[] labels, IReadOnlyList<FsddRecording> recordings,
        IReadOnlyList<string> speakers, float[][] noises, int seed)
    {
        var pairs = AvMnistPairing.Pair(labels, recordings, speakers, seed);
        var fsdd = Path.Combine(o.DataDir, "fsdd", "recordings");
        var rows = new string[labels.Length];
        Parallel.For(0, labels.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            string id = $"{split}_{i:D5}";
            var image = new ImageData(1, 28, 28, pixels.AsSpan(i * 784, 784).ToArray().Select(v => Math.Clamp(v, 0f, 1f)).ToArray());
            ImageWriter.SavePng(image, Path.Combine(o.OutDir, "images", id + ".png"));
            var rec = recordings[pairs[i]];
            var clip = WavReader.Read(Path.Combine(fsdd, rec.FileName));
            // One noise clip and offset per sample, drawn from a per-sample seed so the folder is reproducible.
            var rng = new Random(seed * 1_000_003 + i);
            var noise = noises[rng.Next(noises.Length)];
            var mixed = NoiseMixer.MixAtSnr(clip.Samples, noise, o.SnrDb, rng);
            WavFile.WritePcm16(Path.Combine(o.OutDir, "audio", id + ".wav"), mixed, clip.SampleRate);
            rows[i] = $"{id},{labels[i]},images/{id}.png,audio/{id}.wav,\"\"";
        });
        var sb = new StringBuilder("id,label,image,audio,text\n");
        foreach (var r in rows)
        {
            sb.Append(r).Append('\n');
        }
        var path = Path.Combine(o.OutDir, split + ".csv");
        Engine.Nn.AtomicFile.Write(path, Encoding.UTF8.GetBytes(sb.ToString()));
        return path;
    }
}
