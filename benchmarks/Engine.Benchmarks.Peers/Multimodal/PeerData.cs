extern alias engine;

using System.Globalization;
using MData = engine::Engine.Multimodal.Data;

namespace Engine.Benchmarks.Peers.Multimodal;

/// <summary>
/// The data of one comparison, decoded once by Engine.Multimodal's own loader (the code `engine train` runs), so
/// both engines see the same preprocessed samples: the fitted preprocessing, the training manifest's samples and
/// the test manifest's samples.
/// </summary>
public sealed class PeerData
{
    private PeerData(MData.Preprocessing prep, MData.MultimodalDataset all, MData.MultimodalDataset test, MData.Modality used)
    {
        Prep = prep;
        All = all;
        Test = test;
        Used = used;
    }

    /// <summary>Preprocessing fitted on the training manifest.</summary>
    public MData.Preprocessing Prep { get; }

    /// <summary>Every training-manifest sample (split into training and validation per seed, as the trainer does).</summary>
    public MData.MultimodalDataset All { get; }

    /// <summary>The test manifest's samples.</summary>
    public MData.MultimodalDataset Test { get; }

    /// <summary>The modalities used.</summary>
    public MData.Modality Used { get; }

    /// <summary>Loads both manifests with Engine.Multimodal's loader.</summary>
    public static PeerData Load(string trainManifest, string testManifest, MData.Modality used)
    {
        var manifest = MData.Manifest.Load(trainManifest, used, strict: false);
        var (prep, all) = MData.DatasetBuilder.FitAndLoad(manifest, used, false);
        var testManifestRows = MData.Manifest.Load(testManifest, used, prep.Labels, false);
        var test = MData.DatasetBuilder.Load(testManifestRows, prep, false);
        return new PeerData(prep, all, test, used);
    }

    /// <summary>The machine's 1-minute load average (from /proc/loadavg), or NaN.</summary>
    public static double LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(text, CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }
}
