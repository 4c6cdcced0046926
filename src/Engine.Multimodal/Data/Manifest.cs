namespace Engine.Multimodal.Data;

/// <summary>
/// A dataset manifest: a CSV with the header <c>id,label,image,audio,text</c> (any column order), image and
/// audio paths relative to the manifest, text inline. Bad rows are collected in <see cref="Problems"/>
/// and skipped, or stop the load at once in strict mode.
/// </summary>
public sealed class Manifest
{
    private static readonly string[] Columns = { "id", "label", "image", "audio", "text" };

    private Manifest(string path, List<ManifestRow> rows, List<RowProblem> problems)
    {
        Path = path;
        Rows = rows;
        Problems = problems;
    }

    /// <summary>The manifest file.</summary>
    public string Path { get; }

    /// <summary>The rows that passed the checks.</summary>
    public IReadOnlyList<ManifestRow> Rows { get; }

    /// <summary>The rows that were skipped, with reasons.</summary>
    public IReadOnlyList<RowProblem> Problems { get; }

    /// <summary>
    /// Reads and checks a manifest. A row is bad when it has the wrong number of fields, an empty or duplicate
    /// id, an empty label or one outside <paramref name="knownLabels"/> (when given), a missing file for one of
    /// <paramref name="used"/>, or none of the used modalities at all.
    /// </summary>
    public static Manifest Load(string path, Modality used = Modality.All, IReadOnlyCollection<string>? knownLabels = null, bool strict = false)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Manifest: file '{path}' does not exist.", path);
        }
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ManifestException($"Manifest: cannot read '{path}': {e.Message}");
        }
        return Parse(text, path, used, knownLabels, strict);
    }

    /// <summary>Parses manifest text; relative paths resolve against the folder of <paramref name="path"/>.</summary>
    public static Manifest Parse(string text, string path, Modality used = Modality.All, IReadOnlyCollection<string>? knownLabels = null, bool strict = false)
    {
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".";
        var labels = knownLabels is null ? null : new HashSet<string>(knownLabels, StringComparer.Ordinal);
        var rows = new List<ManifestRow>();
        var problems = new List<RowProblem>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        int[]? map = null;
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }
        foreach (var (line, fields, error) in CsvParser.Parse(text))
        {
            if (map is null)
            {
                map = ReadHeader(fields, path);
                continue;
            }
            void Bad(string? id, string? file, string reason)
            {
                var p = new RowProblem(path, line, id, file, reason);
                if (strict)
                {
                    throw new ManifestException($"Manifest: {p} (stopped: --strict)", p);
                }
                problems.Add(p);
            }
            if (error is not null)
            {
                Bad(null, null, $"malformed CSV: {error}");
                continue;
            }
            if (fields.Count != map.Length)
            {
                Bad(null, null, $"expected {map.Length} fields, found {fields.Count}");
                continue;
            }
            string id = fields[map[0]].Trim();
            string label = fields[map[1]].Trim();
            string image = fields[map[2]].Trim();
            string audio = fields[map[3]].Trim();
            string rowText = fields[map[4]];
            if (id.Length == 0)
            {
                Bad(null, null, "empty id");
                continue;
            }
            if (!ids.Add(id))
            {
                Bad(id, null, $"duplicate id '{id}'");
                continue;
            }
            if (label.Length == 0)
            {
                Bad(id, null, "empty label");
                continue;
            }
            if (labels is not null && !labels.Contains(label))
            {
                Bad(id, null, $"unknown label '{label}' (the model knows {string.Join(", ", labels.Order(LabelComparer.Instance))})");
                continue;
            }
            string? imagePath = (used & Modality.Image) != 0 && image.Length > 0 ? System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, image)) : null;
            string? audioPath = (used & Modality.Audio) != 0 && audio.Length > 0 ? System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, audio)) : null;
            string? inline = (used & Modality.Text) != 0 && rowText.Trim().Length > 0 ? rowText : null;
            if (imagePath is not null && !File.Exists(imagePath))
            {
                Bad(id, imagePath, "image file does not exist");
                continue;
            }
            if (audioPath is not null && !File.Exists(audioPath))
            {
                Bad(id, audioPath, "audio file does not exist");
                continue;
            }
            // An empty text is a valid (uninformative) text; a row with no image, no audio and no text column in use has nothing to learn from.
            if (imagePath is null && audioPath is null && (used & Modality.Text) == 0)
            {
                Bad(id, null, $"no {Modalities.Format(used)} input in this row");
                continue;
            }
            rows.Add(new ManifestRow(id, label, imagePath, audioPath, inline, line));
        }
        if (map is null)
        {
            throw new ManifestException($"Manifest: '{path}' is empty (expected the header id,label,image,audio,text)");
        }
        return new Manifest(path, rows, problems);
    }

    private static int[] ReadHeader(List<string> fields, string path)
    {
        var names = fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
        var map = new int[Columns.Length];
        for (int c = 0; c < Columns.Length; c++)
        {
            map[c] = names.IndexOf(Columns[c]);
            if (map[c] < 0)
            {
                throw new ManifestException($"Manifest: '{path}' header '{string.Join(",", fields)}' lacks the column '{Columns[c]}' (expected id,label,image,audio,text)");
            }
        }
        if (names.Count != Columns.Length)
        {
            throw new ManifestException($"Manifest: '{path}' header '{string.Join(",", fields)}' has {names.Count} columns; expected exactly id,label,image,audio,text");
        }
        return map;
    }
}

/// <summary>Orders labels numerically when both are integers, otherwise ordinally.</summary>
public sealed class LabelComparer : IComparer<string>
{
    /// <summary>The shared instance.</summary>
    public static readonly LabelComparer Instance = new();

    /// <inheritdoc />
    public int Compare(string? x, string? y)
    {
        if (long.TryParse(x, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long a)
            && long.TryParse(y, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long b))
        {
            return a.CompareTo(b);
        }
        return string.CompareOrdinal(x, y);
    }
}
