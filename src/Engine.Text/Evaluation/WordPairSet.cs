using System.Globalization;

namespace Engine.Text.Evaluation;

/// <summary>A word-similarity benchmark: word pairs with human similarity scores (WordSim-353, SimLex-999).</summary>
public sealed class WordPairSet
{
    /// <summary>Creates a set from pairs.</summary>
    public WordPairSet(string name, IReadOnlyList<(string A, string B, double Score)> pairs)
    {
        Name = name;
        Pairs = pairs;
    }

    /// <summary>Name used in reports.</summary>
    public string Name { get; }

    /// <summary>The pairs with their gold scores.</summary>
    public IReadOnlyList<(string A, string B, double Score)> Pairs { get; }

    /// <summary>
    /// Reads a delimited file (tab, or comma for .csv) with one header line: words in the first two
    /// columns, the gold score in column <paramref name="scoreColumn"/> (0-based).
    /// </summary>
    public static WordPairSet Load(string path, int scoreColumn, string? name = null)
    {
        char delimiter = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ',' : '\t';
        var pairs = new List<(string, string, double)>();
        int lineNumber = 0;
        foreach (var rawLine in File.ReadLines(path))
        {
            lineNumber++;
            string line = rawLine.TrimEnd('\r');
            if (lineNumber == 1 || line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var parts = line.Split(delimiter);
            if (parts.Length <= scoreColumn)
            {
                throw new InvalidDataException($"{path}: line {lineNumber}: expected at least {scoreColumn + 1} {(delimiter == ',' ? "comma" : "tab")}-separated fields, found {parts.Length}.");
            }
            if (!double.TryParse(parts[scoreColumn], NumberStyles.Float, CultureInfo.InvariantCulture, out double score))
            {
                throw new InvalidDataException($"{path}: line {lineNumber}: score '{parts[scoreColumn]}' in field {scoreColumn + 1} is not a number.");
            }
            pairs.Add((parts[0].Trim(), parts[1].Trim(), score));
        }
        if (pairs.Count == 0)
        {
            throw new InvalidDataException($"{path}: no word pairs found.");
        }
        return new WordPairSet(name ?? Path.GetFileNameWithoutExtension(path), pairs);
    }

    /// <summary>WordSim-353 (combined.tab or combined.csv: word, word, mean human score).</summary>
    public static WordPairSet LoadWordSim353(string path) => Load(path, 2, "WordSim-353");

    /// <summary>SimLex-999 (SimLex-999.txt: word1, word2, POS, SimLex999 score, ...).</summary>
    public static WordPairSet LoadSimLex999(string path) => Load(path, 3, "SimLex-999");
}
