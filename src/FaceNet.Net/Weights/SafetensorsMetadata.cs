namespace FaceNet.Net.Weights;

/// <summary>The <c>__metadata__</c> keys FaceNet.Net writes into converted safetensors files.</summary>
public static class SafetensorsMetadata
{
    /// <summary>Always <c>pt</c> (the tensors use torch names and layouts).</summary>
    public const string Format = "format";

    /// <summary>The network: <c>inception_resnet_v1</c>.</summary>
    public const string Network = "facenet.network";

    /// <summary>The embedding size D, as decimal text (<c>128</c> or <c>512</c>).</summary>
    public const string EmbeddingSize = "facenet.embedding_size";

    /// <summary>The preprocessing the weights expect, when known: <c>fixed</c>, <c>unit</c> or <c>prewhiten</c>.</summary>
    public const string Preprocessing = "facenet.preprocessing";

    /// <summary>The file name (without folder) of the source Keras file.</summary>
    public const string SourceFile = "facenet.source_file";

    /// <summary>Lower-case hex SHA-256 of the source Keras file's bytes.</summary>
    public const string SourceSha256 = "facenet.source_sha256";

    /// <summary>Lower-case hex fingerprint of the tensors (see <see cref="Model.FaceNetModel.Fingerprint"/>).</summary>
    public const string Fingerprint = "facenet.fingerprint";

    /// <summary>The converter that wrote the file (<c>FaceNet.Net 0.1.0</c>).</summary>
    public const string Converter = "facenet.converter_version";

    /// <summary>The accepted preprocessing names.</summary>
    public static IReadOnlyList<string> PreprocessingNames { get; } = ["fixed", "unit", "prewhiten"];
}
