namespace Engine.Multimodal.Data;

/// <summary>
/// Everything that turns raw inputs into model inputs and was fitted on the training set: the label list,
/// the image size, the MFCC settings with per-coefficient normalisation, and the text vocabulary.
/// Saved as part of a model folder, so eval and embed see exactly what training saw.
/// </summary>
public sealed class Preprocessing
{
    /// <summary>Class labels in class-index order.</summary>
    public string[] Labels { get; set; } = Array.Empty<string>();

    /// <summary>Images are resized to ImageSize x ImageSize grayscale.</summary>
    public int ImageSize { get; set; } = 28;

    /// <summary>Image normalisation mean (MNIST's).</summary>
    public float ImageMean { get; set; } = 0.1307f;

    /// <summary>Image normalisation std (MNIST's).</summary>
    public float ImageStd { get; set; } = 0.3081f;

    /// <summary>Audio is resampled to this rate before MFCCs.</summary>
    public int SampleRate { get; set; } = 8000;

    /// <summary>MFCC coefficients per frame.</summary>
    public int NMfcc { get; set; } = 13;

    /// <summary>FFT length in samples (25 ms at 8 kHz).</summary>
    public int NFft { get; set; } = 200;

    /// <summary>Hop in samples (10 ms at 8 kHz).</summary>
    public int Hop { get; set; } = 80;

    /// <summary>MFCC sequences are centre-cropped or zero-padded (after normalisation) to this many frames.</summary>
    public int AudioFrames { get; set; } = 80;

    /// <summary>Subtract each recording's own per-coefficient mean first (cepstral mean normalisation, against speaker and channel).</summary>
    public bool AudioCmn { get; set; } = true;

    /// <summary>Per-coefficient mean of the training MFCC frames.</summary>
    public float[] AudioMean { get; set; } = Array.Empty<float>();

    /// <summary>Per-coefficient standard deviation of the training MFCC frames.</summary>
    public float[] AudioStd { get; set; } = Array.Empty<float>();

    /// <summary>Text features (words as "w:word", character trigrams as "c:abc") in index order.</summary>
    public string[] Vocabulary { get; set; } = Array.Empty<string>();

    /// <summary>Index of a label, or -1.</summary>
    public int LabelIndex(string label) => Array.IndexOf(Labels, label);
}
