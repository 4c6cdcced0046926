namespace Engine.Multimodal.Data;

/// <summary>
/// One decoded sample: normalised image pixels (H*W), normalised MFCCs cropped or padded to a fixed number of
/// frames (frames*n_mfcc), and text feature ids; a null modality is absent.
/// </summary>
/// <param name="Id">The manifest id.</param>
/// <param name="Label">The class index.</param>
/// <param name="Image">Pixels, or null.</param>
/// <param name="Audio">MFCC frames, or null.</param>
/// <param name="Text">Vocabulary ids of the text features (may be empty when no feature is known), or null when there is no text.</param>
public sealed record Sample(string Id, int Label, float[]? Image, float[]? Audio, int[]? Text);
