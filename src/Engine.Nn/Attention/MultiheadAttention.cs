using Engine.Autograd;

namespace Engine.Nn;

/// <summary>The result of <see cref="MultiheadAttention"/>: the attended output and the attention weights (null unless requested).</summary>
public readonly record struct AttentionOutput(Tensor Output, Tensor? Weights);

/// <summary>
/// Multi-head scaled dot-product attention (torch.nn.MultiheadAttention) with PyTorch's
/// parameters: in_proj_weight (3E, E), in_proj_bias (3E) and out_proj (a Linear). Inputs are
/// (L, B, E), or (B, L, E) when batch-first, or unbatched (L, E).
/// </summary>
public sealed class MultiheadAttention : Module
{
    /// <summary>
    /// Creates the layer with PyTorch's init: xavier_uniform on in_proj_weight, zero biases, and
    /// out_proj.weight with Linear's default.
    /// </summary>
    public MultiheadAttention(int embedDim, int numHeads, double dropout = 0, bool bias = true, bool batchFirst = false, Generator? generator = null, DType? dtype = null)
    {
        if (embedDim <= 0 || numHeads <= 0 || embedDim % numHeads != 0)
        {
            throw new ArgumentException($"MultiheadAttention: embed_dim ({embedDim}) must be positive and divisible by num_heads ({numHeads})");
        }
        EmbedDim = embedDim;
        NumHeads = numHeads;
        HeadDim = embedDim / numHeads;
        DropoutP = dropout;
        DropoutGenerator = generator;
        BatchFirst = batchFirst;
        InProjWeight = RegisterParameter("in_proj_weight", Persistent(() => Tensor.Empty(new[] { 3 * embedDim, embedDim }, dtype)))!;
        InProjBias = RegisterParameter("in_proj_bias", bias ? Persistent(() => Tensor.Zeros(new[] { 3 * embedDim }, dtype)) : null);
        OutProj = RegisterModule("out_proj", new Linear(embedDim, embedDim, bias, generator, dtype));
        Init.XavierUniform_(InProjWeight, generator: generator);
        if (OutProj.Bias is not null)
        {
            Init.Zeros_(OutProj.Bias);
        }
    }

    /// <summary>Model width E.</summary>
    public int EmbedDim { get; }

    /// <summary>Number of heads.</summary>
    public int NumHeads { get; }

    /// <summary>E / heads.</summary>
    public int HeadDim { get; }

    /// <summary>Dropout on the attention weights while training.</summary>
    public double DropoutP { get; }

    /// <summary>Whether inputs are (B, L, E).</summary>
    public bool BatchFirst { get; }

    /// <summary>Stacked query, key and value projections (3E, E).</summary>
    public Tensor InProjWeight { get; }

    /// <summary>Stacked projection biases (3E) or null.</summary>
    public Tensor? InProjBias { get; }

    /// <summary>The output projection.</summary>
    public Linear OutProj { get; }

    /// <summary>Random source for attention dropout (the constructor's generator unless set; null: the global one).</summary>
    public Generator? DropoutGenerator { get; set; }

