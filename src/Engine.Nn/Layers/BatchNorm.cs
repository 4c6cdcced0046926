using Engine.Autograd;

namespace Engine.Nn;

/// <summary>
/// Batch normalisation over channel dim 1 (torch.nn.BatchNorm1d/2d): batch statistics in training
/// (updating running_mean/running_var with momentum and counting num_batches_tracked), running
/// statistics in eval. Weight ones, bias zeros, running_mean zeros, running_var ones.
/// </summary>
public abstract class BatchNormBase : Module<Tensor, Tensor>
{
    private readonly int[] _ranks;

    /// <summary>Registers the parameters and buffers; <paramref name="ranks"/> are the accepted input ranks.</summary>
    protected BatchNormBase(int numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats, DType? dtype, params int[] ranks)
    {
        if (numFeatures <= 0)
        {
            throw new ArgumentException($"{GetType().Name}: num_features must be positive, got {numFeatures}");
        }
        _ranks = ranks;
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        Weight = RegisterParameter("weight", affine ? Persistent(() => Tensor.Ones(new[] { numFeatures }, dtype)) : null);
        Bias = RegisterParameter("bias", affine ? Persistent(() => Tensor.Zeros(new[] { numFeatures }, dtype)) : null);
        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Persistent(() => Tensor.Zeros(new[] { numFeatures }, dtype)));
            RunningVar = RegisterBuffer("running_var", Persistent(() => Tensor.Ones(new[] { numFeatures }, dtype)));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Persistent(() => Tensor.Zeros(ReadOnlySpan<int>.Empty, DType.Int64)));
        }
    }

    /// <summary>Channels.</summary>
    public int NumFeatures { get; }

    /// <summary>Added to the variance.</summary>
    public double Eps { get; }

    /// <summary>Running-statistics momentum; null means a cumulative average (1 / num_batches_tracked).</summary>
    public double? Momentum { get; }

    /// <summary>Scale (or null).</summary>
    public Tensor? Weight { get; }

    /// <summary>Shift (or null).</summary>
    public Tensor? Bias { get; }

    /// <summary>Running mean (or null).</summary>
    public Tensor? RunningMean { get; }

    /// <summary>Running unbiased variance (or null).</summary>
    public Tensor? RunningVar { get; }

    /// <summary>Number of training batches seen (Int64 scalar, or null).</summary>
    public Tensor? NumBatchesTracked { get; }

    // A host copy of NumBatchesTracked, so a training step on a GPU does not wait to read it back; it is re-read
    // whenever its storage or version shows someone else wrote it (a loaded state dict, a move to another device).
    private long _seen;
    private Storage? _seenStorage;
    private int _seenVersion;

    private long BatchesSeen()
    {
        var storage = NumBatchesTracked!.Storage;
        if (!ReferenceEquals(storage, _seenStorage) || storage.Version != _seenVersion)
        {
            _seen = (long)NumBatchesTracked.Item();
            _seenStorage = storage;
            _seenVersion = storage.Version;
        }
        return _seen;
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        if (!_ranks.Contains(input.Dim))
        {
            throw new ArgumentException($"{GetType().Name}: expected {string.Join(" or ", _ranks)}-D input, got {input.Dim}-D input of shape {Shapes.Of(input)}");
        }
        double momentum = Momentum ?? 0;
        if (Training && NumBatchesTracked is not null)
        {
            using var noGrad = GradMode.NoGrad();
            double seen = BatchesSeen() + 1;
            NumBatchesTracked.Fill_(seen);
            _seen = (long)seen;
            _seenStorage = NumBatchesTracked.Storage;
            _seenVersion = NumBatchesTracked.Storage.Version;
            if (Momentum is null)
            {
                momentum = 1 / seen;
            }
        }
        bool useBatchStats = Training || RunningMean is null;
        return Functional.BatchNorm(input, Training || !useBatchStats ? RunningMean : null, Training || !useBatchStats ? RunningVar : null,
            Weight, Bias, useBatchStats, momentum, Eps);
    }

    /// <inheritdoc />
    public override string ExtraRepr()
        => $"{NumFeatures}, eps={Shapes.PyFloat(Eps)}, momentum={(Momentum is double m ? Shapes.PyFloat(m) : "None")}, affine={(Weight is not null ? "True" : "False")}, track_running_stats={(RunningMean is not null ? "True" : "False")}";
}

/// <summary>Batch norm over (N, C) or (N, C, L).</summary>
public sealed class BatchNorm1d : BatchNormBase
{
    /// <summary>Creates the layer.</summary>
    public BatchNorm1d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true, DType? dtype = null)
        : base(numFeatures, eps, momentum, affine, trackRunningStats, dtype, 2, 3)
    {
    }
}

/// <summary>Batch norm over (N, C, H, W).</summary>
public sealed class BatchNorm2d : BatchNormBase
{
    /// <summary>Creates the layer.</summary>
    public BatchNorm2d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true, DType? dtype = null)
        : base(numFeatures, eps, momentum, affine, trackRunningStats, dtype, 4)
    {
    }
}
