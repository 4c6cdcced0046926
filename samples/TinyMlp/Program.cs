using Engine;
using Engine.Autograd;

// A two-layer MLP learns XOR-like quadrants of the plane, trained by hand with plain SGD.
var gen = new Generator(0);
var x = Tensor.Uniform(new[] { 256, 2 }, -1, 1, gen);
// Label: 1 when the two coordinates have the same sign.
var xs = x.ToFloatArray();
var labels = new long[256];
for (int i = 0; i < 256; i++)
{
    labels[i] = xs[2 * i] * xs[2 * i + 1] > 0 ? 1 : 0;
}
var y = Tensor.FromArray(labels);

var w1 = (Tensor.Randn(new[] { 16, 2 }, gen) * 0.7).Detach().RequiresGrad_();
var b1 = Tensor.Zeros(new[] { 16 }).RequiresGrad_();
var w2 = (Tensor.Randn(new[] { 2, 16 }, gen) * 0.25).Detach().RequiresGrad_();
var b2 = Tensor.Zeros(new[] { 2 }).RequiresGrad_();
var parameters = new[] { w1, b1, w2, b2 };

for (int step = 0; step <= 500; step++)
{
    using var scope = TensorScope.Begin(); // step temporaries go back to the buffer pool
    var hidden = Tensor.Linear(x, w1, b1).Tanh();
    var logits = Tensor.Linear(hidden, w2, b2);
    var loss = Functional.CrossEntropy(logits, y);
    loss.Backward();
    using (GradMode.NoGrad())
    {
        foreach (var p in parameters)
        {
            p.AddInPlace(p.Grad!, alpha: -0.5);
            p.Grad = null;
        }
    }
    if (step % 100 == 0)
    {
        var accuracy = logits.ArgMax(1).Eq(y).To(DType.Float32).Mean().Item();
        Console.WriteLine($"step {step,3}  loss {loss.Item():F4}  accuracy {accuracy:P0}");
    }
}
