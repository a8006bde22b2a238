namespace FaceNet.Net.Recognition.Storage;

/// <summary>What a gallery file holds: weights fingerprint, embedding size, identities with their unit vectors.</summary>
internal sealed record GalleryContent(string Fingerprint, int EmbeddingSize, IReadOnlyList<GalleryContent.Identity> Identities)
{
    /// <summary>One identity and its embeddings (each <see cref="GalleryContent.EmbeddingSize"/> floats).</summary>
    public sealed record Identity(string Name, float[][] Embeddings);
}
