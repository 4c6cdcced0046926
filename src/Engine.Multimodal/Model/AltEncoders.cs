using Engine.Nn;

namespace Engine.Multimodal.Model;

/// <summary>
/// Image encoder on Engine.Nn's small ResNet (<see cref="ResNetEncoder"/>: 3x3 stem, three stages of one basic
/// block, widths 16/32/64, global average pooling), then a linear projection to the embedding size.
/// Input (B, S, S, 1), output (B, dim).
/// </summary>
public sealed class ResNetImageEncoder : Module<Tensor, Tensor>
{
    private readonly ResNetEncoder _resnet;
    private readonly Linear _fc;
    private readonly Dropout _drop;

    /// <summary>Creates the encoder; <paramref name="width"/> is the first stage's channel count.</summary>
    public ResNetImageEncoder(int dim, double dropout, Generator g, int width = 16)
    {
        _resnet = RegisterModule("resnet", new ResNetEncoder(1, width, new[] { 1, 1, 1 }, g));
        _fc = RegisterModule("fc", new Linear(_resnet.OutFeatures, dim, generator: g));
        _drop = RegisterModule("drop", new Dropout(dropout, g));
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        if (input.Dim != 4 || input.Size(3) != 1)
        {
            throw new ArgumentException($"ResNetImageEncoder: expected input (B, H, W, 1), got [{string.Join(", ", input.Shape)}]");
        }
        // Channels-last with one channel is already (B, 1, H, W) in memory order.
        var x = input.Reshape(input.Size(0), 1, input.Size(1), input.Size(2));
        return _drop.Forward(_fc.Forward(_resnet.Forward(x)).Relu());
    }
}

/// <summary>
/// Audio encoder over normalised MFCC frames: max-pooling by 2 over time (halves the sequential steps), a
/// one-layer bidirectional LSTM, mean and max of its outputs over time, projected to the embedding size.
/// Input (B, T, n_mfcc), output (B, dim).
/// </summary>
public sealed class BiLstmAudioEncoder : Module<Tensor, Tensor>
{
    private readonly LSTM _lstm;
    private readonly Linear _fc;
    private readonly Dropout _drop;

    /// <summary>Creates the encoder with <paramref name="hidden"/> units in each direction.</summary>
    public BiLstmAudioEncoder(int nMfcc, int dim, double dropout, Generator g, int hidden = 48)
    {
        _lstm = RegisterModule("lstm", new LSTM(nMfcc, hidden, batchFirst: true, bidirectional: true, generator: g));
        _fc = RegisterModule("fc", new Linear(4 * hidden, dim, generator: g));
        _drop = RegisterModule("drop", new Dropout(dropout, g));
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        if (input.Dim != 3 || input.Size(1) < 2)
        {
            throw new ArgumentException($"BiLstmAudioEncoder: expected input (B, T >= 2, n_mfcc), got [{string.Join(", ", input.Shape)}]");
        }
        var x = _lstm.Forward(Pool.MaxPool1d2(input)).Output; // (B, T/2, 2H)
        var pooled = Tensor.Cat(new[] { x.Mean(1), x.Amax(new[] { 1 }) }, 1);
        return _drop.Forward(_fc.Forward(pooled).Relu());
    }
}

/// <summary>Names of the encoder choices.</summary>
public static class EncoderKinds
{
    /// <summary>Image encoders: cnn (default) and resnet.</summary>
    public static readonly string[] Image = { "cnn", "resnet" };

    /// <summary>Audio encoders: cnn (default) and bilstm.</summary>
    public static readonly string[] Audio = { "cnn", "bilstm" };

    /// <summary>Text encoders: bag (default), attention and bilstm.</summary>
    public static readonly string[] Text = { "bag", "attention", "bilstm" };

    /// <summary>The normalised name of a text encoder; throws on an unknown one.</summary>
    public static string ParseText(string name) => Parse(name, Text, "text encoder");

    /// <summary>The normalised name of an image encoder; throws on an unknown one.</summary>
    public static string ParseImage(string name) => Parse(name, Image, "image encoder");

    /// <summary>The normalised name of an audio encoder; throws on an unknown one.</summary>
    public static string ParseAudio(string name) => Parse(name, Audio, "audio encoder");

    private static string Parse(string name, string[] known, string what)
    {
        string s = name.Trim().ToLowerInvariant();
        return known.Contains(s) ? s : throw new ArgumentException($"{what}: unknown kind '{name}' (expected {string.Join(" or ", known)})");
    }
}
