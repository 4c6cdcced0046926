using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engine.Multimodal.Metrics;

/// <summary>Precision, recall, F1 and support of one class.</summary>
/// <param name="Label">The class label.</param>
/// <param name="Precision">TP / (TP + FP), 0 when nothing was predicted as this class.</param>
/// <param name="Recall">TP / (TP + FN), 0 when the class has no samples.</param>
/// <param name="F1">2PR / (P + R), 0 when both are 0.</param>
/// <param name="Support">Samples whose true class this is.</param>
public sealed record ClassMetrics(string Label, double Precision, double Recall, double F1, int Support);

/// <summary>
/// Accuracy, per-class and macro precision/recall/F1 (macro = unweighted mean over classes, zero-division as 0
/// like scikit-learn's default) and the confusion matrix (rows = true class, columns = predicted class).
/// </summary>
public sealed class ClassificationMetrics
{
    /// <summary>Number of samples.</summary>
    public int Count { get; init; }

    /// <summary>Fraction classified correctly.</summary>
    public double Accuracy { get; init; }

    /// <summary>Mean precision over classes.</summary>
    public double MacroPrecision { get; init; }

    /// <summary>Mean recall over classes.</summary>
    public double MacroRecall { get; init; }

    /// <summary>Mean F1 over classes.</summary>
    public double MacroF1 { get; init; }

    /// <summary>Per-class figures, in class order.</summary>
    public required IReadOnlyList<ClassMetrics> PerClass { get; init; }

    /// <summary>Confusion[true][predicted] counts.</summary>
    public required int[][] Confusion { get; init; }

    /// <summary>Computes the metrics of predictions against true classes (both class indices into <paramref name="labels"/>).</summary>
    public static ClassificationMetrics Compute(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, IReadOnlyList<string> labels)
    {
        if (truth.Count != predicted.Count)
        {
            throw new ArgumentException($"ClassificationMetrics: {truth.Count} true labels but {predicted.Count} predictions");
        }
        int c = labels.Count;
        var confusion = Enumerable.Range(0, c).Select(_ => new int[c]).ToArray();
        int correct = 0;
        for (int i = 0; i < truth.Count; i++)
        {
            if ((uint)truth[i] >= (uint)c || (uint)predicted[i] >= (uint)c)
            {
                throw new ArgumentException($"ClassificationMetrics: class index out of range at position {i} (true {truth[i]}, predicted {predicted[i]}, {c} classes)");
            }
            confusion[truth[i]][predicted[i]]++;
            if (truth[i] == predicted[i])
            {
                correct++;
            }
        }
        var per = new List<ClassMetrics>(c);
        for (int k = 0; k < c; k++)
        {
            int tp = confusion[k][k];
            int support = confusion[k].Sum();
            int predictedK = confusion.Sum(row => row[k]);
            double p = predictedK == 0 ? 0 : (double)tp / predictedK;
            double r = support == 0 ? 0 : (double)tp / support;
            double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
            per.Add(new ClassMetrics(labels[k], p, r, f, support));
        }
        return new ClassificationMetrics
        {
            Count = truth.Count,
            Accuracy = truth.Count == 0 ? 0 : (double)correct / truth.Count,
            MacroPrecision = c == 0 ? 0 : per.Average(m => m.Precision),
            MacroRecall = c == 0 ? 0 : per.Average(m => m.Recall),
            MacroF1 = c == 0 ? 0 : per.Average(m => m.F1),
            PerClass = per,
            Confusion = confusion,
        };
    }
}

/// <summary>JSON options shared by the files of a model folder.</summary>
public static class JsonFiles
{
    /// <summary>Indented camelCase JSON.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Serialises <paramref name="value"/> and writes it atomically (temporary name, then rename).</summary>
    public static void Write<T>(string path, T value) => Engine.Nn.AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(value, Options));

    /// <summary>Reads a JSON file, naming it in the error when it is malformed.</summary>
    public static T Read<T>(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' does not exist", path);
        }
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), Options) ?? throw new InvalidDataException($"'{path}' holds null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON for {typeof(T).Name}: {e.Message}", e);
        }
    }
}
