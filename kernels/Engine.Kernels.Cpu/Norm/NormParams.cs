namespace Engine.Kernels;

/// <summary>Sizes of a batch norm over x (Batch, Channels, Inner): statistics per channel over Batch * Inner values.</summary>
public readonly record struct BatchNormParams(int Batch, int Channels, int Inner, double Eps)
{
    /// <summary>Elements of x.</summary>
    public long Length => (long)Batch * Channels * Inner;
}

/// <summary>
/// Sizes of a row normalisation (layer norm, group norm): x is Rows rows of ChannelsPerGroup *
/// Inner values, each normalised by its own mean and variance; the affine weight and bias are
/// indexed by channel (row % Groups) * ChannelsPerGroup + d / Inner for element d of a row.
/// Layer norm: Groups = 1, Inner = 1, ChannelsPerGroup = normalised size. Group norm over
/// (N, C, *): Rows = N * G, Groups = G, ChannelsPerGroup = C / G, Inner = spatial size.
/// </summary>
public readonly record struct RowNormParams(int Rows, int Groups, int ChannelsPerGroup, int Inner, double Eps)
{
    /// <summary>Elements per row.</summary>
    public int RowLength => ChannelsPerGroup * Inner;

    /// <summary>Number of affine channels (Groups * ChannelsPerGroup).</summary>
    public int Channels => Groups * ChannelsPerGroup;

    /// <summary>Elements of x.</summary>
    public long Length => (long)Rows * RowLength;
}
