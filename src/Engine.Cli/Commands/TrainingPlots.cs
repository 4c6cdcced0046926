using Engine.Multimodal.Metrics;
using Engine.Multimodal.Training;
using ScottPlot;

namespace Engine.Cli.Commands;

/// <summary>
/// PNG plots of a run with ScottPlot: training curves and the confusion matrix. Text is drawn with the
/// DejaVu Sans font shipped in Fonts/ (without a font file ScottPlot's text silently vanishes on a bare system).
/// </summary>
internal static class TrainingPlots
{
    /// <summary>Training curves file name.</summary>
    public const string CurvesFile = "training_curves.png";

    /// <summary>Confusion matrix file name.</summary>
    public const string ConfusionFile = "confusion_matrix.png";

    private const string FontName = "DejaVu Sans";
    private static readonly object FontLock = new();
    private static bool _fontLoaded;

    /// <summary>Writes both plots into <paramref name="dir"/> (each atomically).</summary>
    public static void Write(string dir, IReadOnlyList<EpochRecord> history, ClassificationMetrics? metrics)
    {
        EnsureFont();
        if (history.Count > 0)
        {
            Save(Path.Combine(dir, CurvesFile), Curves(history), 900, 500);
        }
        if (metrics is not null)
        {
            Save(Path.Combine(dir, ConfusionFile), Confusion(metrics), 700, 620);
        }
    }

    /// <summary>Registers the shipped font once and makes it ScottPlot's default.</summary>
    public static void EnsureFont()
    {
        lock (FontLock)
        {
            if (_fontLoaded)
            {
                return;
            }
            var path = Path.Combine(AppContext.BaseDirectory, "Fonts", "DejaVuSans.ttf");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"plots: the shipped font '{path}' is missing (plot text would vanish)", path);
            }
            Fonts.AddFontFile(FontName, path);
            Fonts.Default = FontName;
            _fontLoaded = true;
        }
    }

    private static Plot Curves(IReadOnlyList<EpochRecord> history)
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        double[] x = history.Select(h => (double)h.Epoch).ToArray();
        var trainLoss = plot.Add.Scatter(x, history.Select(h => h.TrainLoss).ToArray());
        trainLoss.LegendText = "train loss (fused + aux)";
        var valLoss = plot.Add.Scatter(x, history.Select(h => h.ValLoss).ToArray());
        valLoss.LegendText = "validation loss";
        var trainAcc = plot.Add.Scatter(x, history.Select(h => h.TrainAccuracy).ToArray());
        trainAcc.LegendText = "train accuracy";
        var valAcc = plot.Add.Scatter(x, history.Select(h => h.ValAccuracy).ToArray());
        valAcc.LegendText = "validation accuracy";
        plot.Title("Training curves");
        plot.XLabel("epoch");
        plot.YLabel("loss / accuracy");
        plot.ShowLegend();
        return plot;
    }

    private static Plot Confusion(ClassificationMetrics m)
    {
        int n = m.Confusion.Length;
        var data = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                data[i, j] = m.Confusion[i][j];
            }
        }
        var plot = new Plot();
        plot.Font.Set(FontName);
        var heatmap = plot.Add.Heatmap(data);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap);
        double max = Math.Max(1, m.Confusion.Max(r => r.Max()));
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                // Row 0 of the heatmap is drawn at the top, at y = n - 1.
                var label = plot.Add.Text(m.Confusion[i][j].ToString(System.Globalization.CultureInfo.InvariantCulture), j, n - 1 - i);
                label.LabelFontColor = m.Confusion[i][j] > max * 0.6 ? Colors.Black : Colors.White;
                label.LabelFontSize = 14;
                label.LabelAlignment = Alignment.MiddleCenter;
            }
        }
        var ticks = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        var labels = m.PerClass.Select(c => c.Label).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, labels);
        plot.Axes.Left.SetTicks(ticks, labels.Reverse().ToArray());
        plot.Title(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Confusion matrix (accuracy {m.Accuracy:P1})"));
        plot.XLabel("predicted");
        plot.YLabel("true");
        return plot;
    }

    private static void Save(string path, Plot plot, int width, int height)
    {
        var bytes = plot.GetImageBytes(width, height, ImageFormat.Png);
        Engine.Nn.AtomicFile.Write(path, bytes);
    }
}
