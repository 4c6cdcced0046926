using Engine.Nn;

namespace Engine.Multimodal.Model;

/// <summary>
/// Image encoder: a small CNN, conv3x3(1→16) ReLU maxpool, conv3x3(16→32) ReLU maxpool, then a linear
/// projection to the embedding size. Input (B, S, S, 1), output (B, dim).
/// </summary>
public sealed class ImageEncoder : Module<Tensor, Tensor>
{
    private readonly Conv2dNhwc _conv1;
    private readonly Conv2dNhwc _conv2;
    private readonly Linear _fc;
    private readonly Dropout _drop;

    /// <summary>Creates the encoder for square images of side <paramref name="size"/>.</summary>
    public ImageEncoder(int size, int dim, double dropout, Generator g)
    {
        _conv1 = RegisterModule("conv1", new Conv2dNhwc(1, 16, 3, g));
        _conv2 = RegisterModule("conv2", new Conv2dNhwc(16, 32, 3, g));
        int s = ((size - 2) / 2 - 2) / 2;
        _fc = RegisterModule("fc", new Linear(s * s * 32, dim, generator: g));
        _drop = RegisterModule("drop", new Dropout(dropout, g));
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var x = Pool.ReluMaxPool2x2(_conv1.Forward(input));
        x = Pool.ReluMaxPool2x2(_conv2.Forward(x));
        return _drop.Forward(PatchOps.Project(_fc, x.Flatten(1)).Relu());
    }
}

/// <summary>
/// Audio encoder over normalised MFCC frames: conv1d k5 (n_mfcc→32) ReLU maxpool, conv1d k5 (32→64) ReLU,
/// then mean and max over time, projected to the embedding size. Input (B, T, n_mfcc), output (B, dim).
/// </summary>
public sealed class AudioEncoder : Module<Tensor, Tensor>
{
    private readonly Conv1dTime _conv1;
    private readonly Conv1dTime _conv2;
    private readonly Linear _fc;
    private readonly Dropout _drop;

    /// <summary>Creates the encoder.</summary>
    public AudioEncoder(int nMfcc, int dim, double dropout, Generator g)
    {
        _conv1 = RegisterModule("conv1", new Conv1dTime(nMfcc, 32, 5, g));
        _conv2 = RegisterModule("conv2", new Conv1dTime(32, 64, 5, g));
        _fc = RegisterModule("fc", new Linear(128, dim, generator: g));
        _drop = RegisterModule("drop", new Dropout(dropout, g));
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var x = Pool.ReluMaxPool1d2(_conv1.Forward(input));
        x = _conv2.Forward(x);
        Tensor pooled;
        if (PatchOps.Supported(x))
        {
            pooled = PatchOps.ReluMeanMaxOverTime(x);
        }
        else
        {
            x = x.Relu();
            pooled = Tensor.Cat(new[] { x.Mean(1), x.Amax(new[] { 1 }) }, 1);
        }
        return _drop.Forward(PatchOps.Project(_fc, pooled).Relu());
    }
}

/// <summary>
/// Text encoder: an embedding table over word and character-trigram features, mean-pooled (the batch holds
/// normalised feature counts, so pooling is one matmul), then a linear projection. Input (B, V), output (B, dim).
/// The table can be initialised from Word2Vec vectors.
/// </summary>
public sealed class TextEncoder : Module<Tensor, Tensor>, IWordVectorTable
{
    private readonly Linear _fc;
    private readonly Dropout _drop;

    /// <summary>Creates the encoder for a vocabulary of <paramref name="vocab"/> features.</summary>
    public TextEncoder(int vocab, int embedDim, int dim, double dropout, Generator g)
    {
        Table = RegisterParameter("table", Persistent(() => Tensor.Normal(new[] { Math.Max(vocab, 1), embedDim }, 0, 0.1, g)))!;
        _fc = RegisterModule("fc", new Linear(embedDim, dim, generator: g));
        _drop = RegisterModule("drop", new Dropout(dropout, g));
    }

    /// <summary>The feature embedding table (V, E).</summary>
    public Tensor Table { get; }

    /// <summary>
    /// Copies Word2Vec vectors into the rows of word features ("w:word") found in <paramref name="vectors"/>;
    /// character-trigram rows keep their random init. Returns how many rows were set.
    /// </summary>
    public int InitFromWordVectors(IReadOnlyList<string> vocabulary, Engine.Text.Vectors.WordVectors vectors) => WordVectorTable.Init(Table, vocabulary, vectors, "TextEncoder");

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => _drop.Forward(_fc.Forward(input.MatMul(Table)).Relu());
}

/// <summary>A text encoder whose feature embedding table can start from Word2Vec vectors.</summary>
public interface IWordVectorTable
{
    /// <summary>The feature embedding table (V, E).</summary>
    Tensor Table { get; }

    /// <summary>Copies Word2Vec vectors into the rows of known word features; returns how many rows were set.</summary>
    int InitFromWordVectors(IReadOnlyList<string> vocabulary, Engine.Text.Vectors.WordVectors vectors);
}

/// <summary>Word2Vec initialisation of a feature embedding table.</summary>
public static class WordVectorTable
{
    /// <summary>
    /// Copies Word2Vec vectors into the rows of word features ("w:word") of <paramref name="table"/> found in
    /// <paramref name="vectors"/> (character-trigram rows keep their values); returns how many rows were set.
    /// </summary>
    public static int Init(Tensor table, IReadOnlyList<string> vocabulary, Engine.Text.Vectors.WordVectors vectors, string owner)
    {
        if (vectors.Dim != table.Size(1))
        {
            throw new ArgumentException($"{owner}: word vectors have dimension {vectors.Dim}, the table has {table.Size(1)}");
        }
        var data = table.ToArray<float>();
        int set = 0;
        for (int i = 0; i < vocabulary.Count && i < table.Size(0); i++)
        {
            if (vocabulary[i].StartsWith("w:", StringComparison.Ordinal) && vectors.IndexOf(vocabulary[i][2..]) is int k and >= 0)
            {
                vectors[k].CopyTo(data.AsSpan(i * vectors.Dim, vectors.Dim));
                set++;
            }
        }
        using var noGrad = Engine.Autograd.GradMode.NoGrad();
        using var src = Tensor.FromArray(data, table.Shape, table.Device);
        table.CopyFrom_(src);
        return set;
    }
}
