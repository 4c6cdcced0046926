using System.Globalization;

namespace Engine.Vision.AvMnist;

/// <summary>One Free Spoken Digit Dataset recording, named <c>{digit}_{speaker}_{index}.wav</c>.</summary>
/// <param name="Digit">The spoken digit, 0..9.</param>
/// <param name="Speaker">The speaker's name, e.g. "jackson".</param>
/// <param name="Index">The take number (0..49 in FSDD; 0..4 is the official test split).</param>
/// <param name="FileName">The file name without folder.</param>
public sealed record FsddRecording(int Digit, string Speaker, int Index, string FileName)
{
    /// <summary>Parses a file name such as <c>7_jackson_32.wav</c> (a folder part is ignored).</summary>
    /// <exception cref="FormatException">The name does not follow the FSDD pattern.</exception>
    public static FsddRecording Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string name = Path.GetFileName(path);
        string stem = name.EndsWith(".wav", StringComparison.OrdinalIgnoreCase) ? name[..^4] : string.Empty;
        string[] parts = stem.Split('_');
        if (parts.Length != 3
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int digit) || digit > 9
            || parts[1].Length == 0
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            throw new FormatException($"FSDD: '{path}' is not named {{digit}}_{{speaker}}_{{index}}.wav.");
        }

        return new FsddRecording(digit, parts[1], index, name);
    }

    /// <summary>All recordings in <paramref name="directory"/> (FSDD's <c>recordings</c> folder), sorted by file name.</summary>
    /// <exception cref="FormatException">A .wav file there does not follow the FSDD pattern.</exception>
    public static IReadOnlyList<FsddRecording> ListFolder(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"FSDD: folder '{directory}' does not exist.");
        }

        return Directory.EnumerateFiles(directory, "*.wav")
            .Select(Parse)
            .OrderBy(r => r.FileName, StringComparer.Ordinal)
            .ToList();
    }
}
