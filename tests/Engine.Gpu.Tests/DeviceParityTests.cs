using Engine.Gpu;

namespace Engine.Gpu.Tests;

/// <summary>
/// The op tests, written once and run on every device: each builds its inputs on the CPU, runs the
/// op on the CPU and on the device under test, and requires agreement within 1e-5 relative
/// (float32). Sums and products are compared relative to the sum of absolute terms, the standard
/// bound for a reordered float sum.
/// </summary>
public abstract partial class DeviceParityTests
{
    protected const double RelTol = 1e-5;

    /// <summary>The device under test.</summary>
    protected abstract Device Device { get; }

    protected static Tensor Uniform(int[] shape, double low, double high, ulong seed, DType dtype = DType.Float32)
        => Tensor.Uniform(shape, low, high, new Generator(seed), dtype);

    /// <summary>Runs the op on the CPU and on the device and compares.</summary>
    protected void Parity(Func<Device, Tensor> op, Func<Tensor>? scale = null, string? what = null)
    {
        var expected = op(Device.Cpu);
        var actual = op(Device);
        Assert.That(actual.Device, Is.EqualTo(Device), "the result should live on the device under test");
        AssertClose(actual, expected, scale?.Invoke(), what);
    }

    /// <summary>Asserts same shape and dtype and |a - e| &lt;= 1e-5 max(|e|, scale) elementwise (NaN matches NaN).</summary>
    protected static void AssertClose(Tensor actual, Tensor expected, Tensor? scale = null, string? what = null, double rtol = RelTol)
    {
        Assert.That(actual.Shape, Is.EqualTo(expected.Shape), $"{what}: shape");
        Assert.That(actual.DType, Is.EqualTo(expected.DType), $"{what}: dtype");
        var a = actual.ToDoubleArray();
        var e = expected.ToDoubleArray();
        var s = scale?.ToDoubleArray();
        for (int i = 0; i < e.Length; i++)
        {
            if (double.IsNaN(e[i]))
            {
                Assert.That(a[i], Is.NaN, $"{what}: element {i}");
                continue;
            }
            if (double.IsInfinity(e[i]))
            {
                Assert.That(a[i], Is.EqualTo(e[i]), $"{what}: element {i}");
                continue;
            }
            double bound = rtol * Math.Max(Math.Abs(e[i]), s is null ? 0 : Math.Abs(s[i]));
            Assert.That(Math.Abs(a[i] - e[i]), Is.LessThanOrEqualTo(bound),
                $"{what}: element {i} of {e.Length}: device {a[i]:R}, cpu {e[i]:R}");
        }
    }
}

/// <summary>The op tests on the CPU backend (the reference against itself: checks the harness and the tensor layer).</summary>
[TestFixture]
public sealed class CpuParityTests : DeviceParityTests
{
    protected override Device Device => Device.Cpu;
}

/// <summary>The op tests on ILGPU's CPU accelerator: every GPU kernel, run as .NET code.</summary>
[TestFixture]
public sealed class IlgpuCpuParityTests : DeviceParityTests
{
    protected override Device Device => Devices.IlgpuCpu();
}

/// <summary>The op tests on CUDA device 0; skipped where no CUDA GPU is present.</summary>
[TestFixture]
[Category("Cuda")]
public sealed class CudaParityTests : DeviceParityTests
{
    protected override Device Device => Devices.Cuda(0);

    [OneTimeSetUp]
    public void RequireCuda()
    {
        if (Devices.CudaCount == 0)
        {
            Assert.Ignore("no CUDA device here: the CUDA parity tests run on a GPU machine (tools/gpu-check)");
        }
    }
}

/// <summary>
/// The op tests on OpenCL device 0; skipped where ILGPU finds no usable OpenCL device (it needs OpenCL 2.0, or 3.0 with
/// the generic address space; Debian's PoCL lacks it). tools/gpu-check runs them wherever one exists.
/// </summary>
[TestFixture]
[Category("OpenCL")]
public sealed class OpenCLParityTests : DeviceParityTests
{
    protected override Device Device => Devices.OpenCL(0);

    [OneTimeSetUp]
    public void RequireOpenCL()
    {
        if (Devices.OpenCLCount == 0)
        {
            Assert.Ignore("no usable OpenCL device here (ILGPU needs OpenCL 2.0 or generic address space support)");
        }
    }
}
