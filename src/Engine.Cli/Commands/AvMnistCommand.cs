using System.CommandLine;
using System.Globalization;
using Engine.Multimodal.Benchmarks;

namespace Engine.Cli.Commands;

/// <summary><c>engine avmnist-prepare</c>: writes the AV-MNIST-style benchmark as a manifest folder for engine train.</summary>
internal static class AvMnistCommand
{
    /// <summary>The command.</summary>
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "The shared data folder (mnist/, fsdd/recordings/, noise/).", DefaultValueFactory = _ => "../shared/data" };
        var output = new Option<string>("--out") { Description = "Folder for images/, audio/, train.csv and test.csv.", Required = true };
        var train = new Option<int>("--train") { Description = "Training samples (first N of MNIST's first 10k training images).", DefaultValueFactory = _ => 10000 };
        var test = new Option<int>("--test") { Description = "Test samples (first N of the official 10k test images).", DefaultValueFactory = _ => 10000 };
        var snr = new Option<double>("--snr") { Description = "SNR in dB of the recordings mixed with background noise.", DefaultValueFactory = _ => 0.0 };
        var energy = new Option<double>("--energy") { Description = "Fraction of image variance kept by PCA (AV-MNIST: 0.25).", DefaultValueFactory = _ => 0.25 };
        var seed = new Option<int>("--seed") { Description = "Seed for pairing and noise.", DefaultValueFactory = _ => 8 };
        var command = new Command("avmnist-prepare", "Build the AV-MNIST-style benchmark (PCA-degraded MNIST paired with noisy FSDD, speaker split) as a manifest folder; then run engine train --data OUT/train.csv --test OUT/test.csv --modalities image,audio.");
        foreach (var o in new Option[] { data, output, train, test, snr, energy, seed })
        {
            command.Options.Add(o);
        }
        command.SetAction(parse => CliRun.Guard(() =>
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var (trainPath, testPath, k) = AvMnistBuilder.Build(new AvMnistOptions
            {
                DataDir = parse.GetValue(data)!,
                OutDir = parse.GetValue(output)!,
                TrainCount = parse.GetValue(train),
                TestCount = parse.GetValue(test),
                SnrDb = parse.GetValue(snr),
                Energy = parse.GetValue(energy),
                Seed = parse.GetValue(seed),
            }, Console.WriteLine);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {trainPath} and {testPath} ({k} PCA components) in {watch.Elapsed.TotalSeconds:F1} s"));
        }));
        return command;
    }
}
