using BenchmarkDotNet.Running;

namespace Engine.Benchmarks.Peers;

/// <summary>
/// Our kernels and libtorch on the same shapes in one BenchmarkDotNet run, e.g.
/// <c>dotnet run -c Release --project benchmarks/Engine.Benchmarks.Peers -- --filter '*Gemm*' '*FmaPeak*'</c>.
/// Benchmarks run in this process (BenchmarkDotNet's in-process toolchain), because the libtorch
/// glue library loads only from this build's output folder, where it has been patched.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
