namespace Engine.Nn.Optim;

/// <summary>
/// The base of learning-rate schedulers (like torch.optim.lr_scheduler): remembers each group's
/// initial rate, and on every <see cref="Step"/> sets each group's rate from a closed form in the
/// number of steps taken. Call it after optimizer.Step().
/// </summary>
public abstract class LRScheduler
{
    /// <summary>Records the base rates (each group's "initial_lr", set from its lr the first time).</summary>
    protected LRScheduler(Optimizer optimizer)
    {
        Optimizer = optimizer;
        foreach (var g in optimizer.ParamGroups)
        {
            if (!g.Has("initial_lr"))
            {
                g["initial_lr"] = g.Lr;
            }
        }
        BaseLrs = optimizer.ParamGroups.Select(g => g["initial_lr"]).ToArray();
    }

    /// <summary>The optimizer whose rates are set.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Each group's initial rate.</summary>
    public IReadOnlyList<double> BaseLrs { get; }

    /// <summary>Steps taken so far (PyTorch's last_epoch).</summary>
    public int LastEpoch { get; private set; }

    /// <summary>The rates now set on the groups.</summary>
    public double[] LastLr => Optimizer.ParamGroups.Select(g => g.Lr).ToArray();

    /// <summary>Sets the rates for step 0 (call at the end of a derived constructor).</summary>
    protected void Initialise() => Apply();

    /// <summary>Advances one step and sets the new rates.</summary>
    public void Step()
    {
        LastEpoch++;
        Apply();
    }

    private void Apply()
    {
        for (int i = 0; i < Optimizer.ParamGroups.Count; i++)
        {
            Optimizer.ParamGroups[i].Lr = LrAt(LastEpoch, BaseLrs[i], i);
        }
    }

    /// <summary>The rate of group <paramref name="group"/> after <paramref name="epoch"/> steps.</summary>
    protected abstract double LrAt(int epoch, double baseLr, int group);
}

/// <summary>Multiplies the rate by gamma every stepSize steps (StepLR).</summary>
public sealed class StepLR : LRScheduler
{
    private readonly int _stepSize;
    private readonly double _gamma;

    /// <summary>Creates the scheduler.</summary>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        if (stepSize <= 0)
        {
            throw new ArgumentException($"StepLR: step_size must be positive, got {stepSize}");
        }
        _stepSize = stepSize;
        _gamma = gamma;
        Initialise();
    }

    /// <inheritdoc />
    protected override double LrAt(int epoch, double baseLr, int group) => baseLr * Math.Pow(_gamma, epoch / _stepSize);
}

/// <summary>Cosine annealing from the base rate to etaMin over tMax steps (CosineAnnealingLR, no restarts).</summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    private readonly int _tMax;
    private readonly double _etaMin;

    /// <summary>Creates the scheduler.</summary>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0) : base(optimizer)
    {
        if (tMax <= 0)
        {
            throw new ArgumentException($"CosineAnnealingLR: T_max must be positive, got {tMax}");
        }
        _tMax = tMax;
        _etaMin = etaMin;
        Initialise();
    }

    /// <inheritdoc />
    protected override double LrAt(int epoch, double baseLr, int group) => _etaMin + (baseLr - _etaMin) * (1 + Math.Cos(Math.PI * epoch / _tMax)) / 2;
}

/// <summary>Linear warm-up: the factor goes from startFactor to endFactor over totalIters steps, then stays (LinearLR).</summary>
public sealed class LinearLR : LRScheduler
{
    private readonly double _start;
    private readonly double _end;
    private readonly int _total;

    /// <summary>Creates the scheduler.</summary>
    public LinearLR(Optimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5) : base(optimizer)
    {
        if (startFactor <= 0 || startFactor > 1 || endFactor < 0 || endFactor > 1 || totalIters <= 0)
        {
            throw new ArgumentException($"LinearLR: need 0 < start_factor <= 1, 0 <= end_factor <= 1, total_iters > 0; got {startFactor}, {endFactor}, {totalIters}");
        }
        _start = startFactor;
        _end = endFactor;
        _total = totalIters;
        Initialise();
    }

    /// <inheritdoc />
    protected override double LrAt(int epoch, double baseLr, int group) => baseLr * (_start + (_end - _start) * Math.Min(epoch, _total) / _total);
}

/// <summary>A rate given by a function of the step: base * factor(step) (LambdaLR).</summary>
public sealed class LambdaLR : LRScheduler
{
    private readonly Func<int, double> _factor;

