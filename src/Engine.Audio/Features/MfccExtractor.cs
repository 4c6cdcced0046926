using System.Collections.Concurrent;
using Engine.Audio.Dsp;
using Engine.Audio.Io;

namespace Engine.Audio.Features;

/// <summary>
/// MFCCs of signals or WAV files under one <see cref="MfccOptions"/>; pipelines are built once per sample
/// rate and cached. Thread-safe.
/// </summary>
public sealed class MfccExtractor
{
    private readonly ConcurrentDictionary<int, FeaturePipeline> _pipelines = new();

    /// <summary>Creates an extractor; the options are validated on first use for each sample rate.</summary>
    public MfccExtractor(MfccOptions options)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>The settings.</summary>
    public MfccOptions Options { get; }

    /// <summary>The pipeline used for audio at <paramref name="sampleRate"/> Hz.</summary>
    public FeaturePipeline PipelineFor(int sampleRate) =>
        _pipelines.GetOrAdd(sampleRate, sr => new FeaturePipeline(Options.ToFeatureOptions(sr)));

    /// <summary>MFCCs (frames, n_mfcc) of mono samples in [-1, 1] at <paramref name="sampleRate"/> Hz (resampled first if the options ask).</summary>
    public float[,] Compute(ReadOnlySpan<float> samples, int sampleRate)
    {
        if (Options.SampleRate is int target && target != sampleRate)
        {
            var resampled = Resampler.Resample(samples, sampleRate, target);
            return PipelineFor(target).Compute(resampled);
        }
        return PipelineFor(sampleRate).Compute(samples);
    }

    /// <summary>MFCCs of a WAV file.</summary>
    public float[,] ComputeFile(string path)
    {
        var clip = WavReader.Read(path);
        try
        {
            return Compute(clip.Samples, clip.SampleRate);
        }
        catch (ArgumentException e)
        {
            throw new AudioFormatException(path, e.Message, e);
        }
    }
}
