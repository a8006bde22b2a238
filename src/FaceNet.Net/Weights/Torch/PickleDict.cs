namespace FaceNet.Net.Weights.Torch;

/// <summary>A pickled <c>dict</c> or <c>collections.OrderedDict</c>: its items in insertion order (a repeated key replaces the value, as in Python).</summary>
internal sealed class PickleDict
{
    private readonly List<KeyValuePair<object, object?>> _items = [];
    private readonly Dictionary<object, int> _index = [];

    /// <summary>The items in insertion order.</summary>
    public IReadOnlyList<KeyValuePair<object, object?>> Items => _items;

    /// <summary>Sets <paramref name="key"/> (a string or an integer: the only keys a state dict uses).</summary>
    /// <exception cref="InvalidDataException">The key is of another type.</exception>
    public void Set(object? key, object? value)
    {
        if (key is not (string or long or System.Numerics.BigInteger or bool))
            throw new InvalidDataException($"a dict key of type {PickleNames.Describe(key)}; a state dict's keys are strings");
        if (_index.TryGetValue(key, out int at)) _items[at] = new(key, value);
        else
        {
            _index[key] = _items.Count;
            _items.Add(new(key, value));
        }
    }
}
