namespace Engine.Audio.Io;

/// <summary>A file that is not a readable WAV file; the message names the file and the problem.</summary>
public sealed class AudioFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public AudioFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The offending file.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
