using System.Numerics;

namespace Engine.Kernels;

/// <summary>Scalar special functions that .NET's Math lacks (erf), accurate to double precision.</summary>
public static class ScalarMath
{
    private const double TwoOverSqrtPi = 1.1283791670955126;

    /// <summary>The error function erf(x), about 1e-15 relative error.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }
        double ax = Math.Abs(x);
        if (ax < 2.5)
        {
            // erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)): all terms positive.
            double x2 = ax * ax, term = ax, sum = ax;
            for (int n = 1; n < 200 && term > sum * 1e-17; n++)
            {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
            }
            double r = TwoOverSqrtPi * Math.Exp(-x2) * sum;
            return x < 0 ? -r : r;
        }
        double c = Erfc(ax);
        return x < 0 ? c - 1 : 1 - c;
    }

    /// <summary>The complementary error function 1 - erf(x), accurate in the tail.</summary>
    public static double Erfc(double x)
    {
        if (x < 2.5)
        {
            return 1 - Erf(x);
        }
        // Continued fraction (Lentz): erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))).
        const double tiny = 1e-300;
        double f = x, cc = x, d = 0;
        for (int n = 1; n < 500; n++)
        {
            double an = n * 0.5;
            d = x + an * d;
            d = Math.Abs(d) < tiny ? tiny : d;
            cc = x + an / cc;
            cc = Math.Abs(cc) < tiny ? tiny : cc;
            d = 1 / d;
            double delta = cc * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16)
            {
                break;
            }
        }
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }

    /// <summary>erf for any floating type (computed in double).</summary>
    public static T Erf<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
        => T.CreateTruncating(Erf(double.CreateTruncating(x)));
}
