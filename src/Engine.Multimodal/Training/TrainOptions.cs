using Engine.Multimodal.Model;

namespace Engine.Multimodal.Training;

/// <summary>Settings of a training run.</summary>
public sealed class TrainOptions
{
    /// <summary>The training manifest.</summary>
    public required string TrainManifest { get; init; }

    /// <summary>An optional held-out test manifest, evaluated with the best checkpoint at the end.</summary>
    public string? TestManifest { get; init; }

    /// <summary>The model folder.</summary>
    public required string OutDir { get; init; }

    /// <summary>The architecture.</summary>
    public ModelConfig Model { get; init; } = new();

    /// <summary>Maximum epochs.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate.</summary>
    public double Lr { get; init; } = 2e-3;

    /// <summary>AdamW weight decay.</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Fraction of the training manifest held out for validation (stratified by class).</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Stop after this many epochs without a better validation accuracy.</summary>
    public int Patience { get; init; } = 6;

    /// <summary>The one seed: parameter init, validation split, shuffling, dropout.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Stop at the first bad manifest row instead of skipping it.</summary>
    public bool Strict { get; init; }

    /// <summary>Optional Word2Vec vectors (text or binary word2vec format) that initialise the text encoder's word rows.</summary>
    public string? WordVectors { get; init; }

    /// <summary>Where the model and every batch live during training (the CPU by default).</summary>
    public Device Device { get; init; } = Device.Cpu;

    /// <summary>
    /// Decode the samples from their files batch by batch in the loader's background thread every epoch instead of
    /// holding the decoded data set in memory (for data sets larger than memory).
    /// </summary>
    public bool Streaming { get; init; }

    /// <summary>Continue from the folder's last checkpoint.</summary>
    public bool Resume { get; init; }

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        if (Epochs <= 0)
        {
            throw new ArgumentException($"train: --epochs must be positive, got {Epochs}");
        }
        if (BatchSize <= 0)
        {
            throw new ArgumentException($"train: --batch must be positive, got {BatchSize}");
        }
        if (!(Lr > 0) || double.IsInfinity(Lr))
        {
            throw new ArgumentException($"train: --lr must be a positive number, got {Lr}");
        }
        if (ValidationFraction < 0 || ValidationFraction >= 0.9)
        {
            throw new ArgumentException($"train: validation fraction must be in [0, 0.9), got {ValidationFraction}");
        }
    }
}

/// <summary>One epoch's figures.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Lr">Learning rate used.</param>
/// <param name="TrainLoss">Mean training loss (fused + auxiliary).</param>
/// <param name="TrainAccuracy">Training accuracy of the fused head.</param>
/// <param name="ValLoss">Validation cross-entropy of the fused head.</param>
/// <param name="ValAccuracy">Validation accuracy.</param>
/// <param name="ValMacroF1">Validation macro F1.</param>
/// <param name="Seconds">Wall time of the epoch.</param>
public sealed record EpochRecord(int Epoch, double Lr, double TrainLoss, double TrainAccuracy, double ValLoss, double ValAccuracy, double ValMacroF1, double Seconds);

/// <summary>Where a run stands; stored in the checkpoint so --resume continues exactly.</summary>
public sealed class TrainingState
{
    /// <summary>Epochs completed.</summary>
    public int Epoch { get; set; }

    /// <summary>Optimizer steps taken.</summary>
    public long Step { get; set; }

    /// <summary>Epoch of the best checkpoint (0: none yet).</summary>
    public int BestEpoch { get; set; }

    /// <summary>Validation accuracy of the best checkpoint.</summary>
    public double BestValAccuracy { get; set; } = -1;

    /// <summary>Validation loss of the best checkpoint.</summary>
    public double BestValLoss { get; set; } = double.PositiveInfinity;

    /// <summary>Epochs since the best one.</summary>
    public int EpochsWithoutImprovement { get; set; }

    /// <summary>Whether early stopping ended the run.</summary>
    public bool Stopped { get; set; }

    /// <summary>Per-epoch history.</summary>
    public List<EpochRecord> History { get; set; } = new();
}
