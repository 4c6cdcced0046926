namespace Engine.Benchmarks.Peers;

/// <summary>
/// The peer project's entry point: `multimodal ...` runs the issue-8 training comparison
/// (<see cref="Multimodal.MultimodalPeer"/>); anything else goes to BenchmarkDotNet (<see cref="Program"/>).
/// </summary>
public static class EntryPoint
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "multimodal")
        {
            return Multimodal.MultimodalPeer.Main(args[1..]);
        }
        Program.Main(args);
        return 0;
    }
}
