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

/// <summary>Regenerates the committed "ours" fixtures; run by hand, then run make_gensim_fixtures.py.</summary>
[TestFixture]
[Explicit("Writes into the source tree; run only to regenerate fixtures.")]
public class RegenerateFixtures
{
    [Test]
    public void WriteOursFixtures()
    {
        var dir = TestPaths.SourceFixtures;
        var v = InteropFixtures.Ours();
        Word2VecFormat.Save(v, Path.Combine(dir, "ours.txt"), VectorFileFormat.Text);
        Word2VecFormat.Save(v, Path.Combine(dir, "ours.bin"), VectorFileFormat.Binary);
        Assert.That(File.Exists(Path.Combine(dir, "ours.bin")), Is.True);
    }
}
