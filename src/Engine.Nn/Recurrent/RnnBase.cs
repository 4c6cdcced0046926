using System.Globalization;

namespace Engine.Nn;

/// <summary>
/// Shared machinery of <see cref="LSTM"/> and <see cref="GRU"/>: PyTorch's parameter layout and
/// names (weight_ih_l{k}[_reverse], weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, gates stacked
/// along dim 0 in PyTorch's order), layers, directions, batch-first, initial states, variable
/// lengths and dropout between layers. The input projection of a whole sequence is one matrix
/// product; each time step then adds the hidden projection and applies the cell.
/// </summary>
public abstract class RnnBase : Module
{
    private readonly Tensor[][] _weights; // [layer * dirs + dir] = { w_ih, w_hh, b_ih?, b_hh? }

    /// <summary>Registers the parameters, all U(-1/sqrt(hidden), 1/sqrt(hidden)) as PyTorch does.</summary>
    protected RnnBase(int gateCount, int inputSize, int hiddenSize, int numLayers, bool bias, bool batchFirst, double dropout, bool bidirectional, Generator? generator, DType? dtype)
    {
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0)
        {
            throw new ArgumentException($"{GetType().Name}: input_size ({inputSize}), hidden_size ({hiddenSize}) and num_layers ({numLayers}) must be positive");
        }
        if (dropout < 0 || dropout > 1)
        {
            throw new ArgumentException($"{GetType().Name}: dropout should be a number in range [0, 1], got {dropout}");
        }
        GateCount = gateCount;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        HasBias = bias;
        BatchFirst = batchFirst;
        DropoutP = dropout;
        Bidirectional = bidirectional;
        int dirs = NumDirections;
        _weights = new Tensor[numLayers * dirs][];
        double bound = 1 / Math.Sqrt(hiddenSize);
        for (int layer = 0; layer < numLayers; layer++)
        {
            int inSize = layer == 0 ? inputSize : hiddenSize * dirs;
            for (int dir = 0; dir < dirs; dir++)
            {
                string sfx = "_l" + layer.ToString(CultureInfo.InvariantCulture) + (dir == 1 ? "_reverse" : "");
                var list = new List<Tensor>
                {
                    RegisterParameter("weight_ih" + sfx, Persistent(() => Tensor.Empty(new[] { gateCount * hiddenSize, inSize }, dtype)))!,
                    RegisterParameter("weight_hh" + sfx, Persistent(() => Tensor.Empty(new[] { gateCount * hiddenSize, hiddenSize }, dtype)))!,
                };
                if (bias)
                {
                    list.Add(RegisterParameter("bias_ih" + sfx, Persistent(() => Tensor.Empty(new[] { gateCount * hiddenSize }, dtype)))!);
                    list.Add(RegisterParameter("bias_hh" + sfx, Persistent(() => Tensor.Empty(new[] { gateCount * hiddenSize }, dtype)))!);
                }
                foreach (var w in list)
                {
                    Init.Uniform_(w, -bound, bound, generator);
                }
                _weights[layer * dirs + dir] = list.ToArray();
            }
        }
    }

    /// <summary>Gates per cell (4 for LSTM, 3 for GRU).</summary>
    public int GateCount { get; }

    /// <summary>Features per input step.</summary>
    public int InputSize { get; }

    /// <summary>Features of the hidden state.</summary>
    public int HiddenSize { get; }

    /// <summary>Stacked layers.</summary>
    public int NumLayers { get; }

    /// <summary>Whether the cells have biases.</summary>
    public bool HasBias { get; }

    /// <summary>Whether input and output are (batch, seq, feature) instead of (seq, batch, feature).</summary>
    public bool BatchFirst { get; }

    /// <summary>Dropout applied to each layer's output except the last, in training.</summary>
    public double DropoutP { get; }

    /// <summary>Whether a second, reversed direction runs.</summary>
    public bool Bidirectional { get; }

    /// <summary>1 or 2.</summary>
    public int NumDirections => Bidirectional ? 2 : 1;

    /// <summary>Random source for the inter-layer dropout (null: the default generator).</summary>
    public Generator? DropoutGenerator { get; set; }

    /// <summary>
    /// Whether LSTM layers run through the fused whole-sequence node (float32 and float64 on every
    /// device; on by default). Off, every step is composed from tensor ops, which is the reference
    /// the fused path is tested against.
    /// </summary>
    public bool UseFusedKernels { get; set; } = true;

    /// <summary>Whether this cell type carries a cell state (LSTM).</summary>
    protected abstract bool HasCellState { get; }

    /// <summary>
    /// One time step for a batch: <paramref name="xProj"/> is W_ih x + b_ih (B, G*H); returns the
    /// new hidden state and, for LSTM, the new cell state.
    /// </summary>
    protected abstract (Tensor H, Tensor? C) Step(Tensor xProj, Tensor h, Tensor? c, Tensor wHh, Tensor? bHh);

    /// <summary>
    /// Lengths (batch) from a padding mask (batch, seq) where true marks padding, as in
    /// key_padding_mask; each row must be valid steps followed by padding.
    /// </summary>
    public static long[] LengthsFromPaddingMask(Tensor paddingMask)
    {
        if (paddingMask.DType != DType.Bool || paddingMask.Dim != 2)
        {
            throw new ArgumentException($"rnn: padding mask must be a Bool (batch, seq) tensor, got {paddingMask.DType} {Shapes.Of(paddingMask)}");
        }
        int b = paddingMask.Size(0), t = paddingMask.Size(1);
        var m = paddingMask.ToArray<bool>();
        var lengths = new long[b];
        for (int i = 0; i < b; i++)
        {
            int len = 0;
            while (len < t && !m[i * t + len])
            {
                len++;
            }
            for (int j = len; j < t; j++)
            {
                if (!m[i * t + j])
                {
                    throw new ArgumentException($"rnn: padding mask row {i} has a valid step {j} after padding; padding must come last");
                }
            }
            lengths[i] = len;
        }
        return lengths;
    }

    /// <summary>
    /// Runs the stack. Input (T, B, in) or (B, T, in) when batch-first, or unbatched (T, in);
    /// h0/c0 (layers * dirs, B, H) default to zeros; <paramref name="lengths"/> (B values in
    /// [0, T]) give each sequence's valid prefix, like a packed sequence: steps past a length
    /// leave the state alone and output zeros, and the reverse direction starts at each
    /// sequence's own last step. Output keeps T steps.
    /// </summary>
    protected (Tensor Output, Tensor H, Tensor? C) Run(Tensor input, Tensor? h0, Tensor? c0, long[]? lengths)
    {
        string op = GetType().Name;
        bool unbatched = input.Dim == 2;
        if (input.Dim != 2 && input.Dim != 3)
        {
            throw new ArgumentException($"{op}: expected input with 2 (unbatched) or 3 dimensions, got shape {Shapes.Of(input)}");
        }
        var x = unbatched ? input.Unsqueeze(1) : BatchFirst ? input.Transpose(0, 1) : input; // (T, B, in)
        int steps = x.Size(0), batch = x.Size(1);
        if (x.Size(2) != InputSize)
        {
            throw new ArgumentException($"{op}: input.size(-1) must be equal to input_size. Expected {InputSize}, got {x.Size(2)}");
        }
        int dirs = NumDirections, stateRows = NumLayers * dirs;
        var h = CheckState(h0, "h0", unbatched, stateRows, batch, x);
        var c = HasCellState ? CheckState(c0, "c0", unbatched, stateRows, batch, x) : null;
        Tensor[]? masks = null;
        if (lengths is not null)
        {
            masks = StepMasks(lengths, steps, batch, x.Device, op);
        }

        var hOut = new Tensor[stateRows];
        var cOut = new Tensor[stateRows];
        var layerInput = x;
        for (int layer = 0; layer < NumLayers; layer++)
        {
            var dirOutputs = new Tensor[dirs];
            for (int dir = 0; dir < dirs; dir++)
            {
                int k = layer * dirs + dir;
                var w = _weights[k];
                var (outSeq, hk, ck) = RunDirection(layerInput, h.Select(0, k), c?.Select(0, k), w, dir == 1, masks);
                dirOutputs[dir] = outSeq;
                hOut[k] = hk;
                if (ck is not null)
                {
                    cOut[k] = ck;
                }
            }
            layerInput = dirs == 1 ? dirOutputs[0] : Tensor.Cat(dirOutputs, 2);
            if (layer < NumLayers - 1 && DropoutP > 0 && Training)
            {
                layerInput = NnFunctional.Dropout(layerInput, DropoutP, true, DropoutGenerator);
            }
        }
        var output = layerInput;
        var hN = Tensor.Stack(hOut, 0);
        var cN = HasCellState ? Tensor.Stack(cOut, 0) : null;
        if (unbatched)
        {
            output = output.Squeeze(1);
            hN = hN.Squeeze(1);
            cN = cN?.Squeeze(1);
        }
        else if (BatchFirst)
        {
            output = output.Transpose(0, 1);
        }
        return (output, hN, cN);
    }

    private Tensor CheckState(Tensor? s, string name, bool unbatched, int rows, int batch, Tensor x)
    {
        if (s is null)
        {
            return Tensor.Zeros(new[] { rows, batch, HiddenSize }, x.DType, x.Device);
        }
        var expected = unbatched ? new[] { rows, HiddenSize } : new[] { rows, batch, HiddenSize };
        if (!s.Shape.SequenceEqual(expected))
        {
            throw new ArgumentException($"{GetType().Name}: expected {name} of shape {Shapes.Str(expected)}, got {Shapes.Of(s)}");
        }
        return unbatched ? s.Unsqueeze(1) : s;
    }

    private static Tensor[] StepMasks(long[] lengths, int steps, int batch, Device device, string op)
    {
        if (lengths.Length != batch)
        {
            throw new ArgumentException($"{op}: got {lengths.Length} lengths for a batch of {batch}");
        }
        var masks = new Tensor[steps];
        for (int t = 0; t < steps; t++)
        {
            var m = new bool[batch];
            for (int b = 0; b < batch; b++)
            {
                if (lengths[b] < 0 || lengths[b] > steps)
                {
                    throw new ArgumentException($"{op}: length {lengths[b]} of sequence {b} is outside [0, {steps}]");
                }
                m[b] = t < lengths[b];
            }
            masks[t] = Tensor.FromArray(m, new[] { batch, 1 }, device);
        }
        return masks;
    }

    private (Tensor Output, Tensor H, Tensor? C) RunDirection(Tensor x, Tensor h, Tensor? c, Tensor[] w, bool reverse, Tensor[]? masks)
    {
        int steps = x.Size(0);
        var wIh = w[0];
        var wHh = w[1];
        var bIh = HasBias ? w[2] : null;
        var bHh = HasBias ? w[3] : null;
        if (HasCellState && UseFusedKernels && steps > 0 && FusedLstm.Supports(x, wIh, bIh, h, c!, wHh) && (bHh is null || bHh.DType == x.DType))
        {
            // Both biases in one (4H) vector; the node computes the (T, B, 4H) input projection itself,
            // as one 2-D product onto the bias rows.
            var bias = bIh is null ? null : bIh + bHh!;
            return FusedLstm.Run(x, wIh, bias, h, c!, wHh, reverse, masks);
        }
        var xProj = Tensor.Linear(x, wIh, bIh); // (T, B, G*H) in one product
        var outs = new Tensor[steps];
        Tensor? zeros = null;
        for (int s = 0; s < steps; s++)
        {
            int t = reverse ? steps - 1 - s : s;
            var (hn, cn) = Step(xProj.Select(0, t), h, c, wHh, bHh);
            if (masks is not null)
            {
                var m = masks[t];
                zeros ??= Tensor.Zeros(new[] { 1, 1 }, hn.DType, hn.Device);
                outs[t] = Tensor.Where(m, hn, zeros);
                h = Tensor.Where(m, hn, h);
                c = cn is null ? null : Tensor.Where(m, cn, c!);
            }
            else
            {
                outs[t] = hn;
                h = hn;
                c = cn;
            }
        }
        var output = steps == 0 ? Tensor.Zeros(new[] { 0, x.Size(1), HiddenSize }, x.DType, x.Device) : Tensor.Stack(outs, 0);
        return (output, h, c);
    }

    /// <inheritdoc />
    public override string ExtraRepr()
    {
        var s = $"{InputSize}, {HiddenSize}";
        if (NumLayers != 1)
        {
            s += $", num_layers={NumLayers}";
        }
        if (!HasBias)
        {
            s += ", bias=False";
        }
        if (BatchFirst)
        {
            s += ", batch_first=True";
        }
        if (DropoutP != 0)
        {
            s += $", dropout={DropoutP}";
        }
        if (Bidirectional)
        {
            s += ", bidirectional=True";
        }
        return s;
    }
}
