using TorchSharp;
using TorchSharp.Modules;

namespace FaceNet.Net.Training;

/// <summary>Freezes a module's parameters by name prefix. Not thread-safe (it changes the module).</summary>
public static class ParameterFreezer
{
    /// <summary>
    /// Sets <c>requires_grad</c> on every parameter: false when its name starts with a prefix in
    /// <paramref name="freezePrefixes"/>, or when <paramref name="trainOnlyPrefixes"/> is not empty and no prefix of it
    /// matches; true otherwise.
    /// </summary>
    /// <returns>The trainable parameters, in the module's order.</returns>
    /// <exception cref="FaceNetException">A prefix matches no parameter (the message lists some names), or nothing is left to train.</exception>
    public static IReadOnlyList<Parameter> Apply(torch.nn.Module module, IReadOnlyList<string> freezePrefixes, IReadOnlyList<string> trainOnlyPrefixes)
    {
        ArgumentNullException.ThrowIfNull(module);
        var named = module.named_parameters().ToList();
        foreach (var prefix in freezePrefixes.Concat(trainOnlyPrefixes))
            if (!named.Any(p => p.name.StartsWith(prefix, StringComparison.Ordinal)))
                throw new FaceNetException($"The prefix '{prefix}' matches no parameter; names look like: {string.Join(", ", named.Take(6).Select(p => p.name))}.");
        var trainable = new List<Parameter>();
        foreach (var (name, parameter) in named)
        {
            bool frozen = freezePrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))
                || (trainOnlyPrefixes.Count > 0 && !trainOnlyPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)));
            parameter.requires_grad = !frozen;
            if (!frozen) trainable.Add(parameter);
        }
        if (trainable.Count == 0) throw new FaceNetException("Every parameter is frozen: nothing would be trained. Loosen the freeze prefixes.");
        return trainable;
    }

    /// <summary>
    /// Puts every sub-module whose parameters are all frozen into evaluation mode, so frozen batch-norm layers keep
    /// their running statistics. Call after <c>module.train()</c>.
    /// </summary>
    public static void FreezeStatistics(torch.nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        foreach (var (_, child) in module.named_modules())
        {
            var ps = child.parameters().ToList();
            if (ps.Count > 0 && ps.All(p => !p.requires_grad)) child.eval();
        }
    }
}
