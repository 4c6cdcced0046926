using System.Text.Json;

namespace Engine.Tests.Fixtures;

/// <summary>
/// Runs a fixture case with Engine's ops: builds the inputs, applies each input's view chain and
/// calls the op named by the case, mirroring OPS in generate_core_fixtures.py.
/// </summary>
public static class FixtureOps
{
    /// <summary>The base tensor of an input (float inputs rounded to float32 first, as the generator does).</summary>
    public static Tensor MakeBase(FixtureTensor t, DType floatType)
    {
        var r = t.Kind switch
        {
            'f' when floatType == DType.Float32 => Tensor.FromArray(t.Data.Select(v => (float)v).ToArray(), Shape1(t.Shape)),
            'f' => Tensor.FromArray(t.Data.Select(v => (double)(float)v).ToArray(), Shape1(t.Shape)),
            'i' => Tensor.FromArray(t.Data.Select(v => (long)v).ToArray(), Shape1(t.Shape)),
            'b' => Tensor.FromArray(t.Data.Select(v => v != 0).ToArray(), Shape1(t.Shape)),
            _ => throw new FormatException($"fixture: unknown tensor kind {t.Kind}"),
        };
        // FromArray has no way to say "0-d" (an empty shape means 1-D), so reshape afterwards.
        return t.Shape.Length == 0 ? r.Reshape() : r;
    }

    private static int[] Shape1(int[] shape) => shape.Length == 0 ? [1] : shape;

    /// <summary>Applies view steps such as ["slice", dim, start, end, step] in order.</summary>
    public static Tensor ApplyView(Tensor x, IEnumerable<JsonElement> chain)
    {
        foreach (var s in chain)
        {
            int I(int k) => s[k].GetInt32();
            int[] Ints(int k) => s[k].EnumerateArray().Select(e => e.GetInt32()).ToArray();
            x = s[0].GetString() switch
            {
                "t" => x.Transpose(I(1), I(2)),
                "permute" => x.Permute(Ints(1)),
                "slice" => x.Slice(I(1), I(2), I(3), I(4)),
                "narrow" => x.Narrow(I(1), I(2), I(3)),
                "expand" => x.Expand(Ints(1)),
                "reshape" => x.Reshape(Ints(1)),
                "squeeze" => s.GetArrayLength() > 1 ? x.Squeeze(I(1)) : x.Squeeze(),
                "unsqueeze" => x.Unsqueeze(I(1)),
                "flatten" => x.Flatten(I(1), I(2)),
                "select" => x.Select(I(1), I(2)),
                var k => throw new FormatException($"fixture: unknown view step {k}"),
            };
        }
        return x;
    }

