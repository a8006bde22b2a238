using System.Text.RegularExpressions;
using PureHDF;
using PureHDF.VOL.Native;

namespace FaceNet.Net.Weights;

/// <summary>One weight array found in a Keras HDF5 file (not read yet).</summary>
/// <param name="Group">The layer group it was found in.</param>
/// <param name="Path">Its dataset path inside that group.</param>
/// <param name="Layer">The layer name it belongs to: the component before the weight in its name (or the group name).</param>
/// <param name="Kind">The last component of its name without <c>:0</c>: <c>kernel</c>, <c>bias</c>, <c>beta</c>, ...</param>
/// <param name="Shape">Its dimensions.</param>
internal sealed record KerasWeightEntry(string Group, string Path, string Layer, string Kind, long[] Shape)
{
    /// <summary><c>layer/kind</c>, as messages name it.</summary>
    public string Name => Layer + "/" + Kind;
}

/// <summary>
/// Reads the Keras 2 weight layouts with PureHDF, liberally: weights at the root (<c>save_weights</c>) or under
/// <c>model_weights</c> (full model); <c>layer_names</c>/<c>weight_names</c> whole or split into
/// <c>layer_names0</c>, <c>layer_names1</c>, ...; weight names with or without <c>:0</c> or a prefix; layers
/// without <c>weight_names</c> are searched for datasets. Every failure of the HDF5 reader becomes a
/// <see cref="WeightLoadException"/>. Not thread-safe; dispose to close the file.
/// </summary>
internal sealed partial class KerasH5Archive : IDisposable
{
    /// <summary>Largest attribute (string array) accepted, in elements, so a corrupt size cannot exhaust memory.</summary>
    private const ulong MaxAttributeElements = 1_000_000;

    /// <summary>Largest fixed-length string attribute accepted, in bytes (the published files' are about 30 KB).</summary>
    private const ulong MaxAttributeBytes = 64UL * 1024 * 1024;

    /// <summary>Largest dataset accepted, in elements (256 MiB of float32).</summary>
    public const long MaxDatasetElements = 64L * 1024 * 1024;

    private readonly string _path;

    /// <summary>The file path as given.</summary>
    public string Path => _path;
    private readonly long _fileLength;
    private readonly Stream _stream;
    private readonly NativeFile _file;
    private readonly IH5Group _weightsRoot;

    /// <summary>"save_weights (weights at the root)" or "full model (model_weights group)".</summary>
    public string Layout { get; }

    /// <summary>The <c>keras_version</c> attribute, when present.</summary>
    public string? KerasVersion { get; }

    /// <summary>The <c>backend</c> attribute, when present.</summary>
    public string? Backend { get; }

    /// <summary>Every layer the file lists, weightless ones included.</summary>
    public IReadOnlyList<string> LayerNames { get; }

    /// <summary>Every weight array found, in file order.</summary>
    public IReadOnlyList<KerasWeightEntry> Weights { get; }

    private KerasH5Archive(string path, Stream stream, NativeFile file)
    {
        _path = path;
        _stream = stream;
        _fileLength = stream.Length;
        _file = file;

        var root = (IH5Group)file;
        Hdf5LinkGuard.EnsureHardLinksOnly(root, path);
        KerasVersion = ReadStringAttribute(root, "keras_version");
        Backend = ReadStringAttribute(root, "backend");

        if (HasLayerNames(root))
        {
            _weightsRoot = root;
            Layout = "save_weights (weights at the root)";
        }
        else if (root.LinkExists("model_weights") && root.Get("model_weights") is IH5Group modelWeights)
        {
            Hdf5LinkGuard.EnsureHardLinksOnly(modelWeights, path);
            _weightsRoot = modelWeights;
            Layout = "full model (model_weights group)";
            KerasVersion ??= ReadStringAttribute(modelWeights, "keras_version");
            Backend ??= ReadStringAttribute(modelWeights, "backend");
        }
        else if (root.LinkExists("layers") || root.LinkExists("_layer_checkpoint_dependencies"))
        {
            throw new WeightLoadException($"'{path}' is a Keras 3 '.weights.h5' file (layers addressed by class and index); " +
                "only Keras 2 layouts, which address layers by name, are supported: save the weights with Keras 2 or as a legacy .h5 model");
        }
        else
        {
            _weightsRoot = root;
            Layout = "save_weights (weights at the root, no layer_names)";
        }

        var layerNames = ReadStringArrayAttribute(_weightsRoot, "layer_names");
        if (layerNames is null)
        {
            // Liberal: no layer list; take every child group that looks like a Keras layer.
            layerNames = Children(_weightsRoot, path).Where(c => c.Object is IH5Group g && HasWeightNames(g)).Select(c => c.Name).ToArray();
            if (layerNames.Length == 0)
                throw new WeightLoadException($"'{path}' is an HDF5 file but not Keras weights: it has no 'layer_names' attribute and no layer groups " +
                    "with 'weight_names' at the root or under 'model_weights'");
        }
        LayerNames = layerNames;
        Weights = Enumerate(layerNames).ToList();
    }

