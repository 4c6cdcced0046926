using System.CommandLine;
using System.Globalization;
using Engine.Audio.Features;
using Engine.Audio.Io;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary><c>engine mfcc</c>: MFCCs of a WAV file, or of every WAV file in a folder, to CSV.</summary>
internal static class MfccCommand
{
    /// <summary>The command.</summary>
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A WAV file, or a folder: every .wav directly inside it is processed." };
        var output = new Option<string>("--out") { Description = "Output CSV (header c0,c1,..., one row per frame); for a folder input, the folder that receives NAME.csv per file.", Required = true };
        var preset = new Option<string>("--preset") { Description = "Reference to reproduce: torchaudio (transforms.MFCC), kaldi (compliance.kaldi.mfcc on int16-scaled samples) or librosa (Slaney mel, power_to_db).", DefaultValueFactory = _ => "torchaudio" };
        preset.AcceptOnlyFromAmong("kaldi", "torchaudio", "librosa");
        var nMfcc = new Option<int?>("--n-mfcc") { Description = "Cepstral coefficients per frame [default: 13]." };
        var nMels = new Option<int?>("--n-mels") { Description = "Mel filters [default: 40; kaldi: 23]." };
        var nFft = new Option<int?>("--n-fft") { Description = "FFT length in samples [default: 400]; for kaldi the frame length (FFT = next power of two) [default: 25 ms]." };
        var hop = new Option<int?>("--hop") { Description = "Hop between frames in samples [default: 160; kaldi: 10 ms]." };
        var sampleRate = new Option<int?>("--sample-rate") { Description = "Resample to this rate in Hz first [default: the file's own rate]." };
        foreach (var option in new Option[] { nMfcc, nMels, nFft, hop, sampleRate })
        {
            option.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int?>() is int v && v <= 0)
                {
                    result.AddError($"{result.Option.Name} must be positive, got {v}.");
                }
            });
        }

        var command = new Command("mfcc", "Extract MFCCs from a WAV file or a folder of WAV files to CSV.");
        command.Arguments.Add(input);
        foreach (var option in new Option[] { output, preset, nMfcc, nMels, nFft, hop, sampleRate })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var options = new MfccOptions
            {
                Preset = parse.GetValue(preset) switch
                {
                    "kaldi" => MfccPreset.Kaldi,
                    "librosa" => MfccPreset.Librosa,
                    _ => MfccPreset.Torchaudio,
                },
                NMfcc = parse.GetValue(nMfcc),
                NMels = parse.GetValue(nMels),
                NFft = parse.GetValue(nFft),
                Hop = parse.GetValue(hop),
                SampleRate = parse.GetValue(sampleRate),
            };
            string inPath = parse.GetValue(input)!;
            string outPath = parse.GetValue(output)!;
            var extractor = new MfccExtractor(options);
            return Directory.Exists(inPath) ? RunFolder(extractor, inPath, outPath) : RunFile(extractor, inPath, outPath);
        });
        return command;
    }

    private static int RunFile(MfccExtractor extractor, string input, string output)
    {
        try
        {
            var features = extractor.ComputeFile(input);
            MfccCsv.Write(output, features);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{input}: {features.GetLength(0)} frames x {features.GetLength(1)} coefficients -> {output}"));
            return 0;
        }
        catch (Exception e) when (e is AudioFormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>Every WAV in the folder; bad files are reported and skipped. Exit code 1 when any file failed.</summary>
    private static int RunFolder(MfccExtractor extractor, string input, string output)
    {
        int total = MfccBatch.FindWavFiles(input).Length;
        if (total == 0)
        {
            Console.Error.WriteLine($"error: no .wav files in {input}");
            return 1;
        }
        IReadOnlyList<MfccFileResult> results;
        if (Console.IsOutputRedirected)
        {
            results = MfccBatch.ProcessFolder(extractor, input, output, (r, done, n) =>
            {
                if (r.Succeeded)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{done}/{n}] {r.Input}: {r.Frames} frames -> {r.Output}"));
                }
                else
                {
                    Console.Error.WriteLine($"[{done}/{n}] skipped {r.Error}");
                }
            });
        }
        else
        {
            results = [];
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("MFCC", maxValue: total);
                    results = MfccBatch.ProcessFolder(extractor, input, output, (r, _, _) =>
                    {
                        if (!r.Succeeded)
                        {
                            AnsiConsole.MarkupLineInterpolated($"[yellow]skipped[/] {r.Error}");
                        }
                        task.Increment(1);
                    });
                });
        }
        int failed = results.Count(r => !r.Succeeded);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{results.Count - failed} of {results.Count} files written to {output}; {failed} skipped."));
        return failed == 0 ? 0 : 1;
    }
}