    /// <summary>
    /// Attends from <paramref name="query"/> (L) to <paramref name="key"/>/<paramref name="value"/> (S).
    /// keyPaddingMask (B, S): Bool true = ignore that key, or float added to the scores.
    /// attnMask (L, S) or (B * heads, L, S): Bool true = not allowed, or float added.
    /// isCausal adds a mask hiding keys after each query position. Weights come back averaged over
    /// heads (B, L, S) when <paramref name="averageAttnWeights"/>, else per head (B, heads, L, S).
    /// </summary>
    public AttentionOutput Forward(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask = null, bool needWeights = true, Tensor? attnMask = null,
        bool averageAttnWeights = true, bool isCausal = false)
    {
        bool unbatched = query.Dim == 2;
        if (query.Dim != (unbatched ? 2 : 3) || key.Dim != query.Dim || value.Dim != query.Dim)
        {
            throw new ArgumentException($"MultiheadAttention: query, key and value must all be 2-D (unbatched) or 3-D, got {Shapes.Of(query)}, {Shapes.Of(key)}, {Shapes.Of(value)}");
        }
        bool selfAttention = ReferenceEquals(query, key) && ReferenceEquals(key, value);
        Tensor q = query, k = key, v = value;
        if (unbatched)
        {
            q = q.Unsqueeze(1);
            k = selfAttention ? q : k.Unsqueeze(1);
            v = selfAttention ? q : v.Unsqueeze(1);
            keyPaddingMask = keyPaddingMask?.Unsqueeze(0);
        }
        else if (BatchFirst)
        {
            q = q.Transpose(0, 1);
            k = selfAttention ? q : k.Transpose(0, 1);
            v = selfAttention ? q : v.Transpose(0, 1);
        }
        // Now (L, B, E) and (S, B, E).
        int len = q.Size(0), batch = q.Size(1), src = k.Size(0);
        if (q.Size(2) != EmbedDim || k.Size(2) != EmbedDim || v.Size(2) != EmbedDim)
        {
            throw new ArgumentException($"MultiheadAttention: expected feature size {EmbedDim}, got query {Shapes.Of(query)}, key {Shapes.Of(key)}, value {Shapes.Of(value)}");
        }
        if (k.Size(1) != batch || v.Size(1) != batch || v.Size(0) != src)
        {
            throw new ArgumentException($"MultiheadAttention: key {Shapes.Of(key)} and value {Shapes.Of(value)} must match the query's batch and each other's length");
        }

        bool dropout = DropoutP > 0 && Training;
        // The fused core's weights carry no gradient: with weights asked for while recording, compose.
        if (!dropout && !(needWeights && GradMode.IsEnabled) && query.Device.Kind == DeviceKind.Cpu && query.DType is DType.Float32 or DType.Float64)
        {
            var fused = ForwardFused(query, key, value, selfAttention, unbatched, keyPaddingMask, attnMask, isCausal, len, batch, src);
            if (fused is AttentionOutput result)
            {
                return NeedWeights(result, needWeights, averageAttnWeights, unbatched);
            }
        }

        Tensor qp, kp, vp;
        if (selfAttention)
        {
            var all = Tensor.Linear(q, InProjWeight, InProjBias).Chunk(3, -1);
            (qp, kp, vp) = (all[0], all[1], all[2]);
        }
        else
        {
            qp = Tensor.Linear(q, InProjWeight.Narrow(0, 0, EmbedDim), InProjBias?.Narrow(0, 0, EmbedDim));
            kp = Tensor.Linear(k, InProjWeight.Narrow(0, EmbedDim, EmbedDim), InProjBias?.Narrow(0, EmbedDim, EmbedDim));
            vp = Tensor.Linear(v, InProjWeight.Narrow(0, 2 * EmbedDim, EmbedDim), InProjBias?.Narrow(0, 2 * EmbedDim, EmbedDim));
        }
        // (L, B, E) -> (B, heads, L, hd)
        var kh = Heads(kp, src, batch);
        var vh = Heads(vp, src, batch);
        Tensor ctx; // (B, heads, L, hd)
        Tensor? attn = null;
        if (!dropout && !needWeights && query.Device.Kind != DeviceKind.Cpu)
        {
            // On a device, with no weights to return, scores, softmax and weighted sum are one fused op.
            var qu = Heads(qp, len, batch);
            var fusedMask = CombinedMask(keyPaddingMask, attnMask, isCausal, batch, len, src, qu);
            ctx = Functional.ScaledDotProductAttention(qu, kh, vh, fusedMask, scale: 1.0 / Math.Sqrt(HeadDim));
        }
        else
        {
            var qh = Heads(qp, len, batch) * (1.0 / Math.Sqrt(HeadDim));
            var scores = qh.MatMul(kh.MT); // (B, heads, L, S)
            var mask = CombinedMask(keyPaddingMask, attnMask, isCausal, batch, len, src, scores);
            if (mask is not null)
            {
                scores = scores + mask;
            }
            attn = scores.Softmax(-1);
            var attnUsed = dropout ? NnFunctional.Dropout(attn, DropoutP, true, DropoutGenerator) : attn;
            ctx = attnUsed.MatMul(vh);
        }
        var merged = ctx.Permute(2, 0, 1, 3).Reshape(len, batch, EmbedDim);
        var output = OutProj.Forward(merged);
        if (unbatched)
        {
            output = output.Squeeze(1);
        }
        else if (BatchFirst)
        {
            output = output.Transpose(0, 1);
        }
        return NeedWeights(new AttentionOutput(output, attn), needWeights, averageAttnWeights, unbatched);
    }

    private static AttentionOutput NeedWeights(AttentionOutput r, bool needWeights, bool average, bool unbatched)
    {
        Tensor? weights = null;
        if (needWeights && r.Weights is Tensor attn)
        {
            weights = average ? attn.Mean(1) : attn;
            if (unbatched)
            {
                weights = weights.Squeeze(0);
            }
        }
        return r with { Weights = weights };
    }

