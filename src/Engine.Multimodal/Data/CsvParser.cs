using System.Text;

namespace Engine.Multimodal.Data;

/// <summary>An RFC 4180 CSV reader: quoted fields may hold commas, doubled quotes and line breaks.</summary>
internal static class CsvParser
{
    /// <summary>The records of <paramref name="text"/> with the 1-based line each starts on; blank lines are skipped.</summary>
    public static IEnumerable<(int Line, List<string> Fields, string? Error)> Parse(string text)
    {
        int i = 0, line = 1;
        while (i < text.Length)
        {
            int startLine = line;
            var fields = new List<string>();
            var field = new StringBuilder();
            string? error = null;
            bool endOfRecord = false;
            bool blank = true;
            while (!endOfRecord)
            {
                if (i < text.Length && text[i] == '"')
                {
                    blank = false;
                    i++;
                    while (true)
                    {
                        if (i >= text.Length)
                        {
                            error = "unterminated quoted field";
                            break;
                        }
                        char c = text[i++];
                        if (c == '"')
                        {
                            if (i < text.Length && text[i] == '"')
                            {
                                field.Append('"');
                                i++;
                                continue;
                            }
                            break;
                        }
                        if (c == '\n')
                        {
                            line++;
                        }
                        field.Append(c);
                    }
                    // After a closing quote only a separator or the end of the record may follow.
                    if (error is null && i < text.Length && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                    {
                        error ??= "characters after a closing quote";
                        while (i < text.Length && text[i] != ',' && text[i] != '\n')
                        {
                            i++;
                        }
                    }
                }
                else
                {
                    while (i < text.Length && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                    {
                        blank = false;
                        field.Append(text[i++]);
                    }
                }
                fields.Add(field.ToString());
                field.Clear();
                if (i >= text.Length)
                {
                    endOfRecord = true;
                }
                else if (text[i] == ',')
                {
                    blank = false;
                    i++;
                }
                else
                {
                    if (text[i] == '\r')
                    {
                        i++;
                    }
                    if (i < text.Length && text[i] == '\n')
                    {
                        i++;
                    }
                    line++;
                    endOfRecord = true;
                }
            }
            if (!blank || error is not null)
            {
                yield return (startLine, fields, error);
            }
        }
    }
}
