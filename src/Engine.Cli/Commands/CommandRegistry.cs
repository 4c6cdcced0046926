using System.CommandLine;

namespace Engine.Cli.Commands;

/// <summary>The list of sub-commands; add one line per command.</summary>
internal static class CommandRegistry
{
    /// <summary>Every sub-command of <c>engine</c>.</summary>
    public static IEnumerable<Command> All()
    {
        yield return Word2VecCommand.Create();
        yield return Word2VecCommand.CreateEval();
        yield return MfccCommand.Create();
        yield return TrainCommand.Create();
        yield return EvalCommand.Create();
        yield return EmbedCommand.Create();
        yield return AvMnistCommand.Create();
    }
}
