namespace Engine.Text.Sampling;

/// <summary>
/// The Huffman tree of hierarchical softmax: each word gets a binary code (frequent words short codes)
/// and the inner nodes on its path from the root. Inner nodes are numbered 0..V-2 (rows of the output matrix).
/// </summary>
public sealed class HuffmanTree
{
    /// <summary>Builds the tree from counts (any order).</summary>
    public HuffmanTree(IReadOnlyList<long> counts)
    {
        int n = counts.Count;
        if (n < 2)
        {
            throw new ArgumentException($"HuffmanTree: hierarchical softmax needs at least 2 words, got {n}.", nameof(counts));
        }
        // Nodes 0..n-1 are leaves, n..2n-2 inner nodes; a min-heap keyed by (count, node id) merges the two rarest.
        var parent = new int[2 * n - 1];
        var bit = new byte[2 * n - 1];
        var queue = new PriorityQueue<int, (long, int)>(n);
        for (int i = 0; i < n; i++)
        {
            queue.Enqueue(i, (counts[i], i));
        }
        for (int next = n; next < 2 * n - 1; next++)
        {
            queue.TryDequeue(out int a, out var ka);
            queue.TryDequeue(out int b, out var kb);
            parent[a] = next;
            parent[b] = next;
            bit[a] = 0;
            bit[b] = 1;
            queue.Enqueue(next, (ka.Item1 + kb.Item1, next));
        }
        int root = 2 * n - 2;
        Codes = new byte[n][];
        Points = new int[n][];
        var codeBuffer = new List<byte>();
        var pointBuffer = new List<int>();
        for (int w = 0; w < n; w++)
        {
            codeBuffer.Clear();
            pointBuffer.Clear();
            for (int node = w; node != root; node = parent[node])
            {
                codeBuffer.Add(bit[node]);
                pointBuffer.Add(parent[node] - n);
            }
            // Walked leaf -> root; store root -> leaf.
            codeBuffer.Reverse();
            pointBuffer.Reverse();
            Codes[w] = [.. codeBuffer];
            Points[w] = [.. pointBuffer];
        }
    }

    /// <summary>Code bits of each word, root to leaf.</summary>
    public byte[][] Codes { get; }

    /// <summary>Inner-node indices (rows of the hierarchical-softmax matrix) on each word's path, root to leaf.</summary>
    public int[][] Points { get; }

    /// <summary>Number of inner nodes (V - 1).</summary>
    public int InnerNodeCount => Codes.Length - 1;
}
