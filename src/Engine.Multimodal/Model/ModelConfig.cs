using Engine.Multimodal.Data;

namespace Engine.Multimodal.Model;

/// <summary>The architecture of a <see cref="MultimodalNet"/>, saved as config.json in a model folder.</summary>
public sealed class ModelConfig
{
    /// <summary>Modalities used, as "image,audio,text".</summary>
    public string Modalities { get; set; } = "image,audio,text";

    /// <summary>Fusion kind: attention, concat or late.</summary>
    public string Fusion { get; set; } = "attention";

    /// <summary>Image encoder: "cnn" (two conv3x3 + max-pool blocks, the default) or "resnet" (the small ResNet).</summary>
    public string ImageEncoder { get; set; } = "cnn";

    /// <summary>Audio encoder over MFCC frames: "cnn" (two 1-D convolutions, the default) or "bilstm" (a bidirectional LSTM).</summary>
    public string AudioEncoder { get; set; } = "cnn";

    /// <summary>Text encoder: "bag" (mean of feature embeddings, the default), "attention" (attention pooling over the features) or "bilstm" (a bidirectional LSTM over the features in text order).</summary>
    public string TextEncoder { get; set; } = "bag";

    /// <summary>Whether batches must carry the text as token ids (text used with a token-level encoder: attention or bilstm).</summary>
    public bool UsesTextTokens => (Used & Modality.Text) != 0 && EncoderKinds.ParseText(TextEncoder) != "bag";

    /// <summary>Embedding size of every modality and of the joint embedding.</summary>
    public int Dim { get; set; } = 64;

    /// <summary>Text feature embedding size.</summary>
    public int TextEmbedDim { get; set; } = 64;

    /// <summary>Dropout after each encoder and in the head.</summary>
    public double Dropout { get; set; } = 0.2;

    /// <summary>Weight of the auxiliary per-modality losses (each encoder also learns to classify on its own).</summary>
    public double AuxWeight { get; set; } = 0.5;

    /// <summary>Probability of hiding a modality of a training sample (at least one is always kept).</summary>
    public double ModalityDropout { get; set; } = 0.15;

    /// <summary>Parsed modalities.</summary>
    public Modality Used => Data.Modalities.Parse(Modalities);

    /// <summary>Parsed fusion kind.</summary>
    public FusionKind FusionKind => FusionModule.Parse(Fusion);
}
