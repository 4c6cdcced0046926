using System.Reflection;
using Engine.Backends;
using Engine.Gpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Engine.Gpu;

/// <summary>The fused LSTM cell on the GPU (kernels in <see cref="LstmKernels"/>).</summary>
public sealed partial class GpuBackend
{
    private static readonly MethodInfo LstmForwardF32 = Def(typeof(LstmKernels), nameof(LstmKernels.ForwardF32));
    private static readonly MethodInfo LstmForwardF64 = Def(typeof(LstmKernels), nameof(LstmKernels.ForwardF64));
    private static class LstmBackK<T> where T : unmanaged
    {
        public static readonly MethodInfo Backward = Def(typeof(LstmKernels), nameof(LstmKernels.Backward)).MakeGenericMethod(typeof(T));
    }

    private LstmGeom LstmGeometry(in LstmCellParams p) => new()
    {
        Batch = p.Batch, Hidden = p.Hidden, GatesOff = p.GatesOffset, CPrevOff = p.CPrevOffset, COff = p.COffset, HPrevOff = p.HPrevOffset, HOff = p.HOffset, DcPrevOff = p.DcPrevOffset,
        ActOff = p.ActOffset, OutOff = p.OutputOffset, ValidOff = p.ValidOffset, Step = Extent((long)p.Batch * p.Hidden),
    };

    /// <inheritdoc />
    public override void LstmCellForward(Storage gates, Storage? hh, Storage cPrev, Storage c, Storage h, Storage act,
        Storage? output, Storage? valid, in LstmCellParams p)
    {
        var dtype = FloatType(gates, "lstm_cell");
        if (p.Batch == 0 || p.Hidden == 0)
        {
            return;
        }
        Bind();
        var g = LstmGeometry(p);
        g.HasHh = hh is null ? 0 : 1;
        g.HasOut = output is null ? 0 : 1;
        g.HasValid = valid is null ? 0 : 1;
        // An absent Bool view is stood in for by the gate storage's bytes; the flags keep it unread.
        var v = valid is null ? G(gates).View<byte>() : V<byte>(valid);
        if (dtype == DType.Float32)
        {
            var k = Kernel(LstmForwardF32, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<byte>, LstmGeom>>()));
            var x = V<float>(gates);
            k(g.Step, x, hh is null ? x : V<float>(hh), V<float>(cPrev), V<float>(c), V<float>(h), V<float>(act), output is null ? x : V<float>(output), v, g);
        }
        else
        {
            var k = Kernel(LstmForwardF64, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<double>, ArrayView<double>,
                ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<byte>, LstmGeom>>()));
            var x = V<double>(gates);
            k(g.Step, x, hh is null ? x : V<double>(hh), V<double>(cPrev), V<double>(c), V<double>(h), V<double>(act), output is null ? x : V<double>(output), v, g);
        }
    }

    /// <inheritdoc />
    public override void LstmCellBackward(Storage act, Storage cPrev, Storage? dh, Storage? dOutput, Storage? dc,
        Storage dGates, Storage dcPrev, Storage? valid, in LstmCellParams p)
    {
        var dtype = FloatType(act, "lstm_cell backward");
        if (p.Batch == 0 || p.Hidden == 0)
        {
            return;
        }
        Bind();
        var g = LstmGeometry(p);
        g.HasDh = dh is null ? 0 : 1;
        g.HasDy = dOutput is null ? 0 : 1;
        g.HasDc = dc is null ? 0 : 1;
        g.HasValid = valid is null ? 0 : 1;
        g.ZeroDh = valid is not null && dh is not null ? 1 : 0;
        var v = valid is null ? G(act).View<byte>() : V<byte>(valid);
        if (dtype == DType.Float32)
        {
            BackwardT<float>(act, cPrev, dh, dOutput, dc, dGates, dcPrev, v, g);
        }
        else
        {
            BackwardT<double>(act, cPrev, dh, dOutput, dc, dGates, dcPrev, v, g);
        }
    }

    private void BackwardT<T>(Storage act, Storage cPrev, Storage? dh, Storage? dOutput, Storage? dc, Storage dGates, Storage dcPrev,
        ArrayView<byte> valid, LstmGeom g) where T : unmanaged
    {
        var k = Kernel(LstmBackK<T>.Backward, static (a, m) => a.LoadAutoGroupedStreamKernel(m.CreateDelegate<Action<Index1D, ArrayView<T>, ArrayView<T>,
            ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<byte>, LstmGeom>>()));
        var s = V<T>(act);
        k(g.Step, s, V<T>(cPrev), dh is null ? s : V<T>(dh), dOutput is null ? s : V<T>(dOutput), dc is null ? s : V<T>(dc),
            V<T>(dGates), V<T>(dcPrev), valid, g);
    }
}
