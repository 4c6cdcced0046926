using System.CommandLine;
using Engine.Gpu;

namespace Engine.Cli.Commands;

/// <summary>The --device option shared by train, eval and embed.</summary>
internal static class DeviceChoice
{
    /// <summary>A fresh --device option (auto by default).</summary>
    public static Option<string> Option() => new("--device")
    {
        Description = "auto (CUDA, then OpenCL, then the CPU), cpu, cuda[:i] or opencl[:i]. The model and every batch run there.",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>
    /// The device named by <paramref name="name"/>: auto picks CUDA, then OpenCL, then the CPU and prints one line
    /// saying what it picked; an explicit cuda or opencl with no such device fails with a clear message.
    /// </summary>
    public static Device Resolve(string name)
    {
        string s = name.Trim().ToLowerInvariant();
        if (s == "cpu")
        {
            // No ILGPU context is created for a CPU run.
            return Device.Cpu;
        }
        try
        {
            return Devices.Parse(s, Console.Out);
        }
        catch (Exception e) when (e is InvalidOperationException or DllNotFoundException or TypeInitializationException or NotSupportedException)
        {
            // Devices speaks to library users ("use Devices.Auto()"); a command-line user needs the option instead.
            string reason = e.Message.Replace("use Devices.Auto() to fall back", "use --device auto to fall back to the CPU", StringComparison.Ordinal);
            throw new ArgumentException($"--device {name}: {reason}", e);
        }
    }
}
