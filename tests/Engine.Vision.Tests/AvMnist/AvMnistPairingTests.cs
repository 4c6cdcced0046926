using Engine.Vision.AvMnist;
using NUnit.Framework;

namespace Engine.Vision.Tests.AvMnist;

public class AvMnistPairingTests
{
    private static List<FsddRecording> FakeFsdd(string[] speakers, int takes)
    {
        var list = new List<FsddRecording>();
        foreach (string s in speakers)
        {
            for (int d = 0; d < 10; d++)
            {
                for (int i = 0; i < takes; i++)
                {
                    list.Add(new FsddRecording(d, s, i, $"{d}_{s}_{i}.wav"));
                }
            }
        }

        return list;
    }

    [Test]
    public void Parse_ReadsFsddNames_AndRejectsOthers()
    {
        FsddRecording r = FsddRecording.Parse("/x/recordings/7_jackson_32.wav");
        Assert.That((r.Digit, r.Speaker, r.Index, r.FileName), Is.EqualTo((7, "jackson", 32, "7_jackson_32.wav")));
        foreach (string bad in new[] { "7_jackson.wav", "x_jackson_1.wav", "12_jackson_1.wav", "7__1.wav", "7_jackson_1.mp3", "-1_a_1.wav" })
        {
            var e = Assert.Throws<FormatException>(() => FsddRecording.Parse(bad), bad);
            Assert.That(e!.Message, Does.Contain(bad));
        }
    }

    [Test]
    public void Pairs_MatchLabels_UseOnlyAllowedSpeakers_AndSpreadEvenly()
    {
        List<FsddRecording> fsdd = FakeFsdd(["a", "b", "c"], 5);
        var rng = new Random(1);
        byte[] labels = Enumerable.Range(0, 2000).Select(_ => (byte)rng.Next(10)).ToArray();
        int[] pairs = AvMnistPairing.Pair(labels, fsdd, ["a", "c"], seed: 7);
        Assert.That(pairs, Has.Length.EqualTo(labels.Length));
        var uses = new Dictionary<int, int>();
        for (int i = 0; i < labels.Length; i++)
        {
            FsddRecording r = fsdd[pairs[i]];
            Assert.That(r.Digit, Is.EqualTo(labels[i]), $"pair {i}");
            Assert.That(r.Speaker, Is.Not.EqualTo("b"));
            uses[pairs[i]] = uses.GetValueOrDefault(pairs[i]) + 1;
        }

        for (int d = 0; d < 10; d++)
        {
            int[] counts = fsdd.Select((r, i) => (r, i)).Where(t => t.r.Digit == d && t.r.Speaker != "b")
                .Select(t => uses.GetValueOrDefault(t.i)).ToArray();
            Assert.That(counts, Has.Length.EqualTo(10));
            Assert.That(counts.Max() - counts.Min(), Is.LessThanOrEqualTo(1), $"digit {d}: every recording used about equally");
        }
    }

    [Test]
    public void Pairing_IsReproducible_AndSeedDependent()
    {
        List<FsddRecording> fsdd = FakeFsdd(["a", "b"], 8);
        byte[] labels = Enumerable.Range(0, 300).Select(i => (byte)(i % 10)).ToArray();
        int[] first = AvMnistPairing.Pair(labels, fsdd, ["a", "b"], 3);
        int[] again = AvMnistPairing.Pair(labels, fsdd, ["a", "b"], 3);
        int[] other = AvMnistPairing.Pair(labels, fsdd, ["a", "b"], 4);
        Assert.That(again, Is.EqualTo(first));
        Assert.That(other, Is.Not.EqualTo(first));
    }

    [Test]
    public void MissingDigit_OrUnknownLabel_Throws()
    {
        List<FsddRecording> fsdd = FakeFsdd(["a"], 2).Where(r => r.Digit != 4).ToList();
        var e = Assert.Throws<ArgumentException>(() => AvMnistPairing.Pair(new byte[] { 1, 4 }, fsdd, ["a"], 0));
        Assert.That(e!.Message, Does.Contain("label 4 at position 1"));
        Assert.Throws<ArgumentException>(() => AvMnistPairing.Pair(new byte[] { 10 }, fsdd, ["a"], 0));
        Assert.Throws<ArgumentException>(() => AvMnistPairing.Pair(new byte[] { 1 }, fsdd, ["zzz"], 0));
    }

    [Test]
    public void DefaultSpeakerSplit_IsDisjoint_AndCoversRealFsdd()
    {
        AvMnistPairing.CheckDisjoint(AvMnistPairing.TrainSpeakers, AvMnistPairing.TestSpeakers);
        Assert.Throws<ArgumentException>(() => AvMnistPairing.CheckDisjoint(["a", "b"], ["b"]));
        const string dir = "/work/shared/data/fsdd/recordings";
        if (!Directory.Exists(dir))
        {
            Assert.Ignore($"FSDD not found at {dir}");
        }

        IReadOnlyList<FsddRecording> all = FsddRecording.ListFolder(dir);
        Assert.That(all, Has.Count.EqualTo(3000));
        Assert.That(all.Select(r => r.Speaker).Distinct().Order(),
            Is.EqualTo(AvMnistPairing.TrainSpeakers.Concat(AvMnistPairing.TestSpeakers).Order()));
        byte[] labels = Enumerable.Range(0, 1000).Select(i => (byte)(i % 10)).ToArray();
        int[] test = AvMnistPairing.Pair(labels, all, AvMnistPairing.TestSpeakers, 1);
        Assert.That(test.Select(i => all[i].Speaker).Distinct().Order(), Is.EqualTo(new[] { "nicolas", "yweweler" }));
        Assert.That(test.Distinct().Count(), Is.EqualTo(1000), "1000 test images use each of the 1000 test recordings once");
    }
}
