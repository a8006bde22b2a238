using System.IO.Compression;
using System.Text;

namespace FaceNet.Net.Model.Inference.TorchScript;

/// <summary>
/// Writes a minimal TorchScript module archive (what <c>torch.jit.save</c> produces for a module with no
/// parameters) around the given TorchScript source, so that <c>torch.jit.load</c> can compile it. Serialized
/// TorchScript, unlike <c>torch.jit.compile</c>'s source, can call operators of every namespace
/// (<c>ops.mkldnn...</c>), which is why the fused oneDNN convolution goes through an archive.
/// Stateless, thread-safe.
/// </summary>
internal static class TorchScriptArchive
{
    /// <summary>
    /// The archive bytes: <c>data.pkl</c> (the module object: class <c>__torch__.{className}</c>, not training),
    /// <c>code/__torch__.py</c> (<paramref name="classSource"/>), <c>constants.pkl</c> (no constants), <c>version</c>.
    /// </summary>
    public static byte[] Create(string className, string classSource)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(className, @"^[A-Za-z_][A-Za-z0-9_]*\z"))
            throw new ArgumentException($"'{className}' is not a TorchScript class name", nameof(className));
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "data.pkl", ModulePickle(className));
            Add(zip, "code/__torch__.py", Encoding.UTF8.GetBytes(classSource.EndsWith('\n') ? classSource : classSource + "\n"));
            Add(zip, "constants.pkl", [0x80, 0x02, (byte)')', (byte)'.']); // protocol 2, empty tuple, stop
            Add(zip, "version", Encoding.ASCII.GetBytes("3\n"));
            Add(zip, "byteorder", Encoding.ASCII.GetBytes("little"));
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Writes the archive of <see cref="Create"/> to a temporary file, loads it with <c>torch.jit.load</c> (which
    /// compiles the source) and deletes the file. A compile error does not surface as an exception: libtorch throws it
    /// where TorchSharp cannot catch it and the process ends (abort, exit code 134). So only source whose every line is
    /// of a form known to compile on the libtorch in use may come here (<see cref="TorchScriptCheck"/>).
    /// The file is named <c>facenet-&lt;class&gt;-&lt;pid&gt;-&lt;guid&gt;.pt</c>; the first load of a process removes those
    /// left by processes that are gone (killed during a load), see <see cref="RemoveOrphans"/>.
    /// </summary>
    public static TorchSharp.torch.jit.ScriptModule Load(string className, string classSource)
    {
        FaceNetRuntime.EnsureInitialized();
        if (Interlocked.Exchange(ref _orphansRemoved, 1) == 0) RemoveOrphans(Path.GetTempPath());
        string path = Path.Combine(Path.GetTempPath(), $"facenet-{className}-{Environment.ProcessId}-{Guid.NewGuid():N}.pt");
        try
        {
            File.WriteAllBytes(path, Create(className, classSource));
            return TorchSharp.torch.jit.load(path);
        }
        finally
        {
            try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static int _orphansRemoved;

    /// <summary>
    /// Deletes the archives in <paramref name="folder"/> written by <see cref="Load"/> in processes that no longer run:
    /// only names <c>facenet-&lt;identifier&gt;-&lt;pid&gt;-&lt;32 hex digits&gt;.pt</c> whose pid is not a running process.
    /// </summary>
    /// <returns>The number of files removed.</returns>
    internal static int RemoveOrphans(string folder)
    {
        int removed = 0;
        try
        {
            foreach (var file in Directory.EnumerateFiles(folder, "facenet-*.pt"))
            {
                var match = OrphanName.Match(Path.GetFileName(file));
                if (!match.Success || !int.TryParse(match.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture, out var pid)) continue;
                if (pid == Environment.ProcessId || IO.TemporaryFiles.IsRunning(pid)) continue;
                try { File.Delete(file); removed++; } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return removed;
    }

    private static readonly System.Text.RegularExpressions.Regex OrphanName =
        new(@"^facenet-[A-Za-z_][A-Za-z0-9_]*-([0-9]{1,10})-[0-9a-f]{32}\.pt\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static void Add(ZipArchive zip, string name, byte[] data)
    {
        var entry = zip.CreateEntry("archive/" + name, CompressionLevel.NoCompression);
        using var stream = entry.Open();
        stream.Write(data);
    }

    // Pickle protocol 2: GLOBAL '__torch__ <class>', EMPTY_TUPLE, NEWOBJ, EMPTY_DICT, 'training' -> False, SETITEM, BUILD, STOP.
    private static byte[] ModulePickle(string className)
    {
        using var pickle = new MemoryStream();
        pickle.Write([0x80, 0x02]);
        pickle.WriteByte((byte)'c');
        pickle.Write(Encoding.ASCII.GetBytes($"__torch__\n{className}\n"));
        pickle.Write([(byte)')', 0x81, (byte)'}']);
        pickle.WriteByte((byte)'X');
        pickle.Write(BitConverter.GetBytes(8)); // little-endian length of "training"
        pickle.Write(Encoding.ASCII.GetBytes("training"));
        pickle.Write([0x89, (byte)'s', (byte)'b', (byte)'.']);
        return pickle.ToArray();
    }
}
