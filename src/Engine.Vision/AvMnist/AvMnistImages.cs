using Engine.Vision.Mnist;

namespace Engine.Vision.AvMnist;

/// <summary>The image half of the AV-MNIST-style benchmark: MNIST digits reduced to their leading PCA components.</summary>
/// <remarks>
/// AV-MNIST (Vielzeuf et al., "CentralNet", 2018) removes 75% of the image energy: the images are
/// projected onto the leading principal components that hold 25% of the variance and mapped back
/// (the Ludwig AV-MNIST loader, ludwig-ai/ludwig PR #2807, does the same). On MNIST that keeps only a
/// handful of components, which is what makes the image alone insufficient. Keeping a fixed count
/// instead (for example 196 of 784, a quarter of the components) keeps almost all of the variance.
/// The PCA is fitted on the training images only; pixel values are byte / 255 and the
/// reconstructions are not clamped (they can fall slightly outside 0..1).
/// </remarks>
public static class AvMnistImages
{
    /// <summary>The fraction of the image variance AV-MNIST keeps.</summary>
    public const double DefaultEnergy = 0.25;

    /// <summary>Fits PCA on <paramref name="train"/>, then reconstructs both sets from the first <paramref name="components"/> components; rows of Features floats.</summary>
    public static (float[] Train, float[] Test, Pca Pca) Degrade(MnistImages train, MnistImages test, int components)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        Pca pca = FitOn(train, test);
        return Apply(pca, train, test, components);
    }

    /// <summary>Fits PCA on <paramref name="train"/>, then keeps the leading components holding at most <paramref name="energy"/> of the variance (AV-MNIST: 0.25).</summary>
    public static (float[] Train, float[] Test, Pca Pca, int Components) DegradeToEnergy(
        MnistImages train, MnistImages test, double energy = DefaultEnergy)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        Pca pca = FitOn(train, test);
        int k = pca.ComponentsForEnergy(energy);
        (float[] tr, float[] te, _) = Apply(pca, train, test, k);
        return (tr, te, pca, k);
    }

    private static Pca FitOn(MnistImages train, MnistImages test)
    {
        if (train.Rows != test.Rows || train.Columns != test.Columns)
        {
            throw new ArgumentException(
                $"AvMnistImages: training images are {train.Rows}x{train.Columns} but test images are {test.Rows}x{test.Columns}.");
        }

        return Pca.Fit(train.ToFloatMatrix(), train.Count, train.PixelsPerImage);
    }

    private static (float[] Train, float[] Test, Pca Pca) Apply(Pca pca, MnistImages train, MnistImages test, int components)
        => (pca.Reconstruct(train.ToFloatMatrix(), train.Count, components),
            pca.Reconstruct(test.ToFloatMatrix(), test.Count, components),
            pca);
}
