namespace Engine.Audio.Fft;

/// <summary>
/// A forward complex FFT of one length, any length. Lengths whose prime factors are all at most
/// <see cref="MaxDirectRadix"/> run as a mixed-radix Stockham autosort (radix 4, 2, 3, 5 butterflies and a
/// direct butterfly for 7..13); any other length runs through Bluestein's chirp-z algorithm over a power-of-two plan.
/// Data are split real/imaginary arrays of lane vectors, so one call transforms 1, 8 or 16 signals at once.
/// </summary>
public sealed class FftPlan
{
    /// <summary>Largest prime handled by a direct butterfly; bigger prime factors switch to Bluestein.</summary>
    public const int MaxDirectRadix = 13;

    private readonly Stage[] _stages;
    private readonly Bluestein? _bluestein;

    /// <summary>Plans a forward FFT of length <paramref name="length"/> (at least 1).</summary>
    public FftPlan(int length)
    {
        if (length < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "FftPlan: length must be at least 1.");
        }
        Length = length;
        var radices = Factor(length);
        if (radices is null)
        {
            _stages = [];
            _bluestein = new Bluestein(length);
        }
        else
        {
            _stages = new Stage[radices.Count];
            int n = length;
            for (int i = 0; i < radices.Count; i++)
            {
                _stages[i] = new Stage(radices[i], n);
                n /= radices[i];
            }
        }
    }

    /// <summary>The transform length.</summary>
    public int Length { get; }

    /// <summary>True when the length needs Bluestein's algorithm (a prime factor above <see cref="MaxDirectRadix"/>).</summary>
    public bool UsesBluestein => _bluestein is not null;

    /// <summary>Lane vectors of scratch that <see cref="Forward{T,TOps}"/> needs.</summary>
    internal int WorkLength => _bluestein is null ? 2 * Length : _bluestein.WorkLength;

    /// <summary>Forward transform in place: X[k] = sum_j x[j] e^{-2 pi i jk/n}.</summary>
    internal void Forward<T, TOps>(Span<T> re, Span<T> im, Span<T> work)
        where T : unmanaged where TOps : ILaneOps<T>
    {
        if (_bluestein is not null)
        {
            _bluestein.Forward<T, TOps>(re, im, work);
            return;
        }
        int n = Length;
        var xr = re[..n];
        var xi = im[..n];
        var yr = work[..n];
        var yi = work.Slice(n, n);
        int stride = 1;
        bool inWork = false;
        foreach (var stage in _stages)
        {
            if (!inWork)
            {
                stage.Run<T, TOps>(xr, xi, yr, yi, stride);
            }
            else
            {
                stage.Run<T, TOps>(yr, yi, xr, xi, stride);
            }
            inWork = !inWork;
            stride *= stage.Radix;
        }
        if (inWork)
        {
            yr.CopyTo(xr);
            yi.CopyTo(xi);
        }
    }

    /// <summary>The radices (4 first, then 2, 3, 5, 7, 11, 13), or null when a larger prime factor remains.</summary>
    private static List<int>? Factor(int n)
    {
        var radices = new List<int>();
        while (n % 4 == 0)
        {
            radices.Add(4);
            n /= 4;
        }
        foreach (int p in new[] { 2, 3, 5, 7, 11, 13 })
        {
            while (n % p == 0)
            {
                radices.Add(p);
                n /= p;
            }
        }
        return n == 1 ? radices : null;
    }
}
