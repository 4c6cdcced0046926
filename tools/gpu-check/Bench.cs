using System.Diagnostics;
using Engine.Gpu;

namespace Engine.GpuCheck;

/// <summary>GPU timings: each op warmed up, then timed over several runs with the device synchronised; the median is reported.</summary>
internal static class Bench
{
    public static void Run(Device dev, TextWriter log)
    {
        var b = Devices.Backend(dev);
        foreach (int n in new[] { 1024, 2048, 4096 })
        {
            using var x = Tensor.Randn(new[] { n, n }, new Generator(1), device: dev);
            using var y = Tensor.Randn(new[] { n, n }, new Generator(2), device: dev);
            double s = Time(b, () => x.MatMul(y).Dispose(), n >= 4096 ? 5 : 10);
            log.WriteLine($"RESULT sgemm_{n} {2.0 * n * n * n / s / 1e12:0.000} TFLOP/s ({s * 1e3:0.000} ms)");
        }
        {
            const int n = 64 << 20;
            using var x = Tensor.Ones(new[] { n }, device: dev);
            using var y = Tensor.Ones(new[] { n }, device: dev);
            double add = Time(b, () => (x + y).Dispose(), 20);
            log.WriteLine($"RESULT add_64M {3.0 * 4 * n / add / 1e9:0.0} GB/s ({add * 1e3:0.000} ms)");
            double copy = Time(b, () => x.Clone().Dispose(), 20);
            log.WriteLine($"RESULT copy_64M {2.0 * 4 * n / copy / 1e9:0.0} GB/s ({copy * 1e3:0.000} ms)");
            double exp = Time(b, () => x.Exp().Dispose(), 20);
            log.WriteLine($"RESULT exp_64M {2.0 * 4 * n / exp / 1e9:0.0} GB/s ({exp * 1e3:0.000} ms)");
            double sum = Time(b, () => x.Sum().Dispose(), 20);
            log.WriteLine($"RESULT sum_64M {4.0 * n / sum / 1e9:0.0} GB/s ({sum * 1e3:0.000} ms)");
        }
        {
            using var x = Tensor.Randn(new[] { 4096, 4096 }, new Generator(3), device: dev);
            double s = Time(b, () => x.Softmax(1).Dispose(), 20);
            log.WriteLine($"RESULT softmax_4096x4096 {2.0 * 4 * 4096 * 4096 / s / 1e9:0.0} GB/s ({s * 1e3:0.000} ms)");
        }
        {
            // Per-op overhead: a chain of 1,000 adds on 64 floats (host work plus launch; the GPU work is negligible).
            using var x = Tensor.Ones(new[] { 64 }, device: dev);
            double s = Time(b, () =>
            {
                using var scope = TensorScope.Begin();
                var y = x;
                for (int i = 0; i < 1000; i++)
                {
                    y = y + x;
                }
            }, 10);
            log.WriteLine($"RESULT op_overhead_add64 {s / 1000 * 1e6:0.00} us/op");
        }
        {
            // MFCC, torchaudio preset (n_fft 400, hop 160, 40 mels, 13 coefficients), 32 one-second 16 kHz clips.
            using var wav = Tensor.Uniform(new[] { 32, 16000 }, -0.5, 0.5, new Generator(6)).To(dev);
            using var mfcc = new Engine.Audio.Differentiable.MfccTransform(new Engine.Audio.Features.MfccOptions(), 16000);
            double s = Time(b, () =>
            {
                using var scope = TensorScope.Begin();
                mfcc.Forward(wav);
            }, 20);
            log.WriteLine($"RESULT mfcc_32x1s {32 / s:0} clips/s ({s * 1e3:0.000} ms)");
        }
        try
        {
            // conv2d N=32, C=64 -> 64, 56x56, 3x3, padding 1 (a ResNet stage).
            using var x = Tensor.Randn(new[] { 32, 64, 56, 56 }, new Generator(4), device: dev);
            using var w = Tensor.Randn(new[] { 64, 64, 3, 3 }, new Generator(5), device: dev);
            double s = Time(b, () => Functional.Conv2d(x, w, padding: 1).Dispose(), 10);
            double flops = 2.0 * 32 * 64 * 56 * 56 * 64 * 9;
            log.WriteLine($"RESULT conv2d_32x64x56x56_k3 {flops / s / 1e12:0.000} TFLOP/s ({s * 1e3:0.000} ms)");
        }
        catch (NotSupportedException e)
        {
            log.WriteLine($"RESULT conv2d_32x64x56x56_k3 not-on-gpu ({e.Message})");
        }
    }

