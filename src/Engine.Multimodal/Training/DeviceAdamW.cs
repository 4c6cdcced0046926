using Engine.Gpu;
using Engine.Nn.Optim;

namespace Engine.Multimodal.Training;

/// <summary>
/// AdamW (torch.optim.AdamW's formulas, Engine.Nn's state keys exp_avg/exp_avg_sq, so state dicts are
/// interchangeable with <see cref="AdamW"/>): on the CPU it is Engine.Nn's composed tensor-op update; on an ILGPU
/// device the float32 parameters of a step are updated together by <see cref="MultiTensorAdam"/>, six per kernel
/// launch, instead of one launch per parameter (or a dozen elementwise launches). Their moments live in one flat
/// device buffer per device; exp_avg and exp_avg_sq are views of it, so state dicts see ordinary tensors.
/// </summary>
public sealed class DeviceAdamW : Adam
{
    private readonly List<(ParamGroup Group, Tensor Param, Tensor Grad, long Step)> _pending = new();
    private readonly Dictionary<Device, FlatState> _flat = new();

    /// <summary>Creates the optimizer over one group.</summary>
    public DeviceAdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2)
        : base(parameters, lr, beta1, beta2, eps, weightDecay)
    {
    }

    /// <inheritdoc />
    protected override bool DecoupledWeightDecay => true;

    /// <inheritdoc />
    protected override void Update(ParamGroup group, Tensor param, Tensor grad, long step)
    {
        if (!Batchable(param) || group["amsgrad"] != 0)
        {
            base.Update(group, param, grad, step);
            return;
        }
        _pending.Add((group, param, grad.Contiguous(), step));
    }

    /// <inheritdoc />
    protected override void EndStep()
    {
        if (_pending.Count == 0)
        {
            return;
        }
        try
        {
            // One batch per group (the hyper-parameters are per group) and device (one state buffer per device).
            foreach (var batch in _pending.GroupBy(u => (u.Group, u.Param.Device)))
            {
                var items = batch.ToList();
                var flat = FlatFor(batch.Key.Device, items.Select(u => u.Param));
                var g = batch.Key.Group;
                MultiTensorAdam.Step(items.Select(u => u.Param).ToList(), items.Select(u => u.Grad).ToList(),
                    items.Select(u => flat.Offsets[u.Param]).ToList(), items.Select(u => u.Step).ToList(), flat.Buffer,
                    g.Lr, g["beta1"], g["beta2"], g["eps"], g["weight_decay"], decoupledWeightDecay: true);
                foreach (var u in items)
                {
                    u.Param.MarkModifiedInPlace();
                }
                flat.Buffer.MarkModifiedInPlace();
            }
        }
        finally
        {
            _pending.Clear();
        }
    }

    private static bool Batchable(Tensor param) => param.Device.Backend is GpuBackend && param.DType == DType.Float32 && param.IsContiguous;

    // The device's flat moment buffer: built once for every batchable parameter of the device (again if a new one
    // appears), with each parameter's exp_avg/exp_avg_sq registered as views of it when the parameter is first
    // stepped. A state tensor that is not that view (LoadStateDict puts ordinary tensors there) is copied in.
    private FlatState FlatFor(Device device, IEnumerable<Tensor> stepped)
    {
        if (!_flat.TryGetValue(device, out var flat) || stepped.Any(p => !flat.Offsets.ContainsKey(p)))
        {
            var parameters = ParamGroups.SelectMany(g => g.Parameters).Where(p => p.Device.Equals(device) && Batchable(p)).ToList();
            var offsets = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
            int total = 0;
            foreach (var p in parameters)
            {
                offsets[p] = total;
                total = checked(total + p.NumEl);
            }
            using (TensorScopeOutside.Begin())
            {
                flat = new FlatState(Tensor.Zeros(new[] { 2 * total }, DType.Float32, device), total, offsets);
            }
            _flat[device] = flat;
        }
        foreach (var p in stepped)
        {
            Register(flat, p);
        }
        return flat;
    }

    private void Register(FlatState flat, Tensor p)
    {
        if (!flat.Views.TryGetValue(p, out var mv))
        {
            using (TensorScopeOutside.Begin())
            {
                int off = flat.Offsets[p];
                mv = (flat.Buffer.Narrow(0, off, p.NumEl).View(p.Shape), flat.Buffer.Narrow(0, flat.Half + off, p.NumEl).View(p.Shape));
            }
            flat.Views[p] = mv;
        }
        var m = StateOf(p, "exp_avg");
        var v = StateOf(p, "exp_avg_sq");
        if (ReferenceEquals(m, mv.M) && ReferenceEquals(v, mv.V))
        {
            return;
        }
        // A fresh slot is zero; one written before (state since cleared) is zeroed like a new state would be.
        bool dirty = !flat.Clean.Remove(p);
        CopyOrZero(mv.M, m, dirty);
        CopyOrZero(mv.V, v, dirty);
        SetState(p, "exp_avg", mv.M);
        SetState(p, "exp_avg_sq", mv.V);
    }

    private static void CopyOrZero(Tensor slot, Tensor? state, bool dirty)
    {
        if (state is not null)
        {
            slot.CopyFrom_(state);
        }
        else if (dirty)
        {
            slot.Zero_();
        }
    }

    private Tensor? StateOf(Tensor p, string key) => HasState(p, key) ? State(p, key, static () => throw new InvalidOperationException("unreachable")) : null;

    private sealed class FlatState
    {
        public FlatState(Tensor buffer, int half, Dictionary<Tensor, int> offsets)
        {
            Buffer = buffer;
            Half = half;
            Offsets = offsets;
            Clean = new HashSet<Tensor>(offsets.Keys, ReferenceEqualityComparer.Instance);
        }

        public Tensor Buffer { get; }

        public int Half { get; }

        public Dictionary<Tensor, int> Offsets { get; }

        public Dictionary<Tensor, (Tensor M, Tensor V)> Views { get; } = new(ReferenceEqualityComparer.Instance);

        /// <summary>Parameters whose slots have never been written.</summary>
        public HashSet<Tensor> Clean { get; }
    }
}
