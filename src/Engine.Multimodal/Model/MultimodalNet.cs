using Engine.Multimodal.Data;
using Engine.Nn;

namespace Engine.Multimodal.Model;

/// <summary>What the network returns for a batch.</summary>
/// <param name="Logits">(B, C) fused class scores.</param>
/// <param name="Joint">(B, D) joint embedding.</param>
/// <param name="Unimodal">(B, C) scores of each used modality's own head, in <see cref="Modalities.Ordered"/> order.</param>
/// <param name="Mask">(B, M) presence of each used modality.</param>
/// <param name="Weights">(B, M) attention weights, for attention fusion.</param>
public readonly record struct NetOutput(Tensor Logits, Tensor Joint, IReadOnlyList<Tensor> Unimodal, Tensor Mask, Tensor? Weights);

/// <summary>
/// Per-modality encoders, a fusion layer and a classifier head. Each used modality has an encoder to a
/// D-dimensional embedding and an auxiliary linear head (trained with a weighted loss so every encoder learns
/// on its own too); the fusion layer combines the embeddings into the joint embedding and the class scores.
/// </summary>
public sealed class MultimodalNet : Module
{
    private readonly List<(Modality Kind, Module Encoder, Linear Head, Func<Batch, Tensor> Encode)> _branches = new();
    private readonly FusionModule _fusion;
    private readonly Generator _generator;

    /// <summary>Builds the network; parameters are drawn from <paramref name="seed"/>.</summary>
    public MultimodalNet(ModelConfig config, Preprocessing prep, ulong seed)
    {
        Config = config;
        var g = new Generator(seed);
        _generator = g;
        var used = config.Used;
        int classes = prep.Labels.Length;
        if ((used & Modality.Image) != 0)
        {
            Module<Tensor, Tensor> image = EncoderKinds.ParseImage(config.ImageEncoder) == "resnet"
                ? new ResNetImageEncoder(config.Dim, config.Dropout, g)
                : new ImageEncoder(prep.ImageSize, config.Dim, config.Dropout, g);
            Add(Modality.Image, "image", image, classes, g, b => image.Forward(b.Image ?? throw Missing("image")));
        }
        if ((used & Modality.Audio) != 0)
        {
            Module<Tensor, Tensor> audio = EncoderKinds.ParseAudio(config.AudioEncoder) == "bilstm"
                ? new BiLstmAudioEncoder(prep.NMfcc, config.Dim, config.Dropout, g)
                : new AudioEncoder(prep.NMfcc, config.Dim, config.Dropout, g);
            Add(Modality.Audio, "audio", audio, classes, g, b => audio.Forward(b.Audio ?? throw Missing("audio")));
        }
        if ((used & Modality.Text) != 0)
        {
            string textKind = EncoderKinds.ParseText(config.TextEncoder);
            if (textKind == "bilstm")
            {
                var text = new BiLstmTextEncoder(prep.Vocabulary.Length, config.TextEmbedDim, config.Dim, config.Dropout, g);
                Add(Modality.Text, "text", text, classes, g, b => text.Forward(
                    b.TextTokens ?? throw new ArgumentException("MultimodalNet: the bilstm text encoder needs text tokens; build the batches with textTokens: true"),
                    b.TextTokenLengths!));
            }
            else if (textKind == "attention")
            {
                var text = new AttentionTextEncoder(prep.Vocabulary.Length, config.TextEmbedDim, config.Dim, config.Dropout, g);
                Add(Modality.Text, "text", text, classes, g, b => text.Forward(
                    b.TextTokens ?? throw new ArgumentException("MultimodalNet: the attention text encoder needs text tokens; build the batches with textTokens: true"),
                    b.TextTokenMask!));
            }
            else
            {
                var text = new TextEncoder(prep.Vocabulary.Length, config.TextEmbedDim, config.Dim, config.Dropout, g);
                Add(Modality.Text, "text", text, classes, g, b => text.Forward(b.Text ?? throw Missing("text")));
            }
        }
        _fusion = RegisterModule("fusion", FusionModule.Create(config.FusionKind, _branches.Count, config.Dim, classes, config.Dropout, g));
    }

    /// <summary>The architecture.</summary>
    public ModelConfig Config { get; }

    /// <summary>Where the parameters live (the CPU until <see cref="To"/> moves them).</summary>
    public Device Device { get; private set; } = Device.Cpu;

    /// <summary>Moves every parameter and buffer to <paramref name="device"/> in place; returns this network.</summary>
    public MultimodalNet To(Device device)
    {
        ModuleExtensions.To<Module>(this, device);
        Device = device;
        return this;
    }

    /// <summary>Re-seeds the generator every dropout layer draws from (called once per epoch).</summary>
    public void ReseedDropout(ulong seed) => _generator.ManualSeed(seed);

    /// <summary>The used modalities in branch order.</summary>
    public IReadOnlyList<Modality> Branches => _branches.Select(b => b.Kind).ToList();

    /// <summary>The text encoder, if text is used.</summary>
    public IWordVectorTable? Text => _branches.Where(b => b.Kind == Modality.Text).Select(b => (IWordVectorTable)b.Encoder).FirstOrDefault();

    private static ArgumentException Missing(string what) => new($"MultimodalNet: the batch has no {what} input but the model uses it");

    private void Add(Modality kind, string name, Module encoder, int classes, Generator g, Func<Batch, Tensor> encode)
    {
        RegisterModule(name, encoder);
        var head = RegisterModule(name + "_head", new Linear(Config.Dim, classes, generator: g));
        _branches.Add((kind, encoder, head, encode));
    }

    /// <summary>Runs the network; <paramref name="mask"/> overrides the batch's presence mask (B, 3) when given.</summary>
    public NetOutput Forward(Batch batch, Tensor? mask = null)
    {
        mask ??= batch.Mask;
        var embeddings = new List<Tensor>();
        var unimodal = new List<Tensor>();
        var columns = new List<Tensor>();
        foreach (var (kind, _, head, encode) in _branches)
        {
            int col = Array.IndexOf(Modalities.Ordered, kind);
            var m = mask.Narrow(1, col, 1); // (B, 1)
            var e = encode(batch) * m;
            embeddings.Add(e);
            unimodal.Add(PatchOps.Project(head, e));
            columns.Add(m);
        }
        var stacked = Tensor.Stack(embeddings, 1); // (B, M, D)
        var present = Tensor.Cat(columns, 1); // (B, M)
        var fused = _fusion.Forward(stacked, present);
        return new NetOutput(fused.Logits, fused.Joint, unimodal, present, fused.Weights);
    }
}
