using Engine.Kernels;

namespace Engine.Backends;

/// <summary>
/// One operand of a kernel: a storage plus where the elements sit in it. Strides may be 0
/// (broadcast). Built on the stack by the tensor layer, so calling a kernel allocates nothing.
/// </summary>
public readonly ref struct Operand
{
    /// <summary>Creates an operand.</summary>
    public Operand(Storage storage, int offset, ReadOnlySpan<int> strides)
    {
        Storage = storage;
        Offset = offset;
        Strides = strides;
    }

    /// <summary>The memory.</summary>
    public Storage Storage { get; }

    /// <summary>Offset of element (0, ..., 0).</summary>
    public int Offset { get; }

    /// <summary>Stride of each dimension, in elements.</summary>
    public ReadOnlySpan<int> Strides { get; }
}

/// <summary>
/// The primitive kernels a device provides. Everything else (autograd, broadcasting, composite
/// ops, losses) is written once in the tensor layer on top of these, so a new device only has to
/// implement this class. Shapes are checked by the caller; backends trust them.
/// </summary>
public abstract partial class Backend
{
    /// <summary>Allocates storage for <paramref name="length"/> elements.</summary>
    public abstract Storage Allocate(DType dtype, int length, bool zero);

    /// <summary>dst = src over a shape, converting dtype when they differ.</summary>
    public abstract void Copy(Operand src, Operand dst, ReadOnlySpan<int> shape);

    /// <summary>Sets every element of dst to value.</summary>
    public abstract void Fill(Operand dst, ReadOnlySpan<int> shape, double value);

    /// <summary>y = f(x) elementwise (floating types).</summary>
    public abstract void Unary<TFn>(Operand x, Operand y, ReadOnlySpan<int> shape) where TFn : struct, IUnaryFn;

    /// <summary>y = f(a, b) elementwise with broadcasting by zero strides (floating types).</summary>
    public abstract void Binary<TFn>(Operand a, Operand b, Operand y, ReadOnlySpan<int> shape) where TFn : struct, IBinaryFn;

    /// <summary>y = cond ? a : b elementwise, cond of type Bool.</summary>
    public abstract void Where(Operand cond, Operand a, Operand b, Operand y, ReadOnlySpan<int> shape);

    /// <summary>Reduces a contiguous (outer, r, inner) block over r into (outer, inner).</summary>
    public abstract void Reduce<TOp>(Storage x, Storage y, int outer, int r, int inner) where TOp : struct, IReduceOp;

    /// <summary>Max or min with indices over r of a contiguous (outer, r, inner) block.</summary>
    public abstract void ArgExtreme(Storage x, Storage values, Storage indices, int outer, int r, int inner, bool max);

    /// <summary>Softmax or log-softmax of each row of a contiguous (rows, n) block.</summary>
    public abstract void Softmax(Storage x, Storage y, int rows, int n, bool log);

    /// <summary>Backward of <see cref="Softmax"/> given its output y and the gradient g.</summary>
    public abstract void SoftmaxBackward(Storage y, Storage g, Storage gx, int rows, int n, bool log);

    /// <summary>
    /// Batched matrix product c[p] = a[p] @ b[p] (+ c[p] when accumulate), a: (batch, m, k) and
    /// b: (batch, k, n) with any strides (batch stride 0 broadcasts), c contiguous (batch, m, n).
    /// </summary>
    public abstract void MatMul(Operand a, Operand b, Storage c, int batch, int m, int n, int k, bool accumulate);

    /// <summary>
    /// Gathers along an axis: y[o, j, i] = x[o, index[o, j, i], i] where x is a contiguous
    /// (outer, size, inner) block and index/y are contiguous (outer, count, inner) blocks.
    /// </summary>
    public abstract void Gather(Storage x, Storage index, Storage y, int outer, int size, int count, int inner);