    /// <summary>Opens a Keras HDF5 weight file.</summary>
    /// <exception cref="WeightLoadException">The file is not readable HDF5 or not a Keras weight file.</exception>
    public static KerasH5Archive Open(string path)
    {
        Stream? stream = null;
        NativeFile? file = null;
        try
        {
            var fileStream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
            stream = fileStream;
            if (fileStream.Length == 0) throw new WeightLoadException($"'{path}' is empty");
            // Budget: generous for a valid file (a few reads per object and chunk), finite for a corrupt one.
            stream = new GuardedStream(fileStream, path, operationBudget: 1_000_000 + fileStream.Length / 16);
            file = H5File.Open(stream, leaveOpen: false);
            return new KerasH5Archive(path, stream, file);
        }
        catch (Exception e)
        {
            try { file?.Dispose(); } catch (Exception) { /* a corrupt file may fail to close; the stream is closed below */ }
            stream?.Dispose();
            throw Wrap(path, e);
        }
    }

    /// <summary>Reads one weight as float32 values (after checking its size against limits and the file length).</summary>
    /// <exception cref="WeightLoadException">The data cannot be read.</exception>
    public float[] Read(KerasWeightEntry entry)
    {
        try
        {
            long count = Shapes.ElementCount(entry.Shape, MaxDatasetElements);
            if (count < 0)
                throw new WeightLoadException($"'{_path}': weight '{entry.Name}' has an implausible shape {Shapes.Format(entry.Shape)}");
            var dataset = Navigate(_weightsRoot, entry.Group + "/" + entry.Path) as IH5Dataset
                ?? throw new WeightLoadException($"'{_path}': weight '{entry.Name}' is not a dataset");
            var type = dataset.Type;
            if (type.Class != H5DataTypeClass.FloatingPoint || (type.Size != 4 && type.Size != 8))
                throw new WeightLoadException($"'{_path}': weight '{entry.Name}' is not float32 or float64 (HDF5 class {type.Class}, {type.Size} bytes)");
            if (dataset.Layout.Class != H5DataLayoutClass.Chunked && count * type.Size > _fileLength)
                throw new WeightLoadException($"'{_path}': weight '{entry.Name}' ({Shapes.Format(entry.Shape)}) is larger than the file; the file is truncated or corrupt");
            float[] values = type.Size == 4
                ? dataset.Read<float[]>()
                : Array.ConvertAll(dataset.Read<double[]>(), d => (float)d);
            if (values.LongLength != count)
                throw new WeightLoadException($"'{_path}': weight '{entry.Name}' holds {values.LongLength} values, its shape {Shapes.Format(entry.Shape)} needs {count}");
            return values;
        }
        catch (Exception e)
        {
            throw Wrap(_path, e);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _file.Dispose();
        _stream.Dispose();
    }

    /// <summary>Turns any failure of the HDF5 reader into one <see cref="WeightLoadException"/> line.</summary>
    internal static Exception Wrap(string path, Exception e) => e switch
    {
        WeightLoadException => e,
        FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException => e,
        OutOfMemoryException => new WeightLoadException($"'{path}' is corrupt: a size in it is too large to allocate", e),
        _ => new WeightLoadException($"'{path}' is not a readable Keras HDF5 file (corrupt or truncated?): {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}", e),
    };

    private IEnumerable<KerasWeightEntry> Enumerate(IReadOnlyList<string> layerNames)
    {
        var seenGroups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in layerNames)
        {
            if (!seenGroups.Add(layer)) continue;
            if (layer.Length == 0 || layer.Contains('/') || !_weightsRoot.LinkExists(layer)) continue; // weightless layers may have no group
            if (_weightsRoot.Get(layer) is not IH5Group group) continue;
            Hdf5LinkGuard.EnsureHardLinksOnly(group, _path);

            var weightNames = ReadStringArrayAttribute(group, "weight_names");
            var paths = new List<string>();
            if (weightNames is not null)
            {
                foreach (var name in weightNames)
                {
                    var resolved = Resolve(group, name, _path);
                    if (resolved is null)
                        throw new WeightLoadException($"'{_path}': layer '{layer}' lists weight '{name}' but the file has no such dataset");
                    paths.Add(resolved);
                }
            }
            else
            {
                paths.AddRange(Datasets(group, "", 0, _path));
            }

            foreach (var p in paths)
            {
                var dataset = Navigate(group, p) as IH5Dataset
                    ?? throw new WeightLoadException($"'{_path}': weight '{layer}/{p}' is not a dataset");
                var dims = dataset.Space.Dimensions;
                if (dims.Length > 8 || dims.Any(d => d > int.MaxValue))
                    throw new WeightLoadException($"'{_path}': weight '{layer}/{p}' has an implausible shape {Shapes.Format(dims)}");
                var parts = p.Split('/', StringSplitOptions.RemoveEmptyEntries);
                string kind = StripIndex(parts[^1]);
                string owner = parts.Length >= 2 ? parts[^2] : layer;
                yield return new KerasWeightEntry(layer, p, owner, kind, dims.Select(d => (long)d).ToArray());
            }
        }
    }

