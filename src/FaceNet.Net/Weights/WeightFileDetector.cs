namespace FaceNet.Net.Weights;

/// <summary>Tells Keras HDF5, safetensors and PyTorch <c>torch.save</c> files apart by their first bytes, never by the file name.</summary>
internal static class WeightFileDetector
{
    private static ReadOnlySpan<byte> Hdf5Signature => [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The format of <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="WeightLoadException">The path is a directory, or the file is empty or neither format.</exception>
    public static WeightFileFormat Detect(string path)
    {
        if (Directory.Exists(path))
            throw new WeightLoadException($"'{path}' is a directory, not a weights file: give the .h5, .pt or .safetensors file inside it");
        if (!File.Exists(path)) throw new FileNotFoundException($"weight file '{path}' not found", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = stream.Length;
        if (length == 0) throw new WeightLoadException($"'{path}' is empty: expected Keras .h5, .safetensors or PyTorch .pt weights");
        Span<byte> head = stackalloc byte[Math.Max(9, Torch.TorchCheckpoint.SignatureLength)];
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..read];
        if (IsHdf5(head)) return WeightFileFormat.KerasH5;
        // HDF5 allows a user block before the superblock: the signature may sit at 512, 1024, 2048, ...
        Span<byte> probe = stackalloc byte[8];
        for (long offset = 512; offset + 8 <= length && offset <= 1 << 20; offset *= 2)
        {
            stream.Position = offset;
            if (stream.ReadAtLeast(probe, 8, throwOnEndOfStream: false) == 8 && IsHdf5(probe)) return WeightFileFormat.KerasH5;
        }
        if (SafetensorsFile.LooksLikeSafetensors(head, length)) return WeightFileFormat.Safetensors;
        if (Torch.TorchCheckpoint.LooksLikeTorch(head)) return WeightFileFormat.PyTorch;
        throw new WeightLoadException(
            $"'{path}' is neither Keras .h5 (HDF5), .safetensors nor a PyTorch .pt state dict (first bytes: {Convert.ToHexString(head)})");
    }

    private static bool IsHdf5(ReadOnlySpan<byte> head) => head.Length >= 8 && head[..8].SequenceEqual(Hdf5Signature);
}
