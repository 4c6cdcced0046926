using System.Runtime.CompilerServices;

namespace Engine.Text.Sampling;

/// <summary>A small, fast pseudo-random generator (wyrand); one per training thread, seeded for reproducibility.</summary>
public struct FastRandom
{
    private ulong _state;

    /// <summary>Creates a generator; different seeds give independent streams.</summary>
    public FastRandom(ulong seed)
    {
        // SplitMix64 scrambles the seed so that seeds 1, 2, 3 ... start far apart.
        ulong z = seed + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        _state = z ^ (z >> 31);
    }

    /// <summary>Next 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        _state += 0xA0761D6478BD642FUL;
        ulong hi = Math.BigMul(_state, _state ^ 0xE7037ED1A0B428DBUL, out ulong lo);
        return hi ^ lo;
    }

    /// <summary>Next 32 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint NextUInt32() => (uint)(NextUInt64() >> 32);

    /// <summary>Uniform integer in [0, n) (multiply-shift; bias below 2^-32 per draw).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int NextInt(int n) => (int)(((ulong)NextUInt32() * (uint)n) >> 32);

    /// <summary>Uniform float in [0, 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float NextSingle() => (NextUInt32() >> 8) * (1.0f / 16777216f);
}
