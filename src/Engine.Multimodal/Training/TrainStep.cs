using Engine.Autograd;
using Engine.Multimodal.Data;
using Engine.Multimodal.Model;
using Engine.Nn.Optim;

namespace Engine.Multimodal.Training;

/// <summary>One optimisation step of a <see cref="MultimodalNet"/>, shared by the trainer, the step timer and the tests.</summary>
public static class TrainStep
{
    /// <summary>
    /// Forward on <paramref name="batch"/> with presence <paramref name="mask"/> (both already on the model's device),
    /// the fused + auxiliary loss, backward and one optimizer update. Returns the network output and the loss; nothing
    /// is read back to the host.
    /// </summary>
    public static (NetOutput Output, Tensor Loss) Run(MultimodalNet net, Optimizer optimizer, Batch batch, Tensor mask, double auxWeight)
    {
        NetOutput output;
        Tensor loss;
        using (Profiler.Region("forward"))
        {
            output = net.Forward(batch, mask);
        }
        using (Profiler.Region("loss"))
        {
            loss = Trainer.Loss(output, batch.Labels, auxWeight);
        }
        using (Profiler.Region("optimizer.zero_grad"))
        {
            optimizer.ZeroGrad();
        }
        loss.Backward();
        using (Profiler.Region("optimizer.step"))
        {
            optimizer.Step();
        }
        return (output, loss);
    }
}
