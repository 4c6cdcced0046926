namespace Engine.Multimodal.Data;

/// <summary>The input modalities a sample can carry.</summary>
[Flags]
public enum Modality
{
    /// <summary>No modality.</summary>
    None = 0,

    /// <summary>A grayscale image (28x28 after resizing).</summary>
    Image = 1,

    /// <summary>A WAV recording, turned into MFCCs.</summary>
    Audio = 2,

    /// <summary>Inline text.</summary>
    Text = 4,

    /// <summary>All three.</summary>
    All = Image | Audio | Text,
}

/// <summary>Parsing and printing of modality sets ("image,audio,text").</summary>
public static class Modalities
{
    /// <summary>The modalities in a fixed order (the order of encoder outputs in fusion).</summary>
    public static readonly Modality[] Ordered = { Modality.Image, Modality.Audio, Modality.Text };

    /// <summary>Parses a comma-separated list such as "image,text".</summary>
    public static Modality Parse(string text)
    {
        var result = Modality.None;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            result |= part.ToLowerInvariant() switch
            {
                "image" => Modality.Image,
                "audio" => Modality.Audio,
                "text" => Modality.Text,
                _ => throw new ArgumentException($"modalities: unknown modality '{part}' (expected image, audio or text)"),
            };
        }
        if (result == Modality.None)
        {
            throw new ArgumentException($"modalities: '{text}' names no modality (expected a list such as image,audio,text)");
        }
        return result;
    }

    /// <summary>The set as "image,audio,text".</summary>
    public static string Format(Modality m) =>
        string.Join(",", Ordered.Where(o => (m & o) != 0).Select(o => o.ToString().ToLowerInvariant()));
}
