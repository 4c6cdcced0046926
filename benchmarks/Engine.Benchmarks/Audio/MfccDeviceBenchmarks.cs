using BenchmarkDotNet.Attributes;
using Engine.Audio.Differentiable;
using Engine.Audio.Features;

namespace Engine.Benchmarks.Audio;

/// <summary>
/// MFCCs of a batch of 32 one-second 16 kHz clips (torchaudio preset: n_fft 400, hop 160, 40 mels, 13
/// coefficients): the array pipeline clip by clip (baseline) against the batched tensor path (MfccTransform) on
/// Device.Cpu, whose DFT is one (32 * 101, 400) x (400, 402) GEMM. Threads caps both the GEMM and elementwise
/// workers; the pipeline always runs on one core. The same transform on a GPU is timed by tools/gpu-check.
/// </summary>
[MemoryDiagnoser]
public class MfccDeviceBenchmarks
{
    private const int Batch = 32;
    private const int Samples = 16000;
    private float[][] _clips = [];
    private Tensor _batch = null!;
    private FeaturePipeline _pipeline = null!;
    private MfccTransform _transform = null!;

    /// <summary>Threads for the tensor path's kernels.</summary>
    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    /// <summary>The thread counts measured.</summary>
    public virtual IEnumerable<int> ThreadCounts => new[] { 1, 2 };

    /// <summary>32 deterministic speech-like clips (harmonics at different pitches plus noise).</summary>
    [GlobalSetup]
    public void Setup()
    {
        Kernels.Parallelism.MaxThreads = Threads;
        Kernels.Gemm.MaxThreads = Threads;
        var r = new Random(42);
        _clips = new float[Batch][];
        for (int b = 0; b < Batch; b++)
        {
            double f0 = 100 + 7 * b;
            var c = new float[Samples];
            for (int i = 0; i < Samples; i++)
            {
                double t = i / 16000.0;
                c[i] = (float)(0.3 * Math.Sin(2 * Math.PI * f0 * t) + 0.2 * Math.Sin(2 * Math.PI * 4 * f0 * t)
                    + 0.1 * Math.Sin(2 * Math.PI * 2500 * t) + 0.02 * (r.NextDouble() * 2 - 1));
            }
            _clips[b] = c;
        }
        var flat = new float[Batch * Samples];
        for (int b = 0; b < Batch; b++)
        {
            _clips[b].CopyTo(flat, b * Samples);
        }
        _batch = Tensor.FromArray(flat, new[] { Batch, Samples });
        var options = new MfccOptions { Preset = MfccPreset.Torchaudio }.ToFeatureOptions(16000);
        _pipeline = new FeaturePipeline(options);
        _transform = new MfccTransform(options);
        _transform.Forward(_batch).Dispose(); // builds and caches the constants
    }

    /// <summary>Restores the default thread counts.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _transform.Dispose();
        Kernels.Parallelism.MaxThreads = Environment.ProcessorCount;
        Kernels.Gemm.MaxThreads = Environment.ProcessorCount;
    }

    /// <summary>FeaturePipeline.Compute on each clip in turn (one core).</summary>
    [Benchmark(Baseline = true)]
    public int PipelinePerClip()
    {
        int frames = 0;
        foreach (var c in _clips)
        {
            frames += _pipeline.Compute(c).GetLength(0);
        }
        return frames;
    }

    /// <summary>MfccTransform.Forward on the (32, 16000) batch on Device.Cpu; temporaries returned to the pool by a scope.</summary>
    [Benchmark]
    public int TransformBatchCpu()
    {
        using var scope = TensorScope.Begin();
        return _transform.Forward(_batch).Shape[1];
    }
}

/// <summary>
/// <see cref="MfccDeviceBenchmarks"/> on one thread, timed by the measuring thread's CPU time (robust on a loaded
/// machine; valid because with one thread every kernel runs on the calling thread).
/// </summary>
[Config(typeof(MfccCpuTimeConfig))]
public class MfccDeviceCpuTimeBenchmarks : MfccDeviceBenchmarks
{
    /// <inheritdoc />
    public override IEnumerable<int> ThreadCounts => new[] { 1 };
}
