using Engine.Text.Vectors;

namespace Engine.Text.Evaluation;

/// <summary>Score of a word-similarity benchmark.</summary>
/// <param name="Name">Benchmark name.</param>
/// <param name="Spearman">Spearman correlation between cosine similarities and human scores over the pairs found.</param>
/// <param name="Pairs">Pairs with both words in the vocabulary.</param>
/// <param name="OutOfVocabulary">Pairs skipped because a word is missing.</param>
public readonly record struct SimilarityScore(string Name, double Spearman, int Pairs, int OutOfVocabulary);

/// <summary>Score of the analogy benchmark.</summary>
/// <param name="Accuracy">Correct answers over questions answered (all four words known).</param>
/// <param name="Correct">Correct answers.</param>
/// <param name="Questions">Questions answered.</param>
/// <param name="OutOfVocabulary">Questions skipped because a word is not among the allowed words.</param>
/// <param name="SemanticAccuracy">Accuracy on the sections whose name does not start with "gram".</param>
/// <param name="SyntacticAccuracy">Accuracy on the "gram*" sections.</param>
public readonly record struct AnalogyScore(double Accuracy, int Correct, int Questions, int OutOfVocabulary,
    double SemanticAccuracy, double SyntacticAccuracy);

/// <summary>The three scores of issue 7.</summary>
/// <param name="WordSim353">WordSim-353 Spearman.</param>
/// <param name="SimLex999">SimLex-999 Spearman.</param>
/// <param name="Analogy">Analogy accuracy (30,000 most frequent words).</param>
public sealed record EvaluationReport(SimilarityScore WordSim353, SimilarityScore SimLex999, AnalogyScore Analogy);

/// <summary>Intrinsic evaluation of word vectors: similarity correlations and analogy accuracy.</summary>
public static class WordVectorEvaluator
{
    /// <summary>Candidates and question words of the analogy test are limited to this many most frequent words, as word2vec's compute-accuracy does.</summary>
    public const int DefaultAnalogyVocabulary = 30_000;

    /// <summary>Runs WordSim-353, SimLex-999 and the analogy test with the files of a folder laid out as shared/data/wordsim.</summary>
    public static EvaluationReport EvaluateAll(WordVectors vectors, string wordsimFolder)
    {
        var ws = WordPairSet.LoadWordSim353(Path.Combine(wordsimFolder, "wordsim353", "combined.tab"));
        var sl = WordPairSet.LoadSimLex999(Path.Combine(wordsimFolder, "simlex999", "SimLex-999.txt"));
        var an = AnalogySet.Load(Path.Combine(wordsimFolder, "analogy", "questions-words.txt"));
        return new EvaluationReport(Similarity(vectors, ws), Similarity(vectors, sl), Analogies(vectors, an));
    }

    /// <summary>Spearman correlation of cosine similarity with the gold scores; words are matched case-insensitively.</summary>
    public static SimilarityScore Similarity(WordVectors vectors, WordPairSet set)
    {
        var lookup = CaseInsensitiveIndex(vectors, vectors.Count);
        var gold = new List<double>();
        var predicted = new List<double>();
        int oov = 0;
        var unit = vectors.UnitData;
        int dim = vectors.Dim;
        foreach (var (a, b, score) in set.Pairs)
        {
            if (!lookup.TryGetValue(a.ToLowerInvariant(), out int ia) || !lookup.TryGetValue(b.ToLowerInvariant(), out int ib))
            {
                oov++;
                continue;
            }
            gold.Add(score);
            predicted.Add(VectorMath.Dot(unit.Slice(ia * dim, dim), unit.Slice(ib * dim, dim)));
        }
        return new SimilarityScore(set.Name, Spearman.Correlation(gold, predicted), gold.Count, oov);
    }

    /// <summary>
    /// 3CosAdd analogy accuracy: d is predicted as the word nearest (cosine) to b - a + c among the
    /// first <paramref name="restrictVocab"/> rows, excluding a, b and c. Questions with a word outside
    /// those rows are counted as out of vocabulary and skipped.
    /// </summary>
    public static AnalogyScore Analogies(WordVectors vectors, AnalogySet set, int restrictVocab = DefaultAnalogyVocabulary)
    {
        int n = Math.Min(restrictVocab, vectors.Count);
        var lookup = CaseInsensitiveIndex(vectors, n);
        var valid = new List<(int A, int B, int C, int D, bool Syntactic)>();
        int oov = 0;
        foreach (var q in set.Questions)
        {
            if (lookup.TryGetValue(q.A.ToLowerInvariant(), out int a) && lookup.TryGetValue(q.B.ToLowerInvariant(), out int b)
                && lookup.TryGetValue(q.C.ToLowerInvariant(), out int c) && lookup.TryGetValue(q.D.ToLowerInvariant(), out int d))
            {
                valid.Add((a, b, c, d, q.Section.StartsWith("gram", StringComparison.Ordinal)));
            }
            else
            {
                oov++;
            }
        }
        var unit = vectors.UnitData.ToArray();
        int dim = vectors.Dim;
        var predicted = new int[valid.Count];
        const int Block = 32;
        // Questions in blocks: each row of the vocabulary is read once per block, not once per question.
        Parallel.For(0, (valid.Count + Block - 1) / Block, blockIndex =>
        {
            int q0 = blockIndex * Block;
            int count = Math.Min(Block, valid.Count - q0);
            var queries = new float[count * dim];
            var best = new float[count];
            var bestRow = new int[count];
            for (int i = 0; i < count; i++)
            {
                var (a, b, c, _, _) = valid[q0 + i];
                var query = queries.AsSpan(i * dim, dim);
                for (int k = 0; k < dim; k++)
                {
                    query[k] = unit[b * dim + k] - unit[a * dim + k] + unit[c * dim + k];
                }
                best[i] = float.NegativeInfinity;
                bestRow[i] = -1;
            }
            for (int r = 0; r < n; r++)
            {
                var row = new ReadOnlySpan<float>(unit, r * dim, dim);
                for (int i = 0; i < count; i++)
                {
                    float s = VectorMath.Dot(row, queries.AsSpan(i * dim, dim));
                    if (s > best[i])
                    {
                        var (a, b, c, _, _) = valid[q0 + i];
                        if (r != a && r != b && r != c)
                        {
                            best[i] = s;
                            bestRow[i] = r;
                        }
                    }
                }
            }
            Array.Copy(bestRow, 0, predicted, q0, count);
        });
        int correct = 0, semTotal = 0, semCorrect = 0, synTotal = 0, synCorrect = 0;
        for (int i = 0; i < valid.Count; i++)
        {
            bool ok = predicted[i] == valid[i].D;
            correct += ok ? 1 : 0;
            if (valid[i].Syntactic)
            {
                synTotal++;
                synCorrect += ok ? 1 : 0;
            }
            else
            {
                semTotal++;
                semCorrect += ok ? 1 : 0;
            }
        }
        static double Ratio(int a, int b) => b > 0 ? a / (double)b : double.NaN;
        return new AnalogyScore(Ratio(correct, valid.Count), correct, valid.Count, oov,
            Ratio(semCorrect, semTotal), Ratio(synCorrect, synTotal));
    }

    /// <summary>Lowercased word -> first row with that lowercased form, among the first <paramref name="rows"/> rows.</summary>
    private static Dictionary<string, int> CaseInsensitiveIndex(WordVectors vectors, int rows)
    {
        var map = new Dictionary<string, int>(rows, StringComparer.Ordinal);
        for (int i = 0; i < rows; i++)
        {
            map.TryAdd(vectors.Words[i].ToLowerInvariant(), i);
        }
        return map;
    }
}
