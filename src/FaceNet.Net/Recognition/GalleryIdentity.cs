namespace FaceNet.Net.Recognition;

/// <summary>An enrolled person as listed by a gallery: the name and how many embeddings represent them. Immutable.</summary>
/// <param name="Name">The identity's name (compared ordinally, case-sensitive).</param>
/// <param name="EmbeddingCount">How many embeddings are enrolled for it (at least one).</param>
public sealed record GalleryIdentity(string Name, int EmbeddingCount);
