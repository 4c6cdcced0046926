using System.Globalization;
using System.Text;

namespace Engine.Audio.Features;

/// <summary>Writes feature matrices as CSV: a header c0,c1,... and one row per frame.</summary>
public static class MfccCsv
{
    /// <summary>Writes (frames, coefficients) to <paramref name="path"/> via a temporary file and a rename.</summary>
    public static void Write(string path, float[,] features)
    {
        ArgumentNullException.ThrowIfNull(features);
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }
        string temp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (var writer = new StreamWriter(temp, false, new UTF8Encoding(false)))
            {
                WriteTo(writer, features);
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

    /// <summary>Writes the CSV text to <paramref name="writer"/>.</summary>
    public static void WriteTo(TextWriter writer, float[,] features)
    {
        int t = features.GetLength(0), c = features.GetLength(1);
        var line = new StringBuilder();
        for (int j = 0; j < c; j++)
        {
            line.Append(j == 0 ? "" : ",").Append('c').Append(j.ToString(CultureInfo.InvariantCulture));
        }
        writer.Write(line.Append('\n'));
        for (int i = 0; i < t; i++)
        {
            line.Clear();
            for (int j = 0; j < c; j++)
            {
                // "R" round-trips the float exactly.
                line.Append(j == 0 ? "" : ",").Append(features[i, j].ToString("R", CultureInfo.InvariantCulture));
            }
            writer.Write(line.Append('\n'));
        }
    }

    /// <summary>Reads a CSV written by <see cref="Write"/> back into (frames, coefficients).</summary>
    public static float[,] Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || !lines[0].StartsWith("c0", StringComparison.Ordinal))
        {
            throw new FormatException($"{path}: not an MFCC CSV (missing the c0,c1,... header).");
        }
        int c = lines[0].Split(',').Length;
        var output = new float[lines.Length - 1, c];
        for (int i = 1; i < lines.Length; i++)
        {
            var parts = lines[i].Split(',');
            if (parts.Length != c)
            {
                throw new FormatException($"{path}: line {i + 1} has {parts.Length} values, expected {c}.");
            }
            for (int j = 0; j < c; j++)
            {
                output[i - 1, j] = float.Parse(parts[j], CultureInfo.InvariantCulture);
            }
        }
        return output;
    }
}