    /// <summary>Creates the scheduler.</summary>
    public LambdaLR(Optimizer optimizer, Func<int, double> factor) : base(optimizer)
    {
        _factor = factor;
        Initialise();
    }

    /// <inheritdoc />
    protected override double LrAt(int epoch, double baseLr, int group) => baseLr * _factor(epoch);
}

/// <summary>
/// The one-cycle policy (OneCycleLR): the rate rises from maxLr / divFactor to maxLr over the
/// first pctStart of the steps, then anneals to the initial rate / finalDivFactor (three-phase:
/// back to the initial rate first). Momentum ("momentum" or Adam's "beta1") cycles inversely
/// between maxMomentum and baseMomentum when the groups have it.
/// </summary>
public sealed class OneCycleLR : LRScheduler
{
    private readonly (double EndStep, string Start, string End)[] _phases;
    private readonly bool _cosine;
    private readonly double[] _maxLr;
    private readonly double _div;
    private readonly double _finalDiv;
    private readonly bool _cycleMomentum;
    private readonly double _baseMomentum;
    private readonly double _maxMomentum;

    /// <summary>Creates the scheduler; it sets each group's rate to maxLr / divFactor right away.</summary>
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart = 0.3, string annealStrategy = "cos", bool cycleMomentum = true,
        double baseMomentum = 0.85, double maxMomentum = 0.95, double divFactor = 25, double finalDivFactor = 1e4, bool threePhase = false)
        : base(SetInitial(optimizer, maxLr, divFactor))
    {
        if (totalSteps <= 0 || pctStart < 0 || pctStart > 1 || annealStrategy is not ("cos" or "linear"))
        {
            throw new ArgumentException($"OneCycleLR: need total_steps > 0, 0 <= pct_start <= 1 and anneal_strategy 'cos' or 'linear'; got {totalSteps}, {pctStart}, '{annealStrategy}'");
        }
        TotalSteps = totalSteps;
        _cosine = annealStrategy == "cos";
        _maxLr = Enumerable.Repeat(maxLr, optimizer.ParamGroups.Count).ToArray();
        _div = divFactor;
        _finalDiv = finalDivFactor;
        _phases = threePhase
            ? new[] { (pctStart * totalSteps - 1, "initial", "max"), (2 * pctStart * totalSteps - 2, "max", "initial"), (totalSteps - 1.0, "initial", "min") }
            : new[] { (pctStart * totalSteps - 1, "initial", "max"), (totalSteps - 1.0, "max", "min") };
        _cycleMomentum = cycleMomentum && optimizer.ParamGroups.All(g => g.Has("momentum") || g.Has("beta1"));
        _baseMomentum = baseMomentum;
        _maxMomentum = maxMomentum;
        Initialise();
    }

    private static Optimizer SetInitial(Optimizer optimizer, double maxLr, double div)
    {
        foreach (var g in optimizer.ParamGroups)
        {
            g["initial_lr"] = maxLr / div;
            g.Lr = maxLr / div;
        }
        return optimizer;
    }

    /// <summary>Steps in the cycle.</summary>
    public int TotalSteps { get; }

    private double Anneal(double start, double end, double pct) => _cosine ? end + (start - end) / 2 * (Math.Cos(Math.PI * pct) + 1) : (end - start) * pct + start;

    /// <inheritdoc />
    protected override double LrAt(int epoch, double baseLr, int group)
    {
        if (epoch > TotalSteps)
        {
            throw new InvalidOperationException($"OneCycleLR: tried to step {epoch} times; the total number of steps is {TotalSteps}");
        }
        double initial = _maxLr[group] / _div;
        double Value(string name) => name switch { "initial" => initial, "max" => _maxLr[group], _ => initial / _finalDiv };
        double MomentumValue(string name) => name == "max" ? _baseMomentum : _maxMomentum;
        double start = 0, lr = 0, momentum = 0;
        for (int i = 0; i < _phases.Length; i++)
        {
            var (endStep, from, to) = _phases[i];
            if (epoch <= endStep || i == _phases.Length - 1)
            {
                double pct = (epoch - start) / (endStep - start);
                lr = Anneal(Value(from), Value(to), pct);
                momentum = Anneal(MomentumValue(from), MomentumValue(to), pct);
                break;
            }
            start = endStep;
        }
        if (_cycleMomentum)
        {
            var g = Optimizer.ParamGroups[group];
            g[g.Has("beta1") ? "beta1" : "momentum"] = momentum;
        }
        return lr;
    }
}
