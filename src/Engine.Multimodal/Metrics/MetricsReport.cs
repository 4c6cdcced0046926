using Engine.Multimodal.Training;

namespace Engine.Multimodal.Metrics;

/// <summary>What metrics.json holds.</summary>
public sealed class MetricsReport
{
    /// <summary>Modalities used.</summary>
    public string Modalities { get; set; } = "";

    /// <summary>Fusion kind.</summary>
    public string Fusion { get; set; } = "";

    /// <summary>Seed.</summary>
    public ulong Seed { get; set; }

    /// <summary>Epochs run.</summary>
    public int Epochs { get; set; }

    /// <summary>Epoch of the saved (best) model.</summary>
    public int BestEpoch { get; set; }

    /// <summary>Whether early stopping ended the run.</summary>
    public bool EarlyStopped { get; set; }

    /// <summary>Wall time in seconds.</summary>
    public double Seconds { get; set; }

    /// <summary>Class labels.</summary>
    public string[] Labels { get; set; } = Array.Empty<string>();

    /// <summary>Metrics of the best model on the validation split.</summary>
    public ClassificationMetrics? Validation { get; set; }

    /// <summary>Metrics of the best model on the test manifest.</summary>
    public ClassificationMetrics? Test { get; set; }

    /// <summary>Per-epoch history.</summary>
    public List<EpochRecord> History { get; set; } = new();

    /// <summary>Rows skipped, as "file:line (id): reason".</summary>
    public List<string> Skipped { get; set; } = new();

    /// <summary>The report of a training run.</summary>
    public static MetricsReport From(TrainResult r, TrainOptions o) => new()
    {
        Modalities = o.Model.Modalities,
        Fusion = o.Model.Fusion,
        Seed = o.Seed,
        Epochs = r.State.Epoch,
        BestEpoch = r.State.BestEpoch,
        EarlyStopped = r.State.Stopped,
        Seconds = r.Seconds,
        Labels = r.Labels,
        Validation = r.Validation,
        Test = r.Test,
        History = r.State.History,
        Skipped = r.Skipped.Select(s => s.ToString()).ToList(),
    };
}