    /// <summary>
    /// The CPU path: projections as single 2-D products on the inputs' own memory order (batch-first
    /// inputs stay batch-major throughout), then <see cref="FusedAttention"/> and the output
    /// projection. Null when the fused core does not apply (the caller composes instead).
    /// </summary>
    private AttentionOutput? ForwardFused(Tensor query, Tensor key, Tensor value, bool selfAttention, bool unbatched, Tensor? keyPaddingMask,
        Tensor? attnMask, bool isCausal, int len, int batch, int src)
    {
        // Inputs in their stored order: (L, B, E), (B, L, E) when batch-first, or (L, 1, E) unbatched.
        Tensor q = unbatched ? query.Unsqueeze(1) : query;
        Tensor k = selfAttention ? q : unbatched ? key.Unsqueeze(1) : key;
        Tensor v = selfAttention ? q : unbatched ? value.Unsqueeze(1) : value;
        bool batchMajor = BatchFirst && !unbatched;
        Tensor SeqFirst(Tensor t) => batchMajor ? t.Transpose(0, 1) : t;
        int e = EmbedDim;
        Tensor qv, kv, vv;
        int kCol = 0, vCol = 0;
        if (selfAttention)
        {
            qv = kv = vv = SeqFirst(Project(q, InProjWeight, InProjBias));
            kCol = e;
            vCol = 2 * e;
        }
        else
        {
            qv = SeqFirst(Project(q, InProjWeight.Narrow(0, 0, e), InProjBias?.Narrow(0, 0, e)));
            kv = SeqFirst(Project(k, InProjWeight.Narrow(0, e, e), InProjBias?.Narrow(0, e, e)));
            vv = SeqFirst(Project(v, InProjWeight.Narrow(0, 2 * e, e), InProjBias?.Narrow(0, 2 * e, e)));
        }
        var mask = CombinedMask(keyPaddingMask, attnMask, isCausal, batch, len, src, qv);
        if (!FusedAttention.Supports(qv, kv, vv, mask))
        {
            return null;
        }
        var (ctx, attn) = FusedAttention.Run(qv, 0, kv, kCol, vv, vCol, NumHeads, e, mask, batchMajor);
        // ctx is (L, B, E) over memory in the input's order; back to that order (a view), then project.
        var output = Project(batchMajor ? ctx.Transpose(0, 1) : ctx, OutProj.Weight, OutProj.Bias);
        return new AttentionOutput(unbatched ? output.Squeeze(1) : output, attn);
    }

    /// <summary>x @ w^T + b over the last dim, as one 2-D product when x is contiguous (its weight gradient is then one GEMM).</summary>
    private static Tensor Project(Tensor x, Tensor w, Tensor? b)
    {
        if (!x.IsContiguous)
        {
            return Tensor.Linear(x, w, b);
        }
        int rows = x.Size(0) * x.Size(1);
        return Tensor.Linear(x.Reshape(rows, x.Size(2)), w, b).Reshape(x.Size(0), x.Size(1), w.Size(0));
    }

    /// <summary>Self-attention: query = key = value = <paramref name="x"/>.</summary>
    public AttentionOutput ForwardSelf(Tensor x, Tensor? keyPaddingMask = null, Tensor? attnMask = null, bool needWeights = true, bool isCausal = false)
        => Forward(x, x, x, keyPaddingMask, needWeights, attnMask, true, isCausal);

    private Tensor Heads(Tensor x, int len, int batch) => x.Reshape(len, batch, NumHeads, HeadDim).Permute(1, 2, 0, 3);

    private Tensor? CombinedMask(Tensor? keyPadding, Tensor? attnMask, bool isCausal, int batch, int len, int src, Tensor like)
    {
        Tensor? total = null;
        if (keyPadding is not null)
        {
            if (!keyPadding.Shape.SequenceEqual(new[] { batch, src }))
            {
                throw new ArgumentException($"MultiheadAttention: key_padding_mask must be ({batch}, {src}), got {Shapes.Of(keyPadding)}");
            }
            total = Additive(keyPadding, like).Reshape(batch, 1, 1, src);
        }
        if (attnMask is not null)
        {
            Tensor m;
            if (attnMask.Dim == 2 && attnMask.Size(0) == len && attnMask.Size(1) == src)
            {
                m = Additive(attnMask, like);
            }
            else if (attnMask.Dim == 3 && attnMask.Shape.SequenceEqual(new[] { batch * NumHeads, len, src }))
            {
                m = Additive(attnMask, like).Reshape(batch, NumHeads, len, src);
            }
            else
            {
                throw new ArgumentException($"MultiheadAttention: attn_mask must be ({len}, {src}) or ({batch * NumHeads}, {len}, {src}), got {Shapes.Of(attnMask)}");
            }
            total = total is null ? m : total + m;
        }
        if (isCausal)
        {
            var m = Additive(CausalMask(len, src, like.Device), like);
            total = total is null ? m : total + m;
        }
        return total;
    }

    /// <summary>A Bool (L, S) mask, true above the diagonal: query i may not see keys j &gt; i.</summary>
    public static Tensor CausalMask(int len, int src, Device? device = null)
    {
        var m = new bool[len * src];
        for (int i = 0; i < len; i++)
        {
            for (int j = i + 1; j < src; j++)
            {
                m[i * src + j] = true;
            }
        }
        return Tensor.FromArray(m, new[] { len, src }, device);
    }

    private static Tensor Additive(Tensor mask, Tensor like)
    {
        if (mask.DType == DType.Bool)
        {
            return Tensor.Zeros(mask.Shape, like.DType, like.Device).MaskedFill(mask, double.NegativeInfinity);
        }
        return mask.DType == like.DType ? mask : mask.To(like.DType);
    }
}
