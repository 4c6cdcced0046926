namespace Engine.Audio.Features;

/// <summary>Outcome of one file in a batch run.</summary>
/// <param name="Input">The WAV file.</param>
/// <param name="Output">The CSV written, or null when the file failed.</param>
/// <param name="Frames">Frames written.</param>
/// <param name="Error">Why the file was skipped, or null.</param>
public sealed record MfccFileResult(string Input, string? Output, int Frames, string? Error)
{
    /// <summary>True when the CSV was written.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>MFCC extraction over a file or a folder of WAV files, one CSV per file.</summary>
public static class MfccBatch
{
    /// <summary>The WAV files directly inside <paramref name="folder"/>, sorted by name.</summary>
    public static string[] FindWavFiles(string folder)
    {
        var files = Directory.EnumerateFiles(folder)
            .Where(f => f.EndsWith(".wav", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".wave", StringComparison.OrdinalIgnoreCase))
            .ToArray();
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>Extracts one file to one CSV; errors are returned in the result, never thrown.</summary>
    public static MfccFileResult ProcessFile(MfccExtractor extractor, string input, string output)
    {
        try
        {
            var features = extractor.ComputeFile(input);
            MfccCsv.Write(output, features);
            return new MfccFileResult(input, output, features.GetLength(0), null);
        }
        catch (Exception e) when (e is Io.AudioFormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return new MfccFileResult(input, null, 0, e.Message);
        }
    }

    /// <summary>
    /// Every WAV file in <paramref name="inputFolder"/> to outputFolder/NAME.csv. A bad file is reported in its
    /// result and skipped; <paramref name="onFile"/> is called after each file (for progress).
    /// </summary>
    public static IReadOnlyList<MfccFileResult> ProcessFolder(MfccExtractor extractor, string inputFolder, string outputFolder,
        Action<MfccFileResult, int, int>? onFile = null)
    {
        if (!Directory.Exists(inputFolder))
        {
            throw new DirectoryNotFoundException($"MfccBatch: input folder '{inputFolder}' does not exist.");
        }
        Directory.CreateDirectory(outputFolder);
        var files = FindWavFiles(inputFolder);
        var results = new List<MfccFileResult>(files.Length);
        for (int i = 0; i < files.Length; i++)
        {
            string output = Path.Combine(outputFolder, Path.GetFileNameWithoutExtension(files[i]) + ".csv");
            var result = ProcessFile(extractor, files[i], output);
            results.Add(result);
            onFile?.Invoke(result, i + 1, files.Length);
        }
        return results;
    }
}
