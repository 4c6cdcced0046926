namespace Engine.Multimodal.Tests;

/// <summary>Temporary folders and the built-in sample, found from the test's folder.</summary>
internal static class TestData
{
    /// <summary>src/Engine.Cli/SampleData of this repository.</summary>
    public static string SampleFolder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "src", "Engine.Cli", "SampleData");
                if (File.Exists(Path.Combine(candidate, "train.csv")))
                {
                    return candidate;
                }
            }
            throw new DirectoryNotFoundException("src/Engine.Cli/SampleData not found above the test folder");
        }
    }

    /// <summary>A fresh temporary folder.</summary>
    public static string TempFolder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "engine-mm-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// Writes a manifest of the first <paramref name="count"/> rows of the sample's train.csv into
    /// <paramref name="folder"/>, with the sample's files given by absolute paths.
    /// </summary>
    public static string SampleSubset(string folder, int count, string name = "subset.csv")
    {
        var lines = File.ReadAllLines(Path.Combine(SampleFolder, "train.csv"));
        var output = new List<string> { lines[0] };
        foreach (var line in lines.Skip(1).Take(count))
        {
            // id,label,image,audio,"text": make the two paths absolute.
            var parts = line.Split(',', 5);
            parts[2] = Path.Combine(SampleFolder, parts[2]);
            parts[3] = Path.Combine(SampleFolder, parts[3]);
            output.Add(string.Join(",", parts));
        }
        var path = Path.Combine(folder, name);
        File.WriteAllLines(path, output);
        return path;
    }
}
