namespace Engine.Nn;

/// <summary>
/// What a fusion module returns: the joint representation (B, D), and where the module has them,
/// the cross-modal attention weights (B, M, M) (query modality, key modality, averaged over heads)
/// and the per-sample modality weights (B, M) (zero for missing modalities, summing to 1).
/// </summary>
public readonly record struct FusionOutput(Tensor Joint, Tensor? AttentionWeights, Tensor? ModalityWeights);

/// <summary>Shared checks for fusion modules.</summary>
internal static class FusionInputs
{
    /// <summary>
    /// Validates M embeddings (B, D_m) and the presence mask (B, M) (Bool, true = present; null =
    /// all present); throws if a sample has no modality at all. Returns the mask.
    /// </summary>
    public static Tensor Check(string op, IReadOnlyList<Tensor> embeddings, IReadOnlyList<int> dims, Tensor? present)
    {
        if (embeddings.Count != dims.Count)
        {
            throw new ArgumentException($"{op}: expected {dims.Count} modality embeddings, got {embeddings.Count}");
        }
        int batch = embeddings[0].Dim == 2 ? embeddings[0].Size(0) : -1;
        for (int m = 0; m < embeddings.Count; m++)
        {
            var e = embeddings[m];
            if (e.Dim != 2 || e.Size(0) != batch || e.Size(1) != dims[m])
            {
                throw new ArgumentException($"{op}: modality {m} embedding must be ({batch}, {dims[m]}), got {Shapes.Of(e)}");
            }
        }
        if (present is null)
        {
            return Tensor.Ones(new[] { batch, dims.Count }, DType.Bool, embeddings[0].Device);
        }
        if (present.DType != DType.Bool || !present.Shape.SequenceEqual(new[] { batch, dims.Count }))
        {
            throw new ArgumentException($"{op}: presence mask must be Bool ({batch}, {dims.Count}), got {present.DType} {Shapes.Of(present)}");
        }
        if (present.Device.Kind != DeviceKind.Cpu)
        {
            // On an accelerator the check would read the mask back every forward pass; a sample
            // with no modality there gets NaN fusion weights instead of this exception.
            return present;
        }
        var p = present.ToArray<bool>();
        for (int b = 0; b < batch; b++)
        {
            bool any = false;
            for (int m = 0; m < dims.Count; m++)
            {
                any |= p[b * dims.Count + m];
            }
            if (!any)
            {
                throw new ArgumentException($"{op}: sample {b} has no modality present; at least one is needed");
            }
        }
        return present;
    }

    /// <summary>The embedding with rows of absent samples replaced by zeros (so no value, not even NaN, leaks).</summary>
    public static Tensor Masked(Tensor embedding, Tensor presentColumn)
        => Tensor.Where(presentColumn.Unsqueeze(1), embedding, Tensor.Zeros(new[] { 1, 1 }, embedding.DType, embedding.Device));
}
