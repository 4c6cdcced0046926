namespace Engine.Multimodal.Data;

/// <summary>One manifest row: paths are already resolved against the manifest's folder; empty modalities are null.</summary>
/// <param name="Id">The sample id.</param>
/// <param name="Label">The class label as written.</param>
/// <param name="ImagePath">Absolute image path, or null.</param>
/// <param name="AudioPath">Absolute audio path, or null.</param>
/// <param name="Text">The inline text, or null when empty.</param>
/// <param name="Line">The 1-based line of the row in the manifest.</param>
public sealed record ManifestRow(string Id, string Label, string? ImagePath, string? AudioPath, string? Text, int Line);

/// <summary>A row that was skipped: where it is and why.</summary>
/// <param name="Manifest">The manifest file.</param>
/// <param name="Line">The 1-based line.</param>
/// <param name="Id">The row's id, if it could be read.</param>
/// <param name="File">The offending file, if a file was the cause.</param>
/// <param name="Reason">What is wrong.</param>
public sealed record RowProblem(string Manifest, int Line, string? Id, string? File, string Reason)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Manifest}:{Line}{(Id is null ? "" : $" ({Id})")}: {(File is null ? "" : $"{File}: ")}{Reason}";
}

/// <summary>Thrown in strict mode at the first bad row, and for manifests that cannot be read at all.</summary>
public sealed class ManifestException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ManifestException(string message, RowProblem? problem = null) : base(message)
    {
        Problem = problem;
    }

    /// <summary>The row that stopped the run, if any.</summary>
    public RowProblem? Problem { get; }
}