    /// <summary>Runs the case's op on already-viewed inputs; returns every output (e.g. values and indices).</summary>
    public static Tensor[] Run(string op, JsonElement a, Tensor[] x)
    {
        double D(string k) => a.GetProperty(k).GetDouble();
        double? OptD(string k) => a.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        int I(string k) => a.GetProperty(k).GetInt32();
        int? OptI(string k) => a.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
        bool Keep() => a.TryGetProperty("keep", out var v) && v.GetBoolean();
        int[]? Dims() => a.TryGetProperty("dims", out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Select(e => e.GetInt32()).ToArray() : null;
        int Corr() => OptI("corr") ?? 1;
        bool Scalar() => a.TryGetProperty("s", out _);
        Functional.Reduction Red() => (a.TryGetProperty("red", out var v) ? v.GetString() : "mean") switch
        {
            "sum" => Functional.Reduction.Sum,
            "none" => Functional.Reduction.None,
            _ => Functional.Reduction.Mean,
        };

        return op switch
        {
            "neg" => [x[0].Neg()],
            "exp" => [x[0].Exp()],
            "log" => [x[0].Log()],
            "sqrt" => [x[0].Sqrt()],
            "rsqrt" => [x[0].Rsqrt()],
            "abs" => [x[0].Abs()],
            "tanh" => [x[0].Tanh()],
            "sigmoid" => [x[0].Sigmoid()],
            "relu" => [x[0].Relu()],
            "gelu" => [x[0].Gelu()],
            "silu" => [x[0].Silu()],
            "softplus" => [x[0].Softplus()],
            "sin" => [x[0].Sin()],
            "cos" => [x[0].Cos()],
            "leaky_relu" => [x[0].LeakyRelu(D("slope"))],
            "clamp" => [x[0].Clamp(OptD("min"), OptD("max"))],
            "pow_s" => [x[0].Pow(D("e"))],
            "add" => [x[0].Add(x[1])],
            "sub" => [x[0].Sub(x[1])],
            "mul" => [x[0].Mul(x[1])],
            "mul_self" => [x[0].Mul(x[0])],
            "div" => [x[0].Div(x[1])],
            "pow" => [x[0].Pow(x[1])],
            "maximum" => [x[0].Maximum(x[1])],
            "minimum" => [x[0].Minimum(x[1])],
            "add_s" => [x[0] + D("s")],
            "sub_s" => [x[0] - D("s")],
            "rsub_s" => [D("s") - x[0]],
            "mul_s" => [x[0] * D("s")],
            "div_s" => [x[0] / D("s")],
            "rdiv_s" => [D("s") / x[0]],
            "eq" => [Scalar() ? x[0].Eq(D("s")) : x[0].Eq(x[1])],
            "ne" => [Scalar() ? x[0].Ne(D("s")) : x[0].Ne(x[1])],
            "lt" => [Scalar() ? x[0].Lt(D("s")) : x[0].Lt(x[1])],
            "le" => [Scalar() ? x[0].Le(D("s")) : x[0].Le(x[1])],
            "gt" => [Scalar() ? x[0].Gt(D("s")) : x[0].Gt(x[1])],
            "ge" => [Scalar() ? x[0].Ge(D("s")) : x[0].Ge(x[1])],
            "sum" => [x[0].Sum(Dims(), Keep())],
            "mean" => [x[0].Mean(Dims(), Keep())],
            "var" => [x[0].Var(Dims(), Corr(), Keep())],
            "std" => [x[0].Std(Dims(), Corr(), Keep())],
            "amax" => [x[0].Amax(Dims(), Keep())],
            "amin" => [x[0].Amin(Dims(), Keep())],
            "max_dim" => Pair(x[0].Max(I("dim"), Keep())),
            "min_dim" => Pair(x[0].Min(I("dim"), Keep())),
            "argmax" => [x[0].ArgMax(OptI("dim"), Keep())],
            "argmin" => [x[0].ArgMin(OptI("dim"), Keep())],
            "logsumexp" => [x[0].LogSumExp(Dims()!, Keep())],
            "softmax" => [x[0].Softmax(I("dim"))],
            "log_softmax" => [x[0].LogSoftmax(I("dim"))],
            "matmul" => [x[0].MatMul(x[1])],
            "linear" => [Tensor.Linear(x[0], x[1], x.Length > 2 ? x[2] : null)],
            "cross_entropy" => [Functional.CrossEntropy(x[0], x[1], OptD("ls") ?? 0, Red(), OptI("ignore") ?? -100)],
            "nll_loss" => [Functional.NllLoss(x[0], x[1], Red(), OptI("ignore") ?? -100)],
            "mse_loss" => [Functional.MseLoss(x[0], x[1], Red())],
            "bce_logits" => [Functional.BinaryCrossEntropyWithLogits(x[0], x[1], x.Length > 2 ? x[2] : null, Red())],
            "cat" => [Tensor.Cat(x, I("dim"))],
            "stack" => [Tensor.Stack(x, I("dim"))],
            "index_select" => [x[0].IndexSelect(I("dim"), x[1])],
            "gather" => [x[0].Gather(I("dim"), x[1])],
            "scatter_add" => [x[0].ScatterAdd(I("dim"), x[1], x[2])],
            "masked_fill" => [x[0].MaskedFill(x[1], D("value"))],
            "where" => [Tensor.Where(x[0], x[1], x[2])],
            "one_hot" => [x[0].OneHot(OptI("n") ?? -1)],
            "view" => [ApplyView(x[0], a.GetProperty("chain").EnumerateArray())],
            "chunk" => x[0].Chunk(I("n"), I("dim")),
            "split" => a.GetProperty("size").ValueKind == JsonValueKind.Array
                ? x[0].Split(a.GetProperty("size").EnumerateArray().Select(e => e.GetInt32()).ToArray(), I("dim"))
                : x[0].Split(I("size"), I("dim")),
            _ => throw new NotSupportedException($"fixture: op {op} has no mapping to Engine"),
        };
    }

    private static Tensor[] Pair((Tensor Values, Tensor Indices) r) => [r.Values, r.Indices];

    /// <summary>
    /// The case's inputs as base tensors (float ones requiring gradients where the fixture says so)
    /// and the inputs the op sees (the bases after their view chains).
    /// </summary>
    public static (Tensor[] Bases, Tensor[] Viewed) Build(FixtureCase c, DType floatType)
    {
        var bases = c.Inputs.Select(t => MakeBase(t, floatType)).ToArray();
        for (int i = 0; i < bases.Length; i++)
        {
            if (c.Inputs[i].Grad)
            {
                bases[i].RequiresGrad_();
            }
        }
        var viewed = bases.Select((b, i) => ApplyView(b, c.Inputs[i].View)).ToArray();
        return (bases, viewed);
    }

    /// <summary>
    /// Pairs each output that PyTorch differentiated with its upstream gradient v (as a tensor of
    /// the run's dtype). One pair is backpropagated with Backward(v); several (chunk, split) through
    /// sum_i (out_i * v_i).sum(), which gives every input the same gradient.
    /// </summary>
    public static List<(Tensor Out, Tensor V)> Upstream(FixtureCase c, Tensor[] outs, DType floatType)
    {
        var pairs = new List<(Tensor, Tensor)>();
        for (int i = 0; i < outs.Length; i++)
        {
            if (c.Vs[i] is double[] v)
            {
                var vt = MakeBase(new FixtureTensor { Shape = c.Outs[i].Shape, Kind = 'f', Data = v }, floatType);
                pairs.Add((outs[i], vt));
            }
        }
        return pairs;
    }
}