    /// <summary>
    /// Scatter-adds along an axis: y[o, index[o, j, i], i] += src[o, j, i], the inverse of
    /// <see cref="Gather"/> (y contiguous (outer, size, inner)).
    /// </summary>
    public abstract void ScatterAdd(Storage y, Storage index, Storage src, int outer, int size, int count, int inner);

    /// <summary>
    /// Selects slices along an axis: y[o, j, i] = x[o, index[j], i], x contiguous (outer, size, inner),
    /// y contiguous (outer, count, inner), index a vector of count Int64 values.
    /// </summary>
    public abstract void IndexSelect(Storage x, Storage index, Storage y, int outer, int size, int count, int inner);

    /// <summary>Adds slices back: y[o, index[j], i] += src[o, j, i] (the backward of IndexSelect).</summary>
    public abstract void IndexAdd(Storage y, Storage index, Storage src, int outer, int size, int count, int inner);

    /// <summary>Copies the elements of a contiguous storage to a new CPU array of doubles (for printing and tests).</summary>
    public abstract double[] ToDoubleArray(Storage s, int offset, int length);

    /// <summary>Reads elements of a contiguous CPU-side copy: moves data to the host as a typed array.</summary>
    public abstract T[] ToArray<T>(Storage s) where T : unmanaged;

    /// <summary>Creates a storage on this device holding a copy of host data.</summary>
    public abstract Storage FromArray<T>(DType dtype, ReadOnlySpan<T> data) where T : unmanaged;

    // ---------------------------------------------------------------- convolution, pooling, normalisation (issue 3)
    // Every storage is compact (contiguous from element 0); optional ones are null when absent.

    /// <summary>y = conv2d(x, w) (+ bias), NCHW (1-D is the case H = KH = 1), sizes in p.</summary>
    public abstract void Conv2dForward(Storage x, Storage w, Storage? bias, Storage y, in Conv2dParams p);

    /// <summary>dx = gradient of conv2d's input given dy (overwrites dx).</summary>
    public abstract void Conv2dBackwardInput(Storage dy, Storage w, Storage dx, in Conv2dParams p);

    /// <summary>dw = gradient of conv2d's weight given x and dy (overwrites dw).</summary>
    public abstract void Conv2dBackwardWeight(Storage x, Storage dy, Storage dw, in Conv2dParams p);

    /// <summary>db = gradient of conv2d's bias: dy summed over batch and positions (overwrites db).</summary>
    public abstract void Conv2dBackwardBias(Storage dy, Storage db, in Conv2dParams p);

    /// <summary>Max pooling: y and the Int64 flat index (h * W + w) of each max within its plane.</summary>
    public abstract void MaxPool2dForward(Storage x, Storage y, Storage indices, in Pool2dParams p);

    /// <summary>dx = dy scattered through the max-pooling indices (overwrites dx).</summary>
    public abstract void MaxPool2dBackward(Storage dy, Storage indices, Storage dx, in Pool2dParams p);

    /// <summary>Average pooling.</summary>
    public abstract void AvgPool2dForward(Storage x, Storage y, in Pool2dParams p);

    /// <summary>Backward of average pooling (overwrites dx).</summary>
    public abstract void AvgPool2dBackward(Storage dy, Storage dx, in Pool2dParams p);

    /// <summary>Adaptive average pooling.</summary>
    public abstract void AdaptiveAvgPool2dForward(Storage x, Storage y, in AdaptivePool2dParams p);

    /// <summary>Backward of adaptive average pooling (overwrites dx).</summary>
    public abstract void AdaptiveAvgPool2dBackward(Storage dy, Storage dx, in AdaptivePool2dParams p);

    /// <summary>
    /// Batch norm forward over x (N, C, inner). Training: batch statistics into mean/invStd, and
    /// running statistics updated in place with momentum when given. Evaluation: mean = a copy of
    /// runningMean and invStd from runningVar (both required).
    /// </summary>
    public abstract void BatchNormForward(Storage x, Storage? weight, Storage? bias, Storage y, Storage mean, Storage invStd,
        Storage? runningMean, Storage? runningVar, bool training, double momentum, in BatchNormParams p);

