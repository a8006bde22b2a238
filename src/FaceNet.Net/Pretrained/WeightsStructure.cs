using FaceNet.Net.Detection;
using FaceNet.Net.Weights;

namespace FaceNet.Net.Pretrained;

/// <summary>
/// The structural check of a download: the file must map completely onto the network (FaceNet: every tensor of the
/// Inception-ResNet-v1 of the entry's embedding size, with its shape, through the loaders' own reader; MTCNN: every
/// parameter of pnet, rnet or onet). Stateless, thread-safe.
/// </summary>
internal static class WeightsStructure
{
    private static readonly string[] MtcnnNetworks = ["pnet", "rnet", "onet"];

    /// <summary>
    /// Checks <paramref name="path"/> (downloaded as <paramref name="fileName"/>). Returns false, having checked nothing,
    /// only for a PyTorch <c>.pt</c> FaceNet file that this build's loader does not read (it then cannot be used either;
    /// size and hash are checked regardless); throws when the file is not weights of the network.
    /// </summary>
    /// <exception cref="WeightLoadException">Not FaceNet weights (or not of the entry's embedding size).</exception>
    /// <exception cref="FaceDetectionException">Not the MTCNN network's weights.</exception>
    public static bool Check(string path, string fileName, PretrainedWeights? entry)
    {
        var network = Path.GetFileNameWithoutExtension(fileName).ToLowerInvariant();
        if (entry?.Kind == PretrainedKind.Mtcnn || (entry is null && MtcnnNetworks.Contains(network) && fileName.EndsWith(".pt", StringComparison.OrdinalIgnoreCase)))
        {
            CheckMtcnn(path, fileName, network);
            return true;
        }
        try
        {
            WeightFileDetector.Detect(path);
        }
        catch (WeightLoadException) when (fileName.EndsWith(".pt", StringComparison.OrdinalIgnoreCase) && LooksLikePyTorch(path))
        {
            return false;
        }
        WeightReader.Read(path, entry?.EmbeddingSize);
        return true;
    }

    private static void CheckMtcnn(string path, string fileName, string network)
    {
        FaceNetRuntime.EnsureInitialized();
        using TorchSharp.torch.nn.Module module = network switch
        {
            "pnet" => new PNet(),
            "rnet" => new RNet(),
            "onet" => new ONet(),
            _ => throw new FaceDetectionException($"'{fileName}' is not one of MTCNN's pnet, rnet or onet files."),
        };
        // The reader picks the format from the extension, which the download's name keeps (name.download.pt).
        MtcnnWeights.LoadInto(module, MtcnnWeights.Read(path), fileName);
    }

    /// <summary>A pickle (protocol 2+, the legacy <c>torch.save</c> format) or a zip archive (the current one).</summary>
    private static bool LooksLikePyTorch(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        int n = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        return n >= 2 && ((head[0] == 0x80 && head[1] is >= 2 and <= 5) || (n == 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4));
    }
}
