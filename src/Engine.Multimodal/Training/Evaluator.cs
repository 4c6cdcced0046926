using Engine.Autograd;
using Engine.Multimodal.Data;
using Engine.Multimodal.Metrics;
using Engine.Multimodal.Model;

namespace Engine.Multimodal.Training;

/// <summary>Predictions of a model on a dataset.</summary>
/// <param name="Ids">Sample ids, in dataset order.</param>
/// <param name="Truth">True class indices.</param>
/// <param name="Predicted">Predicted class indices.</param>
/// <param name="Loss">Mean cross-entropy of the fused head.</param>
/// <param name="Joint">Joint embeddings (N rows of D), when asked for.</param>
/// <param name="Probabilities">Class probabilities (N rows of C), when asked for.</param>
public sealed record Predictions(string[] Ids, int[] Truth, int[] Predicted, double Loss, float[][]? Joint, float[][]? Probabilities);

/// <summary>Runs a model over a dataset without gradients.</summary>
public static class Evaluator
{
    /// <summary>Predicts every sample of <paramref name="data"/>.</summary>
    public static Predictions Predict(MultimodalNet net, ISampleSource data, Preprocessing prep, int batchSize = 64, bool keepOutputs = false, Action<int, int>? progress = null)
    {
        bool wasTraining = net.Training;
        net.Eval();
        var loader = new BatchLoader(data, prep, net.Config.Used, batchSize, shuffle: false, seed: 0, textTokens: net.Config.UsesTextTokens);
        var ids = new List<string>();
        var truth = new List<int>();
        var pred = new List<int>();
        var joint = keepOutputs ? new List<float[]>() : null;
        var probs = keepOutputs ? new List<float[]>() : null;
        double lossSum = 0;
        int done = 0;
        var device = net.Device;
        try
        {
            using var noGrad = GradMode.NoGrad();
            Tensor lossAcc;
            using (TensorScopeOutside.Begin())
            {
                lossAcc = Tensor.Zeros(Array.Empty<int>(), DType.Float32, device);
            }
            using var ownedAcc = lossAcc;
            foreach (var bd in loader.Epoch(0))
            {
                using var scope = TensorScope.Begin();
                var batch = bd.ToTensors(prep, device);
                var output = net.Forward(batch);
                // Summed on the device; the predictions are the one read per batch.
                lossAcc.AddInPlace(Functional.CrossEntropy(output.Logits, batch.Labels, reduction: Functional.Reduction.Sum));
                var argmax = output.Logits.ArgMax(1).ToArray<long>();
                ids.AddRange(bd.Ids);
                truth.AddRange(bd.Labels.Select(l => (int)l));
                pred.AddRange(argmax.Select(a => (int)a));
                if (keepOutputs)
                {
                    AddRows(joint!, output.Joint);
                    AddRows(probs!, output.Logits.Softmax(1));
                }
                done += bd.Size;
                progress?.Invoke(done, data.Count);
            }
            lossSum = ids.Count == 0 ? 0 : lossAcc.Item();
            if (done < data.Count)
            {
                // Rows that became unreadable while streaming were left out; the pass is still complete.
                progress?.Invoke(data.Count, data.Count);
            }
        }
        finally
        {
            net.Train(wasTraining);
        }
        return new Predictions(ids.ToArray(), truth.ToArray(), pred.ToArray(), ids.Count == 0 ? double.NaN : lossSum / ids.Count, joint?.ToArray(), probs?.ToArray());
    }

    /// <summary>Metrics of predictions.</summary>
    public static ClassificationMetrics Metrics(Predictions p, Preprocessing prep) => ClassificationMetrics.Compute(p.Truth, p.Predicted, prep.Labels);

    private static void AddRows(List<float[]> rows, Tensor t)
    {
        var data = t.Contiguous().ToArray<float>();
        int cols = t.Size(1);
        for (int r = 0; r < t.Size(0); r++)
        {
            rows.Add(data.AsSpan(r * cols, cols).ToArray());
        }
    }
}
