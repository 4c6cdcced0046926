namespace Engine.Vision.AvMnist;

/// <summary>Pairs MNIST images with FSDD recordings of the same digit, with disjoint speakers for training and test.</summary>
public static class AvMnistPairing
{
    /// <summary>FSDD speakers whose recordings are used for training.</summary>
    /// <remarks>
    /// Two of the six speakers are held out for testing. Each test speaker's hardest trait also
    /// occurs in training (yweweler is quiet like theo and has a German accent like lucas), while
    /// nicolas's Belgian French accent is new, so the test measures generalisation to unseen voices.
    /// </remarks>
    public static readonly IReadOnlyList<string> TrainSpeakers = ["george", "jackson", "lucas", "theo"];

    /// <summary>FSDD speakers whose recordings are used for testing only.</summary>
    public static readonly IReadOnlyList<string> TestSpeakers = ["nicolas", "yweweler"];

    /// <summary>
    /// For each label in <paramref name="labels"/>, the index (into <paramref name="recordings"/>) of a
    /// recording of the same digit by one of <paramref name="speakers"/>.
    /// </summary>
    /// <remarks>
    /// Recordings of each digit are dealt out in a shuffled order and reshuffled after every pass, so
    /// every recording is used equally often (the counts differ by at most one within a digit). The
    /// same seed gives the same pairs.
    /// </remarks>
    /// <exception cref="ArgumentException">A label has no recording by the chosen speakers.</exception>
    public static int[] Pair(ReadOnlySpan<byte> labels, IReadOnlyList<FsddRecording> recordings, IEnumerable<string> speakers, int seed)
    {
        ArgumentNullException.ThrowIfNull(recordings);
        ArgumentNullException.ThrowIfNull(speakers);
        var allowed = new HashSet<string>(speakers, StringComparer.Ordinal);
        var pools = new List<int>[10];
        for (int d = 0; d < 10; d++)
        {
            pools[d] = [];
        }

        for (int i = 0; i < recordings.Count; i++)
        {
            if (allowed.Contains(recordings[i].Speaker))
            {
                pools[recordings[i].Digit].Add(i);
            }
        }

        var rng = new Random(seed);
        var next = new int[10];
        var result = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            if (label > 9 || pools[label].Count == 0)
            {
                throw new ArgumentException(
                    $"AvMnistPairing: label {label} at position {i} has no FSDD recording by speakers [{string.Join(", ", allowed.Order())}].");
            }

            List<int> pool = pools[label];
            if (next[label] == 0)
            {
                Shuffle(pool, rng);
            }

            result[i] = pool[next[label]];
            next[label] = (next[label] + 1) % pool.Count;
        }

        return result;
    }

    /// <summary>Checks that no speaker appears in both lists.</summary>
    public static void CheckDisjoint(IEnumerable<string> train, IEnumerable<string> test)
    {
        string[] shared = train.Intersect(test, StringComparer.Ordinal).ToArray();
        if (shared.Length > 0)
        {
            throw new ArgumentException($"AvMnistPairing: speakers [{string.Join(", ", shared)}] are in both training and test.");
        }
    }

    private static void Shuffle(List<int> list, Random rng)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
