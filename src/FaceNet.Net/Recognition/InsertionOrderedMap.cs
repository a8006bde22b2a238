using System.Collections;

namespace FaceNet.Net.Recognition;

/// <summary>
/// A dictionary that enumerates in insertion order (the subset of .NET 9's <c>OrderedDictionary</c>
/// the gallery needs, so the library also targets .NET 8). Lookups are O(1); removal and positional
/// insertion are O(n). Not thread-safe: the gallery guards it with its lock.
/// </summary>
internal sealed class InsertionOrderedMap<TKey, TValue> : IEnumerable<KeyValuePair<TKey, TValue>> where TKey : notnull
{
    private readonly List<KeyValuePair<TKey, TValue>> _entries = new();
    private readonly Dictionary<TKey, TValue> _lookup;

    public InsertionOrderedMap(IEqualityComparer<TKey> comparer) => _lookup = new Dictionary<TKey, TValue>(comparer);

    public int Count => _entries.Count;

    public bool ContainsKey(TKey key) => _lookup.ContainsKey(key);

    public bool TryGetValue(TKey key, out TValue value) => _lookup.TryGetValue(key, out value!);

    public void Add(TKey key, TValue value)
    {
        _lookup.Add(key, value);
        _entries.Add(new KeyValuePair<TKey, TValue>(key, value));
    }

    public bool Remove(TKey key, out TValue value)
    {
        if (!_lookup.Remove(key, out value!)) return false;
        _entries.RemoveAt(IndexOf(key));
        return true;
    }

    public int IndexOf(TKey key)
    {
        var comparer = _lookup.Comparer;
        for (int i = 0; i < _entries.Count; i++)
            if (comparer.Equals(_entries[i].Key, key)) return i;
        return -1;
    }

    public KeyValuePair<TKey, TValue> GetAt(int index) => _entries[index];

    public void RemoveAt(int index)
    {
        _lookup.Remove(_entries[index].Key);
        _entries.RemoveAt(index);
    }

    public void Insert(int index, TKey key, TValue value)
    {
        _lookup.Add(key, value);
        _entries.Insert(index, new KeyValuePair<TKey, TValue>(key, value));
    }

    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