    /// <summary>
    /// One full training step (forward, loss, backward, AdamW) of the multimodal model, default
    /// configuration, on the GPU and on this machine's CPU (all its cores), at two batch sizes.
    /// </summary>
    public static void MultimodalStep(Device dev, TextWriter log)
    {
        foreach (int batch in new[] { 32, 512 })
        {
            var config = new Engine.Multimodal.Model.ModelConfig();
            var backend = Devices.Backend(dev);
            long before = backend.KernelLaunches;
            double gpu = Engine.Multimodal.Benchmarks.StepTimer.Measure(dev, config, batch, steps: 20, warmup: 3);
            double launches = (backend.KernelLaunches - before) / 23.0;
            double cpu = Engine.Multimodal.Benchmarks.StepTimer.Measure(Device.Cpu, config, batch, steps: 5, warmup: 1);
            log.WriteLine($"RESULT multimodal_step_b{batch}_gpu {gpu * 1e3:0.000} ms (about {launches:0} kernel launches per step, {gpu / launches * 1e6:0.0} us each)");
            log.WriteLine($"RESULT multimodal_step_b{batch}_cpu {cpu * 1e3:0.000} ms ({Environment.ProcessorCount} cores); GPU speed-up {cpu / gpu:0.0}x");
        }
    }

    /// <summary>
    /// Streams on the device: the same work (two independent chains of 64 products of 512x512 matrices) queued on
    /// the default stream alone and split over two created streams, and an event-timed 4096 SGEMM against the
    /// host-timed one (smaller sizes for a dry run on ILGPU's CPU accelerator). Prints the times; whether the two
    /// streams overlap is what this measures.
    /// </summary>
    public static void Streams(Device dev, TextWriter log, int n = 512, int chain = 64, int big = 4096)
    {
        var b = Devices.Backend(dev);
        using var x = Tensor.Randn(new[] { n, n }, new Generator(7), device: dev) * (1 / Math.Sqrt(n));
        using var y = Tensor.Randn(new[] { n, n }, new Generator(8), device: dev) * (1 / Math.Sqrt(n));
        using var s1 = dev.CreateStream();
        using var s2 = dev.CreateStream();
        void Chain(Tensor start, Tensor m)
        {
            var t = start;
            for (int i = 0; i < chain; i++)
            {
                t = t.MatMul(m);
            }
        }
        double one = Time(b, () =>
        {
            using var scope = TensorScope.Begin();
            Chain(x, y);
            Chain(y, x);
        }, 10);
        double two = Time(b, () =>
        {
            using var scope = TensorScope.Begin();
            using (s1.Use())
            {
                Chain(x, y);
            }
            using (s2.Use())
            {
                Chain(y, x);
            }
        }, 10);
        log.WriteLine($"RESULT streams_two_chains_{n}x{chain} {two * 1e3:0.000} ms (one stream {one * 1e3:0.000} ms; overlap gain {one / two:0.00}x)");
        using var a = Tensor.Randn(new[] { big, big }, new Generator(9), device: dev);
        var start = dev.CreateEvent();
        var end = dev.CreateEvent();
        a.MatMul(a).Dispose();
        start.Record();
        a.MatMul(a).Dispose();
        end.Record();
        double eventMs = start.ElapsedMilliseconds(end);
        double hostMs = Time(b, () => a.MatMul(a).Dispose(), 5) * 1e3;
        log.WriteLine($"RESULT event_timed_sgemm_{big} {eventMs:0.000} ms (host-timed median {hostMs:0.000} ms)");
        start.Dispose();
        end.Dispose();
    }

    private static double Time(GpuBackend b, Action op, int runs)
    {
        op();
        op();
        b.Synchronize();
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            op();
            b.Synchronize();
            times[i] = sw.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[runs / 2];
    }
}
