using Engine.Autograd;

namespace Engine.Nn;

/// <summary>A lookup table of vectors (torch.nn.Embedding): indices (any shape, Int64) to (..., embedding_dim).</summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    /// <summary>
    /// Creates the table with N(0, 1) entries (PyTorch's default); the row at
    /// <paramref name="paddingIdx"/> (negative counts from the end) starts at zero and gets no gradient.
    /// </summary>
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIdx = null, Generator? generator = null, DType? dtype = null)
    {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
        {
            throw new ArgumentException($"Embedding: num_embeddings ({numEmbeddings}) and embedding_dim ({embeddingDim}) must be positive");
        }
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        PaddingIdx = NormPadding(paddingIdx, numEmbeddings);
        Weight = RegisterParameter("weight", Persistent(() => Tensor.Empty(new[] { numEmbeddings, embeddingDim }, dtype)))!;
        Init.Normal_(Weight, 0, 1, generator);
        if (PaddingIdx is int p)
        {
            using var noGrad = GradMode.NoGrad();
            Weight.Select(0, p).Zero_();
        }
    }

    private static int? NormPadding(int? paddingIdx, int n)
    {
        if (paddingIdx is not int p)
        {
            return null;
        }
        if (p >= n || p < -n)
        {
            throw new ArgumentException($"Embedding: padding_idx {p} must be within num_embeddings ({n})");
        }
        return p < 0 ? p + n : p;
    }

    /// <summary>
    /// An embedding holding a copy of <paramref name="embeddings"/> (rows are vectors), frozen
    /// (no gradient) unless <paramref name="freeze"/> is false (like Embedding.from_pretrained).
    /// The padding row keeps its pretrained values but gets no gradient.
    /// </summary>
    public static Embedding FromPretrained(Tensor embeddings, bool freeze = true, int? paddingIdx = null)
    {
        if (embeddings.Dim != 2)
        {
            throw new ArgumentException($"Embedding.FromPretrained: embeddings must be 2-D (num_embeddings, embedding_dim), got shape {Shapes.Str(embeddings.Shape)}");
        }
        var e = new Embedding(embeddings.Size(0), embeddings.Size(1), null, new Generator(0), embeddings.DType);
        e.PaddingIdx = NormPadding(paddingIdx, embeddings.Size(0));
        using (GradMode.NoGrad())
        {
            e.Weight.CopyFrom_(embeddings);
        }
        e.Weight.RequiresGrad = !freeze;
        return e;
    }

    /// <summary>Number of rows.</summary>
    public int NumEmbeddings { get; }

    /// <summary>Vector size.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The row that gets no gradient, or null.</summary>
    public int? PaddingIdx { get; private set; }

    /// <summary>The table (num_embeddings, embedding_dim).</summary>
    public Tensor Weight { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        if (input.DType != DType.Int64)
        {
            throw new ArgumentException($"Embedding: indices must be Int64, got {input.DType}");
        }
        var flat = input.Reshape(-1);
        Tensor rows;
        try
        {
            // index_select checks every index (on a GPU inside the kernel), so no copy of the ids to the host here.
            rows = Weight.IndexSelect(0, flat);
        }
        catch (IndexOutOfRangeException e)
        {
            throw new ArgumentOutOfRangeException(nameof(input), $"Embedding: {e.Message} (the table has {NumEmbeddings} embeddings)");
        }
        if (PaddingIdx is int p && rows.RequiresGrad)
        {
            // Padding positions take their value from a detached copy, so no gradient reaches that row.
            var isPad = flat.Eq(p).Unsqueeze(1);
            rows = Tensor.Where(isPad, rows.Detach(), rows);
        }
        return rows.Reshape(input.Shape.Append(EmbeddingDim).ToArray());
    }

    /// <inheritdoc />
    public override string ExtraRepr() => $"{NumEmbeddings}, {EmbeddingDim}" + (PaddingIdx is int p ? $", padding_idx={p}" : "");
}
