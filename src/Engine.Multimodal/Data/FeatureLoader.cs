using Engine.Audio.Features;
using Engine.Audio.Io;
using Engine.Vision;

namespace Engine.Multimodal.Data;

/// <summary>Decodes manifest rows into <see cref="Sample"/>s with a fitted <see cref="Preprocessing"/>.</summary>
public sealed class FeatureLoader
{
    private readonly Preprocessing _prep;
    private readonly MfccExtractor _mfcc;
    private readonly Dictionary<string, int> _vocab;

    /// <summary>Creates a loader for the given preprocessing.</summary>
    public FeatureLoader(Preprocessing prep)
    {
        _prep = prep;
        _mfcc = CreateExtractor(prep);
        _vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < prep.Vocabulary.Length; i++)
        {
            _vocab[prep.Vocabulary[i]] = i;
        }
    }

    /// <summary>The MFCC extractor the preprocessing describes (torchaudio-style MFCC, resampled first).</summary>
    public static MfccExtractor CreateExtractor(Preprocessing prep) => new(new MfccOptions
    {
        Preset = MfccPreset.Torchaudio,
        NMfcc = prep.NMfcc,
        NFft = prep.NFft,
        Hop = prep.Hop,
        NMels = 40,
        SampleRate = prep.SampleRate,
    });

    /// <summary>Reads an image as normalised grayscale pixels of the configured size.</summary>
    public float[] LoadImage(string path)
    {
        var img = ImageReader.Read(path, ColorMode.Grayscale);
        if (img.Height != _prep.ImageSize || img.Width != _prep.ImageSize)
        {
            img = Transforms.Resize(img, _prep.ImageSize, _prep.ImageSize);
        }
        var data = (float[])img.Data.Clone();
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (data[i] - _prep.ImageMean) / _prep.ImageStd;
        }
        return data;
    }

    /// <summary>Raw MFCCs (frames, n_mfcc) of a WAV file.</summary>
    public float[,] LoadMfcc(string path)
    {
        var clip = WavReader.Read(path);
        if (clip.Samples.Length == 0)
        {
            throw new InvalidDataException($"audio file '{path}' holds no samples");
        }
        var mfcc = _mfcc.Compute(clip.Samples, clip.SampleRate);
        return _prep.AudioCmn ? CepstralMeanNormalise(mfcc) : mfcc;
    }

    /// <summary>Subtracts the recording's own mean of every coefficient (a copy; the input is untouched).</summary>
    public static float[,] CepstralMeanNormalise(float[,] mfcc)
    {
        int frames = mfcc.GetLength(0), n = mfcc.GetLength(1);
        var result = (float[,])mfcc.Clone();
        for (int c = 0; c < n && frames > 0; c++)
        {
            double sum = 0;
            for (int t = 0; t < frames; t++)
            {
                sum += mfcc[t, c];
            }
            float mean = (float)(sum / frames);
            for (int t = 0; t < frames; t++)
            {
                result[t, c] -= mean;
            }
        }
        return result;
    }

    /// <summary>Normalises MFCCs per coefficient and centre-crops or zero-pads them to the configured frame count.</summary>
    public float[] FitFrames(float[,] mfcc)
    {
        int frames = mfcc.GetLength(0), n = mfcc.GetLength(1), target = _prep.AudioFrames;
        if (n != _prep.NMfcc)
        {
            throw new InvalidDataException($"FeatureLoader: MFCC has {n} coefficients, expected {_prep.NMfcc}");
        }
        var result = new float[target * n];
        int start = frames > target ? (frames - target) / 2 : 0;
        int count = Math.Min(frames, target);
        for (int t = 0; t < count; t++)
        {
            for (int c = 0; c < n; c++)
            {
                float mean = _prep.AudioMean.Length == n ? _prep.AudioMean[c] : 0f;
                float std = _prep.AudioStd.Length == n ? _prep.AudioStd[c] : 1f;
                result[t * n + c] = (mfcc[start + t, c] - mean) / std;
            }
        }
        return result;
    }

    /// <summary>Vocabulary ids of the text's features (unknown features are dropped).</summary>
    public int[] EncodeText(string text)
    {
        var ids = new List<int>();
        foreach (var f in TextFeatures.Extract(text))
        {
            if (_vocab.TryGetValue(f, out int id))
            {
                ids.Add(id);
            }
        }
        return ids.ToArray();
    }

    /// <summary>Decodes one row; throws <see cref="InvalidDataException"/> (or an I/O exception) naming the file on failure.</summary>
    public Sample Load(ManifestRow row, float[,]? cachedMfcc = null)
    {
        int label = _prep.LabelIndex(row.Label);
        if (label < 0)
        {
            throw new InvalidDataException($"unknown label '{row.Label}'");
        }
        var image = row.ImagePath is null ? null : LoadImage(row.ImagePath);
        var audio = row.AudioPath is null ? null : FitFrames(cachedMfcc ?? LoadMfcc(row.AudioPath));
        var text = row.Text is null ? null : EncodeText(row.Text);
        return new Sample(row.Id, label, image, audio, text);
    }
}
