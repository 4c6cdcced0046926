using BenchmarkDotNet.Attributes;
using Engine.Kernels;

namespace Engine.Benchmarks.Gemm;

/// <summary>
/// The three micro-kernels side by side (Vector512, Vector256, scalar) on one thread, each checked
/// against the float64 reference in tests/Engine.Kernels.Tests; the fastest the CPU runs is the default.
/// Run: dotnet run -c Release --project benchmarks/Engine.Benchmarks -- --filter '*GemmKernelBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class GemmKernelBenchmarks
{
    private readonly float[] _a = new float[512 * 512], _b = new float[512 * 512], _c = new float[512 * 512];

    /// <summary>Micro-kernel.</summary>
    [Params(GemmKernelKind.Vector512, GemmKernelKind.Vector256, GemmKernelKind.Scalar)]
    public GemmKernelKind Kernel { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Kernels.Gemm.MaxThreads = 1;
        Kernels.Gemm.Kernel = Kernel;
        var rng = new Random(5);
        for (int i = 0; i < _a.Length; i++)
        {
            _a[i] = (float)rng.NextDouble();
            _b[i] = (float)rng.NextDouble();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Kernels.Gemm.Kernel = GemmKernelKind.Auto;

    /// <summary>SGEMM 512 x 512 x 512.</summary>
    [Benchmark]
    public void Sgemm512() => Kernels.Gemm.Sgemm(512, 512, 512, 1f, _a, MatrixView.RowMajor(512), _b, MatrixView.RowMajor(512),
        0f, _c, MatrixView.RowMajor(512));
}