    /// <summary>Batch norm backward given the forward's mean and invStd; null outputs are skipped.</summary>
    public abstract void BatchNormBackward(Storage x, Storage dy, Storage? weight, Storage mean, Storage invStd,
        Storage? dx, Storage? dweight, Storage? dbias, bool batchStats, in BatchNormParams p);

    /// <summary>Row normalisation forward (layer norm, group norm): y plus each row's mean and rstd.</summary>
    public abstract void RowNormForward(Storage x, Storage? weight, Storage? bias, Storage y, Storage mean, Storage rstd, in RowNormParams p);

    /// <summary>Row normalisation backward; null outputs are skipped.</summary>
    public abstract void RowNormBackward(Storage x, Storage dy, Storage? weight, Storage mean, Storage rstd,
        Storage? dx, Storage? dweight, Storage? dbias, in RowNormParams p);

    // ---------------------------------------------------------------- fused LSTM cell (issue 4)
    // Offsets and sizes in p (see LstmCellParams); gates in PyTorch's order (i, f, g, o).

    /// <summary>
    /// LSTM cell forward: pre = gates (+ hh, a dense (B, 4H) block, when given); c = sigmoid(f) c_prev +
    /// sigmoid(i) tanh(g); h = sigmoid(o) tanh(c); act = (i, f, g, o activated, tanh(c)) per row; output = h
    /// when given. Where valid (Bool per row) is given and false, the row keeps its state (c = c_prev,
    /// h = h_prev, read from h's storage at HPrevOffset) and outputs 0. c may share cPrev's storage.
    /// </summary>
    public abstract void LstmCellForward(Storage gates, Storage? hh, Storage cPrev, Storage c, Storage h, Storage act,
        Storage? output, Storage? valid, in LstmCellParams p);

    /// <summary>
    /// LSTM cell backward from the saved activations: with dh_total = dh + dOutput and dc_total = dc +
    /// dh_total o (1 - tanh(c)^2), writes d(gates) (pre-activation) and dcPrev = dc_total f; null gradients
    /// count as zero. Rows that are not valid get zero d(gates) and pass dc through; when valid is given,
    /// dh of each valid row is zeroed so that accumulating d(gates) @ W_hh into dh completes the carry.
    /// dcPrev may alias dc (same storage and offset).
    /// </summary>
    public abstract void LstmCellBackward(Storage act, Storage cPrev, Storage? dh, Storage? dOutput, Storage? dc,
        Storage dGates, Storage dcPrev, Storage? valid, in LstmCellParams p);

    // ---------------------------------------------------------------- fused scaled-dot-product attention (issue 4)
    // Sizes, scale and mask layout in p (see ScaledDotProductAttentionParams).

    /// <summary>
    /// Attention forward: for each batch item and query row i, scores s_ij = scale q_i . k_j + mask_ij (and
    /// -inf where p.IsCausal and j &gt; i), o_i = softmax(s_i) V and lse_i = log sum_j exp(s_ij). A row whose
    /// scores are all -inf gets NaN in o and lse (as PyTorch's softmax). mask is null when there is none.
    /// </summary>
    public abstract void ScaledDotProductAttentionForward(Storage q, Storage k, Storage v, Storage? mask, Storage o, Storage lse,
        in ScaledDotProductAttentionParams p);

    /// <summary>
    /// Attention backward from the forward's output o and log-sum-exp (probabilities recomputed as
    /// exp(s - lse)): writes dq, dk and dv (each fully overwritten) from the output gradient dO.
    /// </summary>
    public abstract void ScaledDotProductAttentionBackward(Storage q, Storage k, Storage v, Storage? mask, Storage o, Storage lse, Storage dO,
        Storage dq, Storage dk, Storage dv, in ScaledDotProductAttentionParams p);
}
