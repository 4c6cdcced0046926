namespace Engine.Backends;

/// <summary>
/// Sizes and element offsets of one fused LSTM cell launch over a batch (see
/// <see cref="Backend.LstmCellForward"/> and <see cref="Backend.LstmCellBackward"/>). Gate rows are
/// (B, 4H) in PyTorch's order (i, f, g, o); saved activations are (B, 5H): the four activated gates
/// then tanh(c). Every block is dense row-major from its offset; offsets not set are 0.
/// </summary>
public readonly record struct LstmCellParams(int Batch, int Hidden)
{
    /// <summary>Offset of the (B, 4H) gate block: the pre-activations (forward) or d(gates) (backward).</summary>
    public int GatesOffset { get; init; }

    /// <summary>Offset of the (B, H) c_prev block.</summary>
    public int CPrevOffset { get; init; }

    /// <summary>Offset of the (B, H) c block (forward output) or of dc (backward input).</summary>
    public int COffset { get; init; }

    /// <summary>Offset of the (B, H) h_prev block (read only for rows that are not valid).</summary>
    public int HPrevOffset { get; init; }

    /// <summary>Offset of the (B, H) h block (forward output) or of dh (backward input).</summary>
    public int HOffset { get; init; }

    /// <summary>Offset of the (B, H) dc_prev block (backward output).</summary>
    public int DcPrevOffset { get; init; }

    /// <summary>Offset of the (B, 5H) saved activations.</summary>
    public int ActOffset { get; init; }

    /// <summary>Offset of the optional (B, H) per-step output (forward) or its gradient (backward).</summary>
    public int OutputOffset { get; init; }

    /// <summary>Offset of the optional (B) Bool validity of each row.</summary>
    public int ValidOffset { get; init; }

    /// <summary>Elements of one (B, H) state block.</summary>
    public int StateLength => Batch * Hidden;

    /// <summary>Elements of one (B, 4H) gate block.</summary>
    public int GatesLength => Batch * 4 * Hidden;
}
