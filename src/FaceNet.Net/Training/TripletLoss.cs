using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Training;

/// <summary>
/// FaceNet's triplet loss with online mining inside the batch: L = mean over mined triplets of
/// max(‖f(a) − f(p)‖² − ‖f(a) − f(n)‖² + α, 0), on L2-normalised embeddings (the module normalises its input).
/// </summary>
/// <remarks>
/// <para>Call <see cref="Compute(Tensor, IReadOnlyList{int})"/> to get the triplets and the active fraction with the loss;
/// <c>forward(embeddings, labels)</c> returns the loss alone. A batch with no valid triplet (one identity, or every
/// identity with a single image) gives a zero loss that still supports <c>backward()</c> (all gradients zero).</para>
/// <para>No parameters. Not thread-safe (TorchSharp modules are not); use one instance per training loop.</para>
/// </remarks>
public sealed class TripletLoss : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>The margin the FaceNet paper uses.</summary>
    public const float DefaultMargin = 0.2f;

    /// <summary>Creates the loss.</summary>
    /// <param name="margin">The margin α, positive and finite (default 0.2).</param>
    /// <param name="strategy">How triplets are mined (default semi-hard).</param>
    /// <exception cref="ArgumentException">The margin is not positive and finite.</exception>
    public TripletLoss(float margin = DefaultMargin, TripletMiningStrategy strategy = TripletMiningStrategy.SemiHard)
        : base(nameof(TripletLoss))
    {
        if (!(margin > 0) || float.IsInfinity(margin))
            throw new ArgumentException($"The triplet margin must be a positive finite number, not {margin}.", nameof(margin));
        if (!Enum.IsDefined(strategy)) throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown mining strategy.");
        Margin = margin;
        Strategy = strategy;
    }

    /// <summary>The margin α.</summary>
    public float Margin { get; }

    /// <summary>The mining strategy.</summary>
    public TripletMiningStrategy Strategy { get; }

    /// <summary>The loss of a batch.</summary>
    /// <param name="embeddings">N x D embeddings (not necessarily normalised).</param>
    /// <param name="labels">N identity labels (any integer type).</param>
    /// <returns>The scalar loss.</returns>
    public override Tensor forward(Tensor embeddings, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var ids = labels.cpu().to(ScalarType.Int64).data<long>().Select(v => (int)v).ToArray();
        using var result = Compute(embeddings, ids);
        return result.Loss.alias();
    }

    /// <summary>Mines triplets in the batch and computes their loss.</summary>
    /// <param name="embeddings">N x D embeddings (not necessarily normalised), on any device.</param>
    /// <param name="labels">The identity of each row.</param>
    /// <returns>The loss, the triplets and the active fraction; dispose it.</returns>
    /// <exception cref="ArgumentException">The embeddings are not 2-D, or the label count differs from N.</exception>
    public TripletLossResult Compute(Tensor embeddings, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentNullException.ThrowIfNull(labels);
        if (embeddings.dim() != 2)
            throw new ArgumentException($"Embeddings must be N x D, got shape [{string.Join(", ", embeddings.shape)}].", nameof(embeddings));
        if (embeddings.shape[0] != labels.Count)
            throw new ArgumentException($"There are {embeddings.shape[0]} embeddings but {labels.Count} labels.", nameof(labels));

        using var scope = NewDisposeScope();
        var x = nn.functional.normalize(embeddings, p: 2, dim: 1);
        var mined = TripletMiner.Mine(SquaredDistanceMatrix(x), labels, Strategy, Margin);
        if (mined.Triplets.Count == 0)
        {
            var zero = x.requires_grad ? x.sum() * 0.0 : zeros(Array.Empty<long>(), x.dtype, x.device, requires_grad: true);
            return new TripletLossResult(zero.MoveToOuterDisposeScope(), mined, 0);
        }

        var a = tensor(mined.Triplets.Select(t => (long)t.Anchor).ToArray(), device: x.device);
        var p = tensor(mined.Triplets.Select(t => (long)t.Positive).ToArray(), device: x.device);
        var n = tensor(mined.Triplets.Select(t => (long)t.Negative).ToArray(), device: x.device);
        var xa = x.index_select(0, a);
        var ap = (xa - x.index_select(0, p)).pow(2).sum(1);
        var an = (xa - x.index_select(0, n)).pow(2).sum(1);
        var perTriplet = nn.functional.relu(ap - an + Margin);
        int active = (int)(perTriplet > 0).sum().cpu().item<long>();
        return new TripletLossResult(perTriplet.mean().MoveToOuterDisposeScope(), mined, active);
    }

    /// <summary>N x N squared distances of the rows of <paramref name="x"/>, copied to the CPU for mining.</summary>
    private static float[,] SquaredDistanceMatrix(Tensor x)
    {
        using var scope = NewDisposeScope();
        var rows = x.detach().to(ScalarType.Float32);
        var d = (rows.unsqueeze(1) - rows.unsqueeze(0)).pow(2).sum(2).cpu();
        int n = (int)d.shape[0];
        var flat = d.data<float>().ToArray();
        var matrix = new float[n, n];
        Buffer.BlockCopy(flat, 0, matrix, 0, flat.Length * sizeof(float));
        return matrix;
    }
}
