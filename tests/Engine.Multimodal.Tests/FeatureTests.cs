using Engine.Multimodal.Data;

namespace Engine.Multimodal.Tests;

public class FeatureTests
{
    [Test]
    public void CepstralMeanNormalisationRemovesEachCoefficientsMean()
    {
        var m = new float[,] { { 1, 10 }, { 3, 20 }, { 5, 60 } };
        var n = FeatureLoader.CepstralMeanNormalise(m);
        Assert.That(new[] { n[0, 0], n[1, 0], n[2, 0] }, Is.EqualTo(new float[] { -2, 0, 2 }));
        Assert.That(new[] { n[0, 1], n[1, 1], n[2, 1] }, Is.EqualTo(new float[] { -20, -10, 30 }));
        Assert.That(m[0, 0], Is.EqualTo(1f), "the input is untouched");
    }

    [Test]
    public void FramesAreNormalisedAndCentreCroppedOrPadded()
    {
        var prep = new Preprocessing { Labels = new[] { "a" }, NMfcc = 2, AudioFrames = 3, AudioMean = new[] { 1f, 0f }, AudioStd = new[] { 2f, 1f } };
        var loader = new FeatureLoader(prep);
        var longer = new float[,] { { 0, 0 }, { 1, 1 }, { 3, 2 }, { 5, 3 }, { 9, 9 } };
        Assert.That(loader.FitFrames(longer), Is.EqualTo(new float[] { 0, 1, 1, 2, 2, 3 }));
        var shorter = new float[,] { { 3, 4 } };
        Assert.That(loader.FitFrames(shorter), Is.EqualTo(new float[] { 1, 4, 0, 0, 0, 0 }));
        Assert.Throws<InvalidDataException>(() => loader.FitFrames(new float[1, 3]));
    }

    [Test]
    public void SampleImageAndAudioDecode()
    {
        var prep = new Preprocessing { Labels = new[] { "0" } };
        var loader = new FeatureLoader(prep);
        var image = loader.LoadImage(Directory.GetFiles(Path.Combine(TestData.SampleFolder, "images"))[0]);
        Assert.That(image, Has.Length.EqualTo(28 * 28));
        Assert.That(image.Min(), Is.EqualTo(-0.1307f / 0.3081f).Within(1e-4), "black background after MNIST normalisation");
        var mfcc = loader.LoadMfcc(Directory.GetFiles(Path.Combine(TestData.SampleFolder, "audio"))[0]);
        Assert.That(mfcc.GetLength(1), Is.EqualTo(13));
        Assert.That(mfcc.GetLength(0), Is.GreaterThan(10));
        double mean0 = Enumerable.Range(0, mfcc.GetLength(0)).Average(t => mfcc[t, 0]);
        Assert.That(mean0, Is.EqualTo(0).Within(1e-3), "cepstral mean normalisation is on by default");
    }
}
