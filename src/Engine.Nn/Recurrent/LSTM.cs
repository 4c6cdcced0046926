namespace Engine.Nn;

/// <summary>The result of an <see cref="LSTM"/>: per-step outputs and final hidden and cell states.</summary>
public readonly record struct LstmOutput(Tensor Output, Tensor H, Tensor C);

/// <summary>
/// A multi-layer long short-term memory network (torch.nn.LSTM), gates (i, f, g, o) and
/// PyTorch's parameter names, so weights transfer both ways through state dicts.
/// </summary>
public sealed class LSTM : RnnBase
{
    /// <summary>Creates the network.</summary>
    public LSTM(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, double dropout = 0, bool bidirectional = false,
        Generator? generator = null, DType? dtype = null)
        : base(4, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, generator, dtype)
    {
    }

    /// <inheritdoc />
    protected override bool HasCellState => true;

    /// <inheritdoc />
    protected override (Tensor H, Tensor? C) Step(Tensor xProj, Tensor h, Tensor? c, Tensor wHh, Tensor? bHh) => CellMath.Lstm(xProj, h, c!, wHh, bHh);

    /// <summary>
    /// Runs the network. Input (T, B, in), (B, T, in) when batch-first, or (T, in); the optional
    /// state (h0, c0) is (layers * directions, B, H) each; optional lengths give each sequence's
    /// valid prefix (see <see cref="RnnBase"/>).
    /// </summary>
    public LstmOutput Forward(Tensor input, (Tensor H, Tensor C)? state = null, long[]? lengths = null)
    {
        var (o, h, c) = Run(input, state?.H, state?.C, lengths);
        return new LstmOutput(o, h, c!);
    }
}

/// <summary>The result of a <see cref="GRU"/>: per-step outputs and the final hidden state.</summary>
public readonly record struct GruOutput(Tensor Output, Tensor H);

/// <summary>A multi-layer gated recurrent unit network (torch.nn.GRU), gates (r, z, n).</summary>
public sealed class GRU : RnnBase
{
    /// <summary>Creates the network.</summary>
    public GRU(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, double dropout = 0, bool bidirectional = false,
        Generator? generator = null, DType? dtype = null)
        : base(3, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, generator, dtype)
    {
    }

    /// <inheritdoc />
    protected override bool HasCellState => false;

    /// <inheritdoc />
    protected override (Tensor H, Tensor? C) Step(Tensor xProj, Tensor h, Tensor? c, Tensor wHh, Tensor? bHh) => (CellMath.Gru(xProj, h, wHh, bHh), null);

    /// <summary>Runs the network; see <see cref="LSTM.Forward"/> for shapes.</summary>
    public GruOutput Forward(Tensor input, Tensor? h0 = null, long[]? lengths = null)
    {
        var (o, h, _) = Run(input, h0, null, lengths);
        return new GruOutput(o, h);
    }
}
