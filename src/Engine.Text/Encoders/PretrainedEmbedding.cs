using Engine.Nn;
using Engine.Text.Vectors;

namespace Engine.Text.Encoders;

/// <summary>Builds embedding tables whose rows come from Word2Vec vectors.</summary>
public static class PretrainedEmbedding
{
    /// <summary>
    /// The (index.Count, vectors.Dim) table: row 0 (padding) zero, rows of words with a vector a copy of it, the
    /// unknown row and words without a vector drawn from N(0, s²) with <paramref name="seed"/>, where s is the
    /// standard deviation of all the vectors' entries (so random rows have the pretrained rows' scale).
    /// </summary>
    public static float[] Table(WordVectors vectors, TokenIndex index, ulong seed, out int copied)
    {
        int dim = vectors.Dim;
        var table = new float[(long)index.Count * dim];
        double sum = 0, sumSq = 0;
        foreach (float v in vectors.Data)
        {
            sum += v;
            sumSq += (double)v * v;
        }
        long n = Math.Max(vectors.Data.Length, 1);
        double mean = sum / n;
        double std = Math.Sqrt(Math.Max(sumSq / n - mean * mean, 0));
        if (!(std > 0))
        {
            std = 1 / Math.Sqrt(dim);
        }
        var g = new Generator(seed);
        copied = 0;
        for (int row = 0; row < index.Count; row++)
        {
            if (row == TokenIndex.PadId)
            {
                continue;
            }
            var dst = table.AsSpan(row * dim, dim);
            int k = row == TokenIndex.UnkId ? -1 : vectors.IndexOf(index.Tokens[row]);
            if (k >= 0)
            {
                vectors[k].CopyTo(dst);
                copied++;
            }
            else
            {
                for (int j = 0; j < dim; j++)
                {
                    dst[j] = (float)(std * g.NextNormal());
                }
            }
        }
        return table;
    }

    /// <summary>
    /// An <see cref="Embedding"/> over <paramref name="index"/> initialised from <paramref name="vectors"/> (see
    /// <see cref="Table"/>), padding row 0, frozen when <paramref name="freeze"/> is set.
    /// </summary>
    public static Embedding Create(WordVectors vectors, TokenIndex index, ulong seed, bool freeze = false)
    {
        var table = Table(vectors, index, seed, out _);
        using var t = Tensor.FromArray(table, new[] { index.Count, vectors.Dim });
        return Embedding.FromPretrained(t, freeze, paddingIdx: TokenIndex.PadId);
    }
}
