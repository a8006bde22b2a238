namespace FaceNet.Net.Training;

/// <summary>The optimiser the trainer uses.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (β = 0.9, 0.999).</summary>
    Adam,

    /// <summary>Stochastic gradient descent with momentum (<see cref="TrainingOptions.Momentum"/>).</summary>
    Sgd,
}
