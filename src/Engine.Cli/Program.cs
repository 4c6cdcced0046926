using System.CommandLine;
using Engine.Cli.Commands;

namespace Engine.Cli;

/// <summary>Entry point of the <c>engine</c> command.</summary>
public static class Program
{
    /// <summary>Builds the command tree and runs it.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("Engine: a pure-.NET deep-learning engine (tensors, autograd, audio, text, multimodal training).");
        // Each sub-command lives in Commands/ and contributes one Command object.
        foreach (var command in CommandRegistry.All())
        {
            root.Subcommands.Add(command);
        }
        return root.Parse(args).Invoke();
    }
}
