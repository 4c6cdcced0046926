namespace Engine.Audio.Io;

/// <summary>Decoded audio: mono float samples in [-1, 1] and what the file held.</summary>
/// <param name="Samples">Mono samples (channels averaged).</param>
/// <param name="SampleRate">Samples per second.</param>
/// <param name="Channels">Channels in the file before averaging.</param>
/// <param name="BitsPerSample">Bits per sample in the file.</param>
/// <param name="IsFloat">True for IEEE float data.</param>
public sealed record AudioClip(float[] Samples, int SampleRate, int Channels, int BitsPerSample, bool IsFloat)
{
    /// <summary>Duration in seconds.</summary>
    public double Duration => (double)Samples.Length / SampleRate;
}
