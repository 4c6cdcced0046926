using Engine.Multimodal.Metrics;
using Engine.Multimodal.Training;

namespace Engine.Cli.Commands;

/// <summary>PNG plots of a run (placeholder until ScottPlot is wired).</summary>
internal static class TrainingPlots
{
    /// <summary>Training curves file name.</summary>
    public const string CurvesFile = "training_curves.png";

    /// <summary>Confusion matrix file name.</summary>
    public const string ConfusionFile = "confusion_matrix.png";

    /// <summary>Writes the plots.</summary>
    public static void Write(string dir, IReadOnlyList<EpochRecord> history, ClassificationMetrics? metrics)
    {
    }
}
