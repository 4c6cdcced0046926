namespace Engine.Nn;

/// <summary>
/// Baseline late fusion: a linear head per modality gives class logits, and the joint output is
/// their average over the modalities each sample has.
/// </summary>
public sealed class LateFusion : Module
{
    private readonly int[] _dims;
    private readonly Linear[] _heads;

    /// <summary>Creates one head (D_m to numClasses) per modality.</summary>
    public LateFusion(int[] modalityDims, int numClasses, Generator? generator = null, DType? dtype = null)
    {
        if (modalityDims.Length == 0 || modalityDims.Any(d => d <= 0) || numClasses <= 0)
        {
            throw new ArgumentException($"LateFusion: need modalities with positive sizes and positive num_classes, got ({string.Join(", ", modalityDims)}) and {numClasses}");
        }
        _dims = modalityDims.ToArray();
        NumClasses = numClasses;
        var heads = RegisterModule("heads", new ModuleList<Linear>());
        _heads = _dims.Select(d => new Linear(d, numClasses, generator: generator, dtype: dtype)).ToArray();
        foreach (var h in _heads)
        {
            heads.Add(h);
        }
    }

    /// <summary>Classes per head.</summary>
    public int NumClasses { get; }

    /// <summary>
    /// Averages the heads' logits over present modalities: joint (B, classes); modality weights
    /// (B, M) are 1 / (number present) for present modalities and 0 otherwise.
    /// </summary>
    public FusionOutput Forward(IReadOnlyList<Tensor> embeddings, Tensor? present = null)
    {
        var mask = FusionInputs.Check("LateFusion", embeddings, _dims, present);
        var like = embeddings[0];
        var presentF = mask.To(like.DType); // (B, M)
        var weights = presentF / presentF.Sum(1, keepDim: true);
        Tensor? joint = null;
        for (int m = 0; m < _dims.Length; m++)
        {
            var logits = _heads[m].Forward(FusionInputs.Masked(embeddings[m], mask.Select(1, m)));
            var term = logits * weights.Narrow(1, m, 1);
            joint = joint is null ? term : joint + term;
        }
        return new FusionOutput(joint!, null, weights);
    }
}
