using Engine.Text.Evaluation;
using Engine.Text.Vectors;

namespace Engine.Text.Tests;

public class QueryTests
{
    // Axes: royalty, gender (+ male, - female), fruitiness. Rows ordered as "frequency".
    private static WordVectors Space() => new(
        ["man", "woman", "king", "queen", "prince", "apple", "pear", "zebra"], 3,
        [
            0, 1, 0.2f,
            0, -1, 0.2f,
            1, 1, 0.1f,
            1, -1, 0.1f,
            0.8f, 0.7f, 0.6f,
            0, 0.1f, 1,
            0.05f, -0.1f, 1,
            -1, 0, 0,
        ]);

    [Test]
    public void AnalogyArithmeticOnAHandMadeSpace()
    {
        var v = Space();
        Assert.That(v.Analogy("man", "king", "woman"), Is.EqualTo("queen"));
        Assert.That(v.Analogy("king", "queen", "man"), Is.EqualTo("woman"));
        Assert.That(v.Analogy("woman", "queen", "man"), Is.EqualTo("king"));
        // The query words themselves are excluded even when nearest.
        var top = v.MostSimilar(["king", "woman"], ["man"], topN: 3);
        Assert.That(top.Select(t => t.Word), Has.No.Member("king").And.No.Member("woman").And.No.Member("man"));
        Assert.That(top[0].Word, Is.EqualTo("queen"));
        Assert.That(top[0].Similarity, Is.GreaterThan(top[1].Similarity));
    }

    [Test]
    public void SimilarityIsCosineAndMostSimilarIsSorted()
    {
        var v = Space();
        double expected = (1 * 1 + 1 * -1 + 0.1 * 0.1) / (1 + 1 + 0.01);
        Assert.That(v.Similarity("king", "queen"), Is.EqualTo(expected).Within(1e-6));
        Assert.That(v.Similarity("apple", "apple"), Is.EqualTo(1f).Within(1e-6));
        var near = v.MostSimilar("apple", 3);
        Assert.That(near[0].Word, Is.EqualTo("pear"));
        Assert.That(near.Select(n => n.Similarity), Is.Ordered.Descending);
        // restrictVocab limits candidates to the first rows.
        Assert.That(v.MostSimilar("apple", 3, restrictVocab: 5).Select(n => n.Word), Has.No.Member("pear"));
        Assert.That(() => v.Similarity("king", "emperor"), Throws.InstanceOf<KeyNotFoundException>().With.Message.Contains("emperor"));
    }

    [Test]
    public void AnalogyEvaluationCountsCorrectAndOutOfVocabulary()
    {
        var v = Space();
        var set = new AnalogySet(
        [
            new("family", "man", "king", "woman", "queen"),
            new("family", "KING", "Queen", "man", "woman"),
            new("gram-x", "woman", "queen", "man", "prince"), // the answer is king: wrong
            new("family", "man", "king", "woman", "empress"), // OOV
        ]);
        var score = WordVectorEvaluator.Analogies(v, set);
        Assert.That(score.Questions, Is.EqualTo(3));
        Assert.That(score.Correct, Is.EqualTo(2));
        Assert.That(score.OutOfVocabulary, Is.EqualTo(1));
        Assert.That(score.Accuracy, Is.EqualTo(2 / 3.0).Within(1e-12));
        Assert.That(score.SemanticAccuracy, Is.EqualTo(1.0));
        Assert.That(score.SyntacticAccuracy, Is.EqualTo(0.0));
        // Restricted to the 3 most frequent rows, only questions inside them count, and answers come from them.
        var restricted = WordVectorEvaluator.Analogies(v, set, restrictVocab: 3);
        Assert.That(restricted.Questions, Is.EqualTo(0));
        Assert.That(restricted.OutOfVocabulary, Is.EqualTo(4));
    }

    [Test]
    public void SpearmanMatchesScipy()
    {
        // scipy.stats.spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) = 0.8207826816681233 (ties averaged).
        Assert.That(Spearman.Correlation([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), Is.EqualTo(0.8207826816681233).Within(1e-12));
        Assert.That(Spearman.Correlation([1, 2, 3], [10, 200, 3000]), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(Spearman.Correlation([1, 2, 3], [3, 2, 1]), Is.EqualTo(-1.0).Within(1e-12));
        Assert.That(Spearman.Ranks([10, 20, 20, 5]), Is.EqualTo(new[] { 2, 3.5, 3.5, 1 }));
    }

    [Test]
    public void SimilarityEvaluationSkipsAndCountsMissingPairs()
    {
        var v = Space();
        var set = new WordPairSet("toy", [("king", "queen", 8), ("apple", "pear", 9), ("man", "zebra", 1), ("king", "emperor", 9)]);
        var s = WordVectorEvaluator.Similarity(v, set);
        Assert.That(s.Pairs, Is.EqualTo(3));
        Assert.That(s.OutOfVocabulary, Is.EqualTo(1));
        var cos = new double[] { v.Similarity("king", "queen"), v.Similarity("apple", "pear"), v.Similarity("man", "zebra") };
        Assert.That(s.Spearman, Is.EqualTo(Spearman.Correlation([8, 9, 1], cos)).Within(1e-12));
    }

    [Test]
    public void BenchmarkFilesLoadWithTheirKnownSizes()
    {
        var ws = WordPairSet.LoadWordSim353(Path.Combine(TestPaths.WordSim, "wordsim353", "combined.tab"));
        Assert.That(ws.Pairs, Has.Count.EqualTo(353));
        var sl = WordPairSet.LoadSimLex999(Path.Combine(TestPaths.WordSim, "simlex999", "SimLex-999.txt"));
        Assert.That(sl.Pairs, Has.Count.EqualTo(999));
        Assert.That(sl.Pairs[0], Is.EqualTo(("old", "new", 1.58)));
        var an = AnalogySet.Load(Path.Combine(TestPaths.WordSim, "analogy", "questions-words.txt"));
        Assert.That(an.Questions, Has.Count.EqualTo(19544));
        Assert.That(an.Questions.Count(q => !q.Section.StartsWith("gram", StringComparison.Ordinal)), Is.EqualTo(8869));
    }
}