    /// <summary>The dataset path for a listed weight name: as written, else the unique dataset whose last component matches.</summary>
    private string? Resolve(IH5Group group, string weightName, string path)
    {
        var trimmed = weightName.Trim('/');
        if (trimmed.Length > 0 && TryNavigate(group, trimmed) is IH5Dataset) return trimmed;
        var last = StripIndex(trimmed.Split('/')[^1]);
        var candidates = Datasets(group, "", 0, path).Where(d => StripIndex(d.Split('/')[^1]) == last).ToList();
        return candidates.Count == 1 ? candidates[0] : null;
    }

    /// <summary>Every dataset under <paramref name="group"/> (depth-limited), as paths relative to it.</summary>
    private static IEnumerable<string> Datasets(IH5Group group, string prefix, int depth, string filePath)
    {
        if (depth > 8) yield break;
        foreach (var (name, obj) in Children(group, filePath))
        {
            var path = prefix.Length == 0 ? name : prefix + "/" + name;
            if (obj is IH5Dataset) yield return path;
            else if (obj is IH5Group sub)
                foreach (var d in Datasets(sub, path, depth + 1, filePath)) yield return d;
        }
    }

    private static IEnumerable<(string Name, IH5Object Object)> Children(IH5Group group, string filePath)
    {
        Hdf5LinkGuard.EnsureHardLinksOnly(group, filePath);
        return group.Children().Take(100_000).Select(c => (c.Name, c));
    }

    /// <summary>Follows <paramref name="relativePath"/> one group at a time, checking each group's links first.</summary>
    private IH5Object Navigate(IH5Group start, string relativePath) =>
        TryNavigate(start, relativePath) ?? throw new WeightLoadException($"'{_path}': '{relativePath}' does not exist");

    private IH5Object? TryNavigate(IH5Group start, string relativePath)
    {
        IH5Object current = start;
        foreach (var segment in relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current is not IH5Group group) return null;
            Hdf5LinkGuard.EnsureHardLinksOnly(group, _path);
            if (!group.LinkExists(segment)) return null;
            current = group.Get(segment);
        }
        return current;
    }

    /// <summary><c>kernel:0</c> → <c>kernel</c>.</summary>
    private static string StripIndex(string name) => IndexSuffix().Replace(name, "");

    [GeneratedRegex(@":\d+$")]
    private static partial Regex IndexSuffix();

    private static bool HasLayerNames(IH5Group group) => group.AttributeExists("layer_names") || group.AttributeExists("layer_names0");

    private static bool HasWeightNames(IH5Group group) => group.AttributeExists("weight_names") || group.AttributeExists("weight_names0");

    /// <summary>Reads a string-array attribute, joining Keras' split chunks <c>name0</c>, <c>name1</c>, ...; null when absent.</summary>
    private string[]? ReadStringArrayAttribute(IH5Object owner, string name)
    {
        if (owner.AttributeExists(name)) return ReadStrings(owner.Attribute(name));
        if (!owner.AttributeExists(name + "0")) return null;
        var all = new List<string>();
        for (int i = 0; owner.AttributeExists(name + i); i++)
        {
            all.AddRange(ReadStrings(owner.Attribute(name + i)));
            if (i > 10_000) throw new WeightLoadException($"'{_path}': attribute '{name}' is split into too many parts");
        }
        return all.ToArray();
    }

    private string[] ReadStrings(IH5Attribute attribute)
    {
        var dims = attribute.Space.Dimensions;
        ulong count = 1;
        foreach (var d in dims)
        {
            if (d != 0 && count > MaxAttributeElements / d) throw new WeightLoadException($"'{_path}': attribute '{attribute.Name}' is implausibly large");
            count *= d;
        }
        if (count > MaxAttributeElements) throw new WeightLoadException($"'{_path}': attribute '{attribute.Name}' is implausibly large");
        if (count == 0 || attribute.Space.Type == H5DataspaceType.Null) return []; // Keras writes an empty (float) array for weightless layers
        if (attribute.Type.Class == H5DataTypeClass.String && count * (ulong)attribute.Type.Size > MaxAttributeBytes)
            throw new WeightLoadException($"'{_path}': attribute '{attribute.Name}' is implausibly large ({count} strings of {attribute.Type.Size} bytes)");
        if (attribute.Type.Class != H5DataTypeClass.String && attribute.Type.Class != H5DataTypeClass.VariableLength)
            throw new WeightLoadException($"'{_path}': attribute '{attribute.Name}' is not a string list (HDF5 class {attribute.Type.Class})");
        if (attribute.Space.Type == H5DataspaceType.Scalar) return [attribute.Read<string>()];
        return attribute.Read<string[]>().Select(s => (s ?? "").TrimEnd('\0')).ToArray();
    }

    private string? ReadStringAttribute(IH5Object owner, string name)
    {
        if (!owner.AttributeExists(name)) return null;
        var attribute = owner.Attribute(name);
        if (attribute.Type.Class != H5DataTypeClass.String && attribute.Type.Class != H5DataTypeClass.VariableLength) return null;
        return attribute.Space.Type == H5DataspaceType.Scalar ? attribute.Read<string>()?.TrimEnd('\0') : ReadStrings(attribute).FirstOrDefault();
    }
}
