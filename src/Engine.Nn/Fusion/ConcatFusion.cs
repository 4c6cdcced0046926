namespace Engine.Nn;

/// <summary>
/// Baseline fusion by concatenation: absent modalities contribute zeros, and the concatenation
/// (B, sum D_m) is projected by a Linear and ReLU to <see cref="OutFeatures"/> (or returned as is
/// when no output size is given).
/// </summary>
public sealed class ConcatFusion : Module
{
    private readonly int[] _dims;

    /// <summary>Creates the module; <paramref name="outFeatures"/> null keeps the raw concatenation.</summary>
    public ConcatFusion(int[] modalityDims, int? outFeatures = null, Generator? generator = null, DType? dtype = null)
    {
        if (modalityDims.Length == 0 || modalityDims.Any(d => d <= 0))
        {
            throw new ArgumentException($"ConcatFusion: need at least one modality with positive size, got ({string.Join(", ", modalityDims)})");
        }
        _dims = modalityDims.ToArray();
        int total = _dims.Sum();
        Projection = outFeatures is int o ? RegisterModule("proj", new Linear(total, o, generator: generator, dtype: dtype)) : null;
        OutFeatures = outFeatures ?? total;
    }

    /// <summary>Size of the joint representation.</summary>
    public int OutFeatures { get; }

    /// <summary>The projection, or null.</summary>
    public Linear? Projection { get; }

    /// <summary>Fuses M embeddings (B, D_m) with an optional presence mask (B, M).</summary>
    public FusionOutput Forward(IReadOnlyList<Tensor> embeddings, Tensor? present = null)
    {
        var mask = FusionInputs.Check("ConcatFusion", embeddings, _dims, present);
        var parts = embeddings.Select((e, m) => FusionInputs.Masked(e, mask.Select(1, m))).ToArray();
        var joint = Tensor.Cat(parts, 1);
        if (Projection is not null)
        {
            joint = Projection.Forward(joint).Relu();
        }
        return new FusionOutput(joint, null, null);
    }
}
