namespace Engine.Nn;

/// <summary>Parameters shared by <see cref="LSTMCell"/> and <see cref="GRUCell"/> (weight_ih, weight_hh, bias_ih, bias_hh).</summary>
public abstract class RnnCellBase : Module
{
    /// <summary>Registers the parameters, U(-1/sqrt(H), 1/sqrt(H)).</summary>
    protected RnnCellBase(int gates, int inputSize, int hiddenSize, bool bias, Generator? generator, DType? dtype)
    {
        if (inputSize <= 0 || hiddenSize <= 0)
        {
            throw new ArgumentException($"{GetType().Name}: input_size ({inputSize}) and hidden_size ({hiddenSize}) must be positive");
        }
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        WeightIh = RegisterParameter("weight_ih", Persistent(() => Tensor.Empty(new[] { gates * hiddenSize, inputSize }, dtype)))!;
        WeightHh = RegisterParameter("weight_hh", Persistent(() => Tensor.Empty(new[] { gates * hiddenSize, hiddenSize }, dtype)))!;
        BiasIh = RegisterParameter("bias_ih", bias ? Persistent(() => Tensor.Empty(new[] { gates * hiddenSize }, dtype)) : null);
        BiasHh = RegisterParameter("bias_hh", bias ? Persistent(() => Tensor.Empty(new[] { gates * hiddenSize }, dtype)) : null);
        double bound = 1 / Math.Sqrt(hiddenSize);
        foreach (var p in Parameters())
        {
            Init.Uniform_(p, -bound, bound, generator);
        }
    }

    /// <summary>Input features.</summary>
    public int InputSize { get; }

    /// <summary>Hidden features.</summary>
    public int HiddenSize { get; }

    /// <summary>Input weights (G*H, in).</summary>
    public Tensor WeightIh { get; }

    /// <summary>Hidden weights (G*H, H).</summary>
    public Tensor WeightHh { get; }

    /// <summary>Input bias or null.</summary>
    public Tensor? BiasIh { get; }

    /// <summary>Hidden bias or null.</summary>
    public Tensor? BiasHh { get; }

    /// <summary>Checks the input (B, in) or (in) and returns it batched.</summary>
    protected Tensor Batched(Tensor input, out bool unbatched)
    {
        unbatched = input.Dim == 1;
        if ((input.Dim != 1 && input.Dim != 2) || input.Size(-1) != InputSize)
        {
            throw new ArgumentException($"{GetType().Name}: expected input (batch, {InputSize}) or ({InputSize}), got {Shapes.Of(input)}");
        }
        return unbatched ? input.Unsqueeze(0) : input;
    }

    /// <summary>A given state batched, or zeros.</summary>
    protected Tensor State(Tensor? s, Tensor x, bool unbatched, string name)
    {
        if (s is null)
        {
            return Tensor.Zeros(new[] { x.Size(0), HiddenSize }, x.DType, x.Device);
        }
        var b = unbatched ? s.Unsqueeze(0) : s;
        if (!b.Shape.SequenceEqual(new[] { x.Size(0), HiddenSize }))
        {
            throw new ArgumentException($"{GetType().Name}: {name} has shape {Shapes.Of(s)}, expected ({x.Size(0)}, {HiddenSize})");
        }
        return b;
    }

    /// <inheritdoc />
    public override string ExtraRepr() => $"{InputSize}, {HiddenSize}" + (BiasIh is null ? ", bias=False" : "");
}

/// <summary>One LSTM step (torch.nn.LSTMCell).</summary>
public sealed class LSTMCell : RnnCellBase
{
    /// <summary>Creates the cell.</summary>
    public LSTMCell(int inputSize, int hiddenSize, bool bias = true, Generator? generator = null, DType? dtype = null)
        : base(4, inputSize, hiddenSize, bias, generator, dtype)
    {
    }

    /// <summary>Input (B, in) and optional state (h, c) (B, H) each; returns (h', c').</summary>
    public (Tensor H, Tensor C) Forward(Tensor input, (Tensor H, Tensor C)? state = null)
    {
        var x = Batched(input, out bool unbatched);
        var h = State(state?.H, x, unbatched, "h");
        var c = State(state?.C, x, unbatched, "c");
        // The summed pre-activations, then the fused cell (one op on every device).
        var gates = Tensor.Linear(x, WeightIh, BiasIh) + Tensor.Linear(h, WeightHh, BiasHh);
        var (hn, cn) = Functional.LstmCell(gates, c);
        return unbatched ? (hn.Squeeze(0), cn.Squeeze(0)) : (hn, cn);
    }
}

/// <summary>One GRU step (torch.nn.GRUCell).</summary>
public sealed class GRUCell : RnnCellBase
{
    /// <summary>Creates the cell.</summary>
    public GRUCell(int inputSize, int hiddenSize, bool bias = true, Generator? generator = null, DType? dtype = null)
        : base(3, inputSize, hiddenSize, bias, generator, dtype)
    {
    }

    /// <summary>Input (B, in) and optional h (B, H); returns h'.</summary>
    public Tensor Forward(Tensor input, Tensor? h = null)
    {
        var x = Batched(input, out bool unbatched);
        var hb = State(h, x, unbatched, "h");
        var hn = CellMath.Gru(Tensor.Linear(x, WeightIh, BiasIh), hb, WeightHh, BiasHh);
        return unbatched ? hn.Squeeze(0) : hn;
    }
}
