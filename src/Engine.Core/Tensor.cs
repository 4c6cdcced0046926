using Engine.Autograd;
using Engine.Backends;

namespace Engine;

/// <summary>
/// An n-dimensional array with reverse-mode autograd. A tensor is a view (shape, strides, offset)
/// over a <see cref="Storage"/>; views such as <see cref="Reshape"/> or <see cref="Transpose"/>
/// share the storage and copy nothing. Operations follow PyTorch's names and broadcasting rules.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private readonly int[] _shape;
    private readonly int[] _strides;
    private Storage? _storage;
    private bool _requiresGrad;

    internal Tensor(Storage storage, int[] shape, int[] strides, int offset)
    {
        _storage = storage;
        _shape = shape;
        _strides = strides;
        Offset = offset;
        storage.AddRef();
        TensorScope.Register(this);
    }

    /// <summary>The memory this tensor views.</summary>
    public Storage Storage => _storage ?? throw new ObjectDisposedException(nameof(Tensor), $"Tensor of shape {ShapeString(_shape)} was disposed");

    /// <summary>Offset of element (0, ..., 0) in the storage.</summary>
    public int Offset { get; }

    /// <summary>The size of each dimension (a copy).</summary>
    public int[] Shape => (int[])_shape.Clone();

    /// <summary>The stride of each dimension in elements (a copy).</summary>
    public int[] Strides => (int[])_strides.Clone();

    /// <summary>Number of dimensions.</summary>
    public int Dim => _shape.Length;

    /// <summary>Number of elements.</summary>
    public int NumEl => ShapeUtil.Numel(_shape);

    /// <summary>Element type.</summary>
    public DType DType => Storage.DType;

    /// <summary>Where the tensor lives.</summary>
    public Device Device => Storage.Device;

    internal Backend Backend => Storage.Device.Backend;

    internal ReadOnlySpan<int> ShapeSpan => _shape;

    internal ReadOnlySpan<int> StridesSpan => _strides;

    internal int[] ShapeArray => _shape;

    internal int[] StridesArray => _strides;

    internal Operand AsOperand() => new(Storage, Offset, _strides);

    /// <summary>Size of one dimension (negative counts from the end).</summary>
    public int Size(int dim) => _shape[ShapeUtil.NormDim(dim, Dim, "size")];

    /// <summary>Stride of one dimension (negative counts from the end).</summary>
    public int Stride(int dim) => _strides[ShapeUtil.NormDim(dim, Dim, "stride")];

    /// <summary>Whether elements are laid out densely in row-major order.</summary>
    public bool IsContiguous => CpuBackend.IsContiguous(_shape, _strides);

    /// <summary>Whether the tensor has been disposed.</summary>
    public bool IsDisposed => _storage is null;

    // ---------------------------------------------------------------- autograd fields

    /// <summary>
    /// Whether gradients flow to this tensor. Set it on leaves (parameters, inputs); results of
    /// operations on such tensors require gradients automatically.
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (GradFn is not null && !value)
            {
                throw new InvalidOperationException("RequiresGrad: cannot turn off gradients of a non-leaf tensor; use Detach()");
            }
            if (value && !DType.IsFloating())
            {
                throw new InvalidOperationException($"RequiresGrad: only floating-point tensors can require gradients, not {DType}");
            }
            _requiresGrad = value;
        }
    }

    /// <summary>The accumulated gradient of a leaf after <see cref="Backward"/>, or null.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The graph node that produced this tensor (null for leaves).</summary>
    public Node? GradFn { get; internal set; }

    /// <summary>Whether this tensor is a leaf of the graph (not produced by a recorded op).</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor (fluent).</summary>
    public Tensor RequiresGrad_(bool requires = true)
    {
        RequiresGrad = requires;
        return this;
    }

    /// <summary>A tensor sharing this one's memory but cut from the graph.</summary>
    public Tensor Detach() => new(Storage, _shape, _strides, Offset);

    /// <summary>
    /// Computes gradients of this tensor with respect to every leaf that requires them, and
    /// accumulates them into the leaves' <see cref="Grad"/>. A scalar needs no
    /// <paramref name="gradient"/>; any other shape does. The graph is freed afterwards unless
    /// <paramref name="retainGraph"/> is set.
    /// </summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) => Backprop.Run(this, gradient, retainGraph);

    // ---------------------------------------------------------------- lifetime

    /// <summary>
    /// Releases this tensor's hold on its memory; when no tensor uses the memory any more it goes
    /// back to the pool. Using the tensor afterwards throws.
    /// </summary>
    public void Dispose()
    {
        var s = _storage;
        if (s is null)
        {
            return;
        }
        _storage = null;
        s.Release();
    }

    internal void BumpVersion() => Storage.Version++;

    /// <summary>
    /// Records that this tensor's memory was changed in place outside the tensor API (for example
    /// by a fused optimizer kernel), so autograd can detect saved tensors that went stale.
    /// </summary>
    public void MarkModifiedInPlace() => BumpVersion();

    internal static string ShapeString(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}
