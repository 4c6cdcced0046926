using Engine.Text.Sampling;
using Engine.Text.Vectors;

namespace Engine.Text.Tests;

/// <summary>
/// The small vectors table written by our saver (fixtures/word2vec/ours.txt and ours.bin), which
/// fixtures/word2vec/make_gensim_fixtures.py has gensim read back. Unicode words and awkward float
/// values (tiny, huge, negative zero, subnormal) make the round trip a real test.
/// </summary>
internal static class InteropFixtures
{
    public const int Dim = 16;

    public static WordVectors Ours()
    {
        var words = new List<string>
        {
            "the", "king", "queen", "man", "woman", "paris", "france", "rome", "italy", "don't",
            "café", "naïve", "東京", "Ελλάδα", "straße", "ﬁsh", "𝒜lpha", "mañana", "œuvre", "ümlaut",
        };
        for (int i = 0; i < 40; i++)
        {
            words.Add($"word{i}");
        }
        var rng = new FastRandom(20240607);
        var data = new float[words.Count * Dim];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (rng.NextSingle() - 0.5f) * 2f;
        }
        // Edge values in the first rows.
        data[0] = 1e-30f;
        data[1] = -3.4e38f;
        data[2] = -0.0f;
        data[3] = 1.4e-45f;
        data[4] = 0.1f;
        data[5] = 123456.789f;
        return new WordVectors(words, Dim, data);
    }
}

/// <summary>
/// The committed "ours" fixtures (which gensim reads in make_gensim_fixtures.py) must be exactly
/// what the writer produces today, so the interop check covers the current format code. To
/// regenerate after a deliberate format change, copy the files this test writes to its temp folder
/// into fixtures/word2vec and rerun make_gensim_fixtures.py.
/// </summary>
[TestFixture]
public class OursFixturesAreCurrent
{
    [TestCase("ours.txt", VectorFileFormat.Text)]
    [TestCase("ours.bin", VectorFileFormat.Binary)]
    public void CommittedFileMatchesTheWriterByteForByte(string name, VectorFileFormat format)
    {
        var dir = Path.Combine(Path.GetTempPath(), "engine-w2v-fixtures-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var written = Path.Combine(dir, name);
            Word2VecFormat.Save(InteropFixtures.Ours(), written, format);
            var committed = Path.Combine(TestPaths.SourceFixtures, name);
            Assert.That(File.ReadAllBytes(written), Is.EqualTo(File.ReadAllBytes(committed)),
                $"{committed} differs from what Word2VecFormat writes now; see this class's summary to regenerate it");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
