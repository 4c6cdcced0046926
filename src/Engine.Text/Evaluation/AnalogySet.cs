namespace Engine.Text.Evaluation;

/// <summary>One analogy question: a is to b as c is to d.</summary>
public readonly record struct AnalogyQuestion(string Section, string A, string B, string C, string D);

/// <summary>The Google analogy test set (questions-words.txt): ": section" headers, then "a b c d" lines.</summary>
public sealed class AnalogySet
{
    /// <summary>Creates a set from questions.</summary>
    public AnalogySet(IReadOnlyList<AnalogyQuestion> questions)
    {
        Questions = questions;
    }

    /// <summary>All questions in file order.</summary>
    public IReadOnlyList<AnalogyQuestion> Questions { get; }

    /// <summary>Reads a questions-words.txt style file; a line with other than 4 words is an error naming the line.</summary>
    public static AnalogySet Load(string path)
    {
        var questions = new List<AnalogyQuestion>();
        string section = "";
        int lineNumber = 0;
        foreach (var rawLine in File.ReadLines(path))
        {
            lineNumber++;
            string line = rawLine.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith(':'))
            {
                section = line[1..].Trim();
                continue;
            }
            var w = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (w.Length != 4)
            {
                throw new InvalidDataException($"{path}: line {lineNumber}: expected 4 words, found {w.Length}.");
            }
            questions.Add(new AnalogyQuestion(section, w[0], w[1], w[2], w[3]));
        }
        if (questions.Count == 0)
        {
            throw new InvalidDataException($"{path}: no analogy questions found.");
        }
        return new AnalogySet(questions);
    }
}
