using System.Globalization;
using System.Text;

namespace Engine;

public sealed partial class Tensor
{
    /// <summary>Prints like PyTorch: <c>tensor([[1.0000, 2.0000], ...], requires_grad=True)</c>, summarised above 1000 elements.</summary>
    public override string ToString()
    {
        if (IsDisposed)
        {
            return $"tensor(<disposed>, shape={ShapeString(_shape)})";
        }
        var values = ToDoubleArray();
        bool summarise = values.Length > 1000;
        var fmt = ChooseFormat(values);
        var sb = new StringBuilder("tensor(");
        if (Dim == 0)
        {
            sb.Append(fmt(values[0]));
        }
        else
        {
            var cells = values.Select(fmt).ToArray();
            int width = cells.Length == 0 ? 0 : cells.Max(c => c.Length);
            WriteDim(sb, cells, width, 0, 0, "tensor(".Length, summarise);
        }
        var tail = new List<string>();
        if (Dim > 0 && NumEl == 0)
        {
            tail.Add($"size=({string.Join(", ", _shape)})");
        }
        if (DType != DefaultDType && DType != DType.Int64 && DType != DType.Bool)
        {
            tail.Add($"dtype={DType.TorchName()}");
        }
        if (Device.Kind != DeviceKind.Cpu)
        {
            tail.Add($"device='{Device.Name}'");
        }
        if (GradFn is not null)
        {
            tail.Add($"grad_fn=<{char.ToUpperInvariant(GradFn.Name[0])}{GradFn.Name[1..]}Backward>");
        }
        else if (RequiresGrad)
        {
            tail.Add("requires_grad=True");
        }
        foreach (var t in tail)
        {
            sb.Append(", ").Append(t);
        }
        return sb.Append(')').ToString();
    }

    private Func<double, string> ChooseFormat(double[] values)
    {
        if (DType == DType.Bool)
        {
            return v => v != 0 ? "True" : "False";
        }
        if (DType == DType.Int64)
        {
            return v => ((long)v).ToString(CultureInfo.InvariantCulture);
        }
        var finite = values.Where(double.IsFinite).Select(Math.Abs).ToArray();
        bool allInt = finite.All(v => v == Math.Floor(v));
        double max = finite.Length > 0 ? finite.Max() : 0;
        double minNonZero = finite.Where(v => v > 0).DefaultIfEmpty(0).Min();
        bool sci = max >= 1e8 || (minNonZero > 0 && minNonZero < 1e-4) || (max > 0 && minNonZero > 0 && max / minNonZero > 1000 && !allInt);
        return v =>
        {
            if (double.IsNaN(v))
            {
                return "nan";
            }
            if (double.IsInfinity(v))
            {
                return v > 0 ? "inf" : "-inf";
            }
            if (sci)
            {
                return v.ToString("0.0000e+00", CultureInfo.InvariantCulture);
            }
            return allInt ? v.ToString("0", CultureInfo.InvariantCulture) + "." : v.ToString("0.0000", CultureInfo.InvariantCulture);
        };
    }

    private void WriteDim(StringBuilder sb, string[] cells, int width, int dim, int offset, int indent, bool summarise)
    {
        int n = _shape[dim];
        int inner = 1;
        for (int d = dim + 1; d < Dim; d++)
        {
            inner *= _shape[d];
        }
        sb.Append('[');
        bool cut = summarise && n > 6;
        for (int i = 0; i < n; i++)
        {
            if (cut && i == 3)
            {
                sb.Append(dim == Dim - 1 ? "..., " : "...,\n" + new string(' ', indent + 1 + dim));
                i = n - 3;
            }
            if (dim == Dim - 1)
            {
                sb.Append(cells[offset + i].PadLeft(width));
            }
            else
            {
                WriteDim(sb, cells, width, dim + 1, offset + i * inner, indent, summarise);
            }
            if (i < n - 1)
            {
                sb.Append(dim == Dim - 1 ? ", " : "," + new string('\n', Dim - 1 - dim) + new string(' ', indent + 1 + dim));
            }
        }
        sb.Append(']');
    }
}
