namespace Engine.Multimodal.Data;

/// <summary>
/// Samples addressed by position: held in memory (<see cref="MultimodalDataset"/>) or decoded from their files on
/// demand (<see cref="StreamingDataset"/>). <see cref="BatchLoader"/> reads either.
/// </summary>
public interface ISampleSource
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>The class index of sample <paramref name="index"/> (known without decoding it).</summary>
    int LabelOf(int index);

    /// <summary>
    /// Sample <paramref name="index"/>, or null when it cannot be read any more (the reason is added to
    /// <see cref="Problems"/>). Safe to call from several threads at once.
    /// </summary>
    Sample? Get(int index);

    /// <summary>Rows skipped so far, with reasons.</summary>
    IReadOnlyList<RowProblem> Problems { get; }

    /// <summary>The samples at the given positions, as a source of the same kind.</summary>
    ISampleSource Subset(IReadOnlyList<int> indices);
}
