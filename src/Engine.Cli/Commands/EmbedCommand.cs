using System.CommandLine;
using System.Globalization;
using System.Text;
using Engine.Multimodal.Training;

namespace Engine.Cli.Commands;

/// <summary><c>engine embed</c>: the joint embedding of every sample of a manifest, as CSV.</summary>
internal static class EmbedCommand
{
    /// <summary>The command.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A model folder written by engine train.", Required = true };
        var data = new Option<string>("--data") { Description = "Manifest to embed (CSV id,label,image,audio,text).", Required = true };
        var output = new Option<string>("--out") { Description = "CSV to write: id,label,predicted,e0..e(D-1).", Required = true };
        var strict = new Option<bool>("--strict") { Description = "Stop at the first bad manifest row instead of reporting and skipping it." };
        var device = DeviceChoice.Option();
        var command = new Command("embed", "Write the joint (fused) embedding of every sample of a manifest to a CSV file.");
        foreach (var o in new Option[] { model, data, device, output, strict })
        {
            command.Options.Add(o);
        }
        command.SetAction(parse => CliRun.Guard(() =>
        {
            var (net, config) = ModelFolder.LoadModel(parse.GetValue(model)!, DeviceChoice.Resolve(parse.GetValue(device)!));
            var prep = config.Preprocessing;
            using var dataset = EvalCommand.LoadData(parse.GetValue(data)!, config, parse.GetValue(strict));
            int reported = dataset.Problems.Count;
            var p = ProgressDisplay.Run("embedding", report => Evaluator.Predict(net, dataset, prep, keepOutputs: true, progress: report));
            EvalCommand.ReportSkipped(dataset, reported);
            string path = parse.GetValue(output)!;
            var sb = new StringBuilder();
            int dim = config.Model.Dim;
            sb.Append("id,label,predicted");
            for (int j = 0; j < dim; j++)
            {
                sb.Append(",e").Append(j.ToString(CultureInfo.InvariantCulture));
            }
            sb.Append('\n');
            for (int i = 0; i < p.Ids.Length; i++)
            {
                sb.Append(Quote(p.Ids[i])).Append(',').Append(Quote(prep.Labels[p.Truth[i]])).Append(',').Append(Quote(prep.Labels[p.Predicted[i]]));
                foreach (var v in p.Joint![i])
                {
                    sb.Append(',').Append(v.ToString("R", CultureInfo.InvariantCulture));
                }
                sb.Append('\n');
            }
            Engine.Nn.AtomicFile.Write(path, new UTF8Encoding(false).GetBytes(sb.ToString()));
            Console.WriteLine($"saved: {p.Ids.Length} embeddings of dimension {dim} to {path}");
        }));
        return command;
    }

    private static string Quote(string s) => s.IndexOfAny(new[] { ',', '"', '\n', '\r' }) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
