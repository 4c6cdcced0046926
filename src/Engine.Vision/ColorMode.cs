namespace Engine.Vision;

/// <summary>The channel layout an image is converted to when it is read.</summary>
public enum ColorMode
{
    /// <summary>One channel: luma with ITU-R BT.601 weights (0.299 R + 0.587 G + 0.114 B), as torchvision's Grayscale.</summary>
    Grayscale,

    /// <summary>Three channels in R, G, B order.</summary>
    Rgb,
}
