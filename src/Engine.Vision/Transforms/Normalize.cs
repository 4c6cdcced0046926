namespace Engine.Vision;

public static partial class Transforms
{
    /// <summary>Per channel <c>(x - mean[c]) / std[c]</c>, as torchvision's Normalize.</summary>
    public static ImageData Normalize(ImageData image, ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (mean.Length != image.Channels || std.Length != image.Channels)
        {
            throw new ArgumentException(
                $"Normalize: image has {image.Channels} channels but mean has {mean.Length} values and std {std.Length}.");
        }

        for (int c = 0; c < std.Length; c++)
        {
            if (!(std[c] > 0f) || float.IsInfinity(std[c]) || !float.IsFinite(mean[c]))
            {
                throw new ArgumentException(
                    $"Normalize: channel {c} has mean={mean[c]}, std={std[c]}; std must be positive and both finite.");
            }
        }

        var output = new ImageData(image.Channels, image.Height, image.Width);
        int plane = image.Height * image.Width;
        for (int c = 0; c < image.Channels; c++)
        {
            float m = mean[c], s = std[c];
            Span<float> dst = output.Data.AsSpan(c * plane, plane);
            ReadOnlySpan<float> src = image.Data.AsSpan(c * plane, plane);
            for (int i = 0; i < plane; i++)
            {
                dst[i] = (src[i] - m) / s;
            }
        }

        return output;
    }
}
