using System.Text;

namespace MakeSampleData;

/// <summary>Short, noisy written forms of a digit: informative but imperfect on purpose.</summary>
/// <remarks>
/// Per sample: 10% empty, 10% about a different digit (misleading), 10% naming the digit and a
/// distractor, 70% naming the digit, of which about a third carry one typo in the digit word and a
/// tenth use the numeral instead of the word. Everything is drawn from the Random passed in.
/// </remarks>
public static class NoisyDigitText
{
    /// <summary>English words for 0..9.</summary>
    public static readonly string[] Words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    private static readonly string[] Templates =
    [
        "{0}", "{0}", "{0}", "the number {0}", "digit {0}", "a {0}", "it is a {0}", "looks like a {0}",
        "{0} i think", "handwritten {0}", "number {0}", "that is {0}", "probably {0}", "clearly a {0}",
    ];

    private static readonly string[] TwoWordTemplates =
    [
        "{0} or {1}", "{1} or {0}", "maybe {1} maybe {0}", "{0} not {1}", "between {1} and {0}", "{1}? no, {0}",
    ];

    /// <summary>The kind of text drawn for a sample (kept for statistics).</summary>
    public enum Kind
    {
        /// <summary>No text.</summary>
        Empty,

        /// <summary>Names a different digit only.</summary>
        Misleading,

        /// <summary>Names the digit and one other digit.</summary>
        Ambiguous,

        /// <summary>Names the digit, possibly with a typo or as a numeral.</summary>
        Informative,
    }

    /// <summary>A noisy text for <paramref name="digit"/> and what kind it is.</summary>
    public static (string Text, Kind Kind) Generate(int digit, Random rng)
    {
        double u = rng.NextDouble();
        if (u < 0.10)
        {
            return (string.Empty, Kind.Empty);
        }

        if (u < 0.20)
        {
            int other = Other(digit, rng);
            return (Fill(Pick(Templates, rng), Form(other, rng)), Kind.Misleading);
        }

        if (u < 0.30)
        {
            int other = Other(digit, rng);
            return (string.Format(Pick(TwoWordTemplates, rng), Form(digit, rng), Form(other, rng)), Kind.Ambiguous);
        }

        return (Fill(Pick(Templates, rng), Form(digit, rng)), Kind.Informative);
    }

    private static string Fill(string template, string word) => string.Format(template, word);

    private static int Other(int digit, Random rng) => (digit + 1 + rng.Next(9)) % 10;

    private static string Pick(string[] items, Random rng) => items[rng.Next(items.Length)];

    // The digit as a word, sometimes misspelt, sometimes as a numeral.
    private static string Form(int digit, Random rng)
    {
        double u = rng.NextDouble();
        if (u < 0.10)
        {
            return digit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        string word = digit == 0 && rng.NextDouble() < 0.2 ? "oh" : Words[digit];
        return u < 0.40 ? Typo(word, rng) : word;
    }

    // One random edit: drop, double, swap with the next letter, or replace a letter.
    private static string Typo(string word, Random rng)
    {
        if (word.Length < 3)
        {
            return word;
        }

        var sb = new StringBuilder(word);
        int i = rng.Next(word.Length);
        switch (rng.Next(4))
        {
            case 0:
                sb.Remove(i, 1);
                break;
            case 1:
                sb.Insert(i, word[i]);
                break;
            case 2:
                int j = i == word.Length - 1 ? i - 1 : i + 1;
                (sb[i], sb[j]) = (sb[j], sb[i]);
                break;
            default:
                char c;
                do
                {
                    c = (char)('a' + rng.Next(26));
                }
                while (c == word[i]);
                sb[i] = c;
                break;
        }

        return sb.ToString();
    }
}
