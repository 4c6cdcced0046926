using System.Globalization;
using System.Text;
using Engine.Vision;
using Engine.Vision.AvMnist;
using Engine.Vision.Mnist;
using MakeSampleData;

// Builds the built-in trimodal digits sample: MNIST image + FSDD recording of the same digit + noisy text.
// Usage: dotnet run --project tools/make_sample_data -- [--data DIR] [--out DIR] [--seed N]
string data = "/work/shared/data";
string output = "src/Engine.Cli/SampleData";
int seed = 8;
for (int a = 0; a < args.Length; a++)
{
    string Next() => a + 1 < args.Length ? args[++a] : throw new ArgumentException($"make_sample_data: {args[a]} needs a value.");
    switch (args[a])
    {
        case "--data": data = Next(); break;
        case "--out": output = Next(); break;
        case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        default: throw new ArgumentException($"make_sample_data: unknown argument '{args[a]}'.");
    }
}

const int TrainPerSpeakerDigit = 15; // 4 speakers x 10 digits x 15 = 600
const int TestPerSpeakerDigit = 10;  // 2 speakers x 10 digits x 10 = 200

var rng = new Random(seed);
IReadOnlyList<FsddRecording> fsdd = FsddRecording.ListFolder(Path.Combine(data, "fsdd", "recordings"));
(MnistImages trainImages, byte[] trainLabels) = MnistReader.ReadSet(Path.Combine(data, "mnist"), "train10k");
(MnistImages testImages, byte[] testLabels) = MnistReader.ReadSet(Path.Combine(data, "mnist"), "t10k");
AvMnistPairing.CheckDisjoint(AvMnistPairing.TrainSpeakers, AvMnistPairing.TestSpeakers);

foreach (string sub in new[] { "images", "audio" })
{
    string dir = Path.Combine(output, sub);
    if (Directory.Exists(dir))
    {
        Directory.Delete(dir, recursive: true);
    }

    Directory.CreateDirectory(dir);
}

var stats = new StringBuilder();
Build("train", AvMnistPairing.TrainSpeakers, TrainPerSpeakerDigit, trainImages, trainLabels);
Build("test", AvMnistPairing.TestSpeakers, TestPerSpeakerDigit, testImages, testLabels);
Console.Write(stats.ToString());

void Build(string split, IReadOnlyList<string> speakers, int perSpeakerDigit, MnistImages images, byte[] labels)
{
    // Recordings: perSpeakerDigit random takes of every digit by every speaker of this split.
    var chosenAudio = new List<FsddRecording>();
    foreach (string speaker in speakers)
    {
        for (int d = 0; d < 10; d++)
        {
            List<FsddRecording> takes = fsdd.Where(r => r.Speaker == speaker && r.Digit == d).ToList();
            chosenAudio.AddRange(Shuffled(takes).Take(perSpeakerDigit));
        }
    }

    // Images: as many random MNIST images of each digit as there are recordings of it.
    var imagePools = Enumerable.Range(0, 10)
        .Select(d => new Queue<int>(Shuffled(Enumerable.Range(0, labels.Length).Where(i => labels[i] == d).ToList())))
        .ToArray();

    var rows = new List<string>();
    var kinds = new Dictionary<NoisyDigitText.Kind, int>();
    int n = 0;
    foreach (FsddRecording rec in Shuffled(chosenAudio))
    {
        n++;
        string id = $"{split}_{n:D4}";
        int imageIndex = imagePools[rec.Digit].Dequeue();
        string imagePath = $"images/{id}.png";
        ImageWriter.SavePng(images.GetImage(imageIndex), Path.Combine(output, imagePath));
        string audioPath = $"audio/{rec.FileName}";
        File.Copy(Path.Combine(data, "fsdd", "recordings", rec.FileName), Path.Combine(output, audioPath), overwrite: true);
        (string text, NoisyDigitText.Kind kind) = NoisyDigitText.Generate(rec.Digit, rng);
        kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        rows.Add($"{id},{rec.Digit},{imagePath},{audioPath},{Quote(text)}");
    }

    WriteAtomically(Path.Combine(output, $"{split}.csv"), "id,label,image,audio,text\n" + string.Join("\n", rows) + "\n");
    string kindList = string.Join(", ", kinds.OrderBy(k => k.Key).Select(k => $"{k.Key}={k.Value}"));
    stats.AppendLine($"{split}: {rows.Count} samples, speakers {string.Join(", ", speakers)}; text kinds {kindList}");
}

List<T> Shuffled<T>(IList<T> items)
{
    var list = items.ToList();
    for (int i = list.Count - 1; i > 0; i--)
    {
        int j = rng.Next(i + 1);
        (list[i], list[j]) = (list[j], list[i]);
    }

    return list;
}

static string Quote(string text) => "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

static void WriteAtomically(string path, string content)
{
    string temp = path + ".tmp";
    File.WriteAllText(temp, content, new UTF8Encoding(false));
    File.Move(temp, path, overwrite: true);
}
