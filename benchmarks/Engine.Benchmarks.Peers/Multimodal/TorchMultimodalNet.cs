using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Engine.Benchmarks.Peers.Multimodal;

/// <summary>
/// The default architecture of Engine.Multimodal's MultimodalNet (src/Engine.Multimodal/Model), written with
/// TorchSharp's own layers: image CNN, audio CNN over MFCC frames, bag-of-features text encoder, an auxiliary
/// linear head per modality, attention fusion and its classifier head. Layer sizes, activations, pooling,
/// dropout placement and the masking of absent modalities follow ours; initialisation is libtorch's default
/// (the same distributions ours uses: kaiming-uniform(a=sqrt 5) weights, U(±1/sqrt(fan_in)) biases).
/// </summary>
public sealed class TorchMultimodalNet : nn.Module
{
    private readonly List<(int Column, nn.Module<Tensor, Tensor> Encoder, TorchSharp.Modules.Linear Head)> _branches = new();
    private readonly TorchAttentionFusion _fusion;

    /// <summary>Builds the network for the used modalities (columns 0 image, 1 audio, 2 text of the batch mask).</summary>
    public TorchMultimodalNet(bool image, bool audio, bool text, int imageSize, int nMfcc, int vocab, int textEmbed, int dim, int classes, double dropout)
        : base("TorchMultimodalNet")
    {
        if (image)
        {
            Add(0, "image", new TorchImageEncoder(imageSize, dim, dropout), dim, classes);
        }
        if (audio)
        {
            Add(1, "audio", new TorchAudioEncoder(nMfcc, dim, dropout), dim, classes);
        }
        if (text)
        {
            Add(2, "text", new TorchTextEncoder(vocab, textEmbed, dim, dropout), dim, classes);
        }
        _fusion = new TorchAttentionFusion(dim, classes, dropout);
        register_module("fusion", _fusion);
    }

    private void Add(int column, string name, nn.Module<Tensor, Tensor> encoder, int dim, int classes)
    {
        var head = nn.Linear(dim, classes);
        register_module(name, encoder);
        register_module(name + "_head", head);
        _branches.Add((column, encoder, head));
    }

    /// <summary>Fused logits (B, C), each branch's logits, and the (B, M) presence of the used modalities.</summary>
    public (Tensor Logits, List<Tensor> Unimodal, Tensor Present) Forward(Tensor?[] inputs, Tensor mask)
    {
        var embeddings = new List<Tensor>();
        var unimodal = new List<Tensor>();
        var columns = new List<Tensor>();
        foreach (var (col, encoder, head) in _branches)
        {
            var m = mask.narrow(1, col, 1); // (B, 1)
            var e = encoder.forward(inputs[col]!) * m;
            embeddings.Add(e);
            unimodal.Add(head.forward(e));
            columns.Add(m);
        }
        var present = torch.cat(columns, 1);
        var logits = _fusion.Forward(torch.stack(embeddings, 1), present);
        return (logits, unimodal, present);
    }
}

/// <summary>conv3x3(1→16) ReLU maxpool, conv3x3(16→32) ReLU maxpool, linear to dim, ReLU, dropout. Input (B, S, S, 1).</summary>
internal sealed class TorchImageEncoder : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Conv2d _conv1, _conv2;
    private readonly TorchSharp.Modules.Linear _fc;
    private readonly TorchSharp.Modules.Dropout _drop;

    public TorchImageEncoder(int size, int dim, double dropout) : base("TorchImageEncoder")
    {
        _conv1 = nn.Conv2d(1, 16, 3);
        _conv2 = nn.Conv2d(16, 32, 3);
        int s = ((size - 2) / 2 - 2) / 2;
        _fc = nn.Linear(s * s * 32, dim);
        _drop = nn.Dropout(dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var x = input.permute(0, 3, 1, 2); // NHWC → NCHW
        x = F.max_pool2d(F.relu(_conv1.forward(x)), 2);
        x = F.max_pool2d(F.relu(_conv2.forward(x)), 2);
        return _drop.forward(F.relu(_fc.forward(x.flatten(1))));
    }
}

/// <summary>conv1d k5 (n_mfcc→32) ReLU maxpool2, conv1d k5 (32→64) ReLU, [mean, max] over time, linear to dim, ReLU, dropout. Input (B, T, n_mfcc).</summary>
internal sealed class TorchAudioEncoder : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Conv1d _conv1, _conv2;
    private readonly TorchSharp.Modules.Linear _fc;
    private readonly TorchSharp.Modules.Dropout _drop;

    public TorchAudioEncoder(int nMfcc, int dim, double dropout) : base("TorchAudioEncoder")
    {
        _conv1 = nn.Conv1d(nMfcc, 32, 5);
        _conv2 = nn.Conv1d(32, 64, 5);
        _fc = nn.Linear(128, dim);
        _drop = nn.Dropout(dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var x = input.transpose(1, 2); // (B, C, T)
        x = F.max_pool1d(F.relu(_conv1.forward(x)), 2);
        x = F.relu(_conv2.forward(x));
        var pooled = torch.cat(new[] { x.mean(new long[] { 2 }), x.amax(new long[] { 2 }) }, 1);
        return _drop.forward(F.relu(_fc.forward(pooled)));
    }
}

/// <summary>Normalised feature counts (B, V) times an N(0, 0.1²) table (V, E), linear to dim, ReLU, dropout.</summary>
internal sealed class TorchTextEncoder : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Parameter _table;
    private readonly TorchSharp.Modules.Linear _fc;
    private readonly TorchSharp.Modules.Dropout _drop;

    public TorchTextEncoder(int vocab, int embed, int dim, double dropout) : base("TorchTextEncoder")
    {
        _table = new TorchSharp.Modules.Parameter(torch.randn(Math.Max(vocab, 1), embed) * 0.1);
        _fc = nn.Linear(embed, dim);
        _drop = nn.Dropout(dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => _drop.forward(F.relu(_fc.forward(input.matmul(_table))));
}

/// <summary>score_m = v · tanh(W e_m + b), masked softmax over present modalities, weighted sum, hidden ReLU dropout, linear.</summary>
internal sealed class TorchAttentionFusion : nn.Module
{
    private readonly TorchSharp.Modules.Linear _key, _score, _hidden, _out;
    private readonly TorchSharp.Modules.Dropout _drop;

    public TorchAttentionFusion(int dim, int classes, double dropout) : base("TorchAttentionFusion")
    {
        _key = nn.Linear(dim, dim);
        _score = nn.Linear(dim, 1, hasBias: false);
        _hidden = nn.Linear(dim, dim);
        _out = nn.Linear(dim, classes);
        _drop = nn.Dropout(dropout);
        RegisterComponents();
    }

    public Tensor Forward(Tensor embeddings, Tensor mask)
    {
        var scores = _score.forward(torch.tanh(_key.forward(embeddings))).squeeze(2); // (B, M)
        scores = scores + (mask - 1.0) * 1e9;
        var weights = scores.softmax(1);
        var joint = (embeddings * weights.unsqueeze(2)).sum(1);
        var h = _drop.forward(F.relu(_hidden.forward(joint)));
        return _out.forward(h);
    }
}
