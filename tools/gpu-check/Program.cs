using Engine;
using Engine.Gpu;
using Engine.Gpu.Tests;
using Engine.GpuCheck;

// gpu-check: device-parity tests on CUDA, then timings.
// Usage: GpuCheck [--tests-only | --bench-only] [--dry-run-ilgpu-cpu]  (the last runs the tests on ILGPU's CPU accelerator, to check the runner here)
//        GpuCheck --count-launches [device] [batch] [--callers]  (kernel launches per multimodal training step, by kernel
//        and with --callers by calling op; default ilgpu-cpu, 32)
//        GpuCheck --streams-dry-run  (the stream benchmark's code path on ILGPU's CPU accelerator)
var log = Console.Out;
string mode = args.Contains("--tests-only") ? "--tests-only" : args.Contains("--bench-only") ? "--bench-only" : "";
string? only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
bool dry = args.Contains("--dry-run-ilgpu-cpu");
if (args.Length > 0 && args[0] == "--streams-dry-run")
{
    // The stream timings' code path on ILGPU's CPU accelerator, at toy sizes (no meaningful times).
    Bench.Streams(Devices.IlgpuCpu(), log, n: 32, chain: 4, big: 64);
    return 0;
}
if (args.Length > 0 && args[0] == "--count-launches")
{
    var countOn = Devices.Parse(args.Length > 1 ? args[1] : "ilgpu-cpu");
    int countBatch = args.Length > 2 && int.TryParse(args[2], System.Globalization.CultureInfo.InvariantCulture, out int cb) ? cb : 32;
    Launches.PerStep(countOn, countBatch, log, withCallers: args.Contains("--callers"));
    return 0;
}
log.WriteLine($"gpu-check {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, .NET {Environment.Version}, CUDA devices: {Devices.CudaCount}");
int openClCount = 0;
try
{
    // ILGPU lists only OpenCL devices it can use (OpenCL 2.0, or 3.0 with the generic address space).
    openClCount = Devices.OpenCLCount;
    log.WriteLine($"usable OpenCL devices: {openClCount}");
}
catch (Exception e) when (e is not OutOfMemoryException)
{
    log.WriteLine($"OpenCL: not available ({e.GetType().Name}: {e.Message})");
}
if (dry)
{
    int dp = 0, df = 0, ds = 0;
    foreach (var fixture in new object[] { new IlgpuCpuParityTests(), new FusedOptimizerTests("ilgpu-cpu") })
    {
        var r = TestRunner.Run(fixture, log);
        (dp, df, ds) = (dp + r.Passed, df + r.Failed, ds + r.Skipped);
    }
    log.WriteLine($"TESTS {dp} passed, {df} failed, {ds} skipped");
    return df == 0 ? 0 : 1;
}
if (Devices.CudaCount == 0)
{
    log.WriteLine("no CUDA device found; nothing to check");
    return 2;
}
var dev = Devices.Cuda(0);
var backend = Devices.Backend(dev);
log.WriteLine($"device: {dev} = {backend.Accelerator.Name}, {backend.Accelerator.NumMultiprocessors} SMs, {backend.Accelerator.MemorySize >> 20} MiB");

int failed = 0;
if (mode != "--bench-only")
{
    int p = 0, s = 0;
    foreach (var fixture in new object[] { new CudaParityTests(), new FusedOptimizerTests("cuda") })
    {
        var r = TestRunner.Run(fixture, log, only);
        p += r.Passed;
        failed += r.Failed;
        s += r.Skipped;
    }
    log.WriteLine($"TESTS {p} passed, {failed} failed, {s} skipped");
    if (openClCount > 0)
    {
        // The same op tests on OpenCL device 0 (the GPU's OpenCL driver, where ILGPU accepts it).
        log.WriteLine($"OpenCL device 0: {Devices.Backend(Devices.OpenCL(0)).Accelerator.Name}");
        var r = TestRunner.Run(new OpenCLParityTests(), log, only);
        failed += r.Failed;
        log.WriteLine($"OPENCL TESTS {r.Passed} passed, {r.Failed} failed, {r.Skipped} skipped");
    }
    // Device out of memory: a clear exception, other tensors intact.
    var keep = Tensor.Ones(new[] { 1000 }, device: dev);
    var list = new List<Tensor>();
    try
    {
        // 4 GiB blocks until the GPU is full (the H200 has about 139 GiB).
        for (int i = 0; i < 100; i++)
        {
            list.Add(Tensor.Empty(new[] { int.MaxValue / 2 }, device: dev));
        }
        log.WriteLine("FAIL oom: 400 GiB was allocated without an error");
        failed++;
    }
    catch (GpuOutOfMemoryException e)
    {
        bool intact = keep.Sum().Item() == 1000;
        log.WriteLine($"{(intact ? "PASS" : "FAIL")} oom: {e.Message}; other tensor intact: {intact}");
        failed += intact ? 0 : 1;
    }
    finally
    {
        list.ForEach(t => t.Dispose());
        keep.Dispose();
    }
    backend.Allocator.EmptyCache();
}

if (mode != "--tests-only")
{
    Bench.Run(dev, log);
    AttentionBench.Run(dev, log);
    Bench.Streams(dev, log);
    Bench.MultimodalStep(dev, log);
}
return failed == 0 ? 0 : 1;
