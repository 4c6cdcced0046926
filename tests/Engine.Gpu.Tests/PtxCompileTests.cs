using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime.Cuda;

namespace Engine.Gpu.Tests;

/// <summary>
/// Compiles every kernel of the GPU backend to PTX for an sm_90 GPU (the H200) with ILGPU's
/// PTXBackend, without a GPU. ILGPU's CPU accelerator runs kernels as .NET code and accepts things
/// a GPU cannot run; this catches them in CI.
/// </summary>
[TestFixture]
public sealed class PtxCompileTests
{
    private Context? _context;
    private PTXBackend? _backend;

    public static IEnumerable<TestCaseData> Kernels => KernelCatalog.All().Select(e => new TestCaseData(e).SetArgDisplayNames(e.ToString()));

    [OneTimeSetUp]
    public void CreateBackend() => (_context, _backend) = NewBackend();

    [OneTimeTearDown]
    public void DisposeBackend()
    {
        _backend?.Dispose();
        _context?.Dispose();
    }

    private static (Context, PTXBackend) NewBackend()
    {
        var context = Context.Create(b => b.Cuda().EnableAlgorithms().Math(MathMode.Default));
        var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, null);
        return (context, backend);
    }

    [TestCaseSource(nameof(Kernels))]
    public void KernelCompilesToPtx(KernelCatalog.Entry kernel)
    {
        var entry = kernel.ExplicitlyGrouped
            ? EntryPointDescription.FromExplicitlyGroupedKernel(kernel.Method)
            : EntryPointDescription.FromImplicitlyGroupedKernel(kernel.Method);
        string ptx;
        try
        {
            ptx = ((PTXCompiledKernel)_backend!.Compile(entry, default)).PTXAssembly;
        }
        catch
        {
            // A failed compile can leave the backend unusable; give the next kernel a fresh one.
            DisposeBackend();
            CreateBackend();
            throw;
        }
        Assert.That(ptx, Does.Contain(".target sm_").And.Contain(".entry"));
    }

    [Test]
    public void CatalogCoversEveryCpuFunctor()
    {
        var names = KernelCatalog.All().Select(e => e.ToString()).ToList();
        foreach (var fn in KernelCatalog.UnaryFunctors.Concat(KernelCatalog.BinaryFunctors))
        {
            Assert.That(names.Any(n => n.Contains(fn.Name)) || Functors.GpuFunctorMap.Mirrored.Contains(fn), Is.True, fn.Name);
        }
        Assert.That(names, Has.Count.GreaterThan(150));
    }
}
