namespace FaceNet.Net.Imaging;

/// <summary>
/// How RGB pixel values (0..255) are scaled before they enter the network. Each published weight file
/// was trained with one of these; using another one gives embeddings that still look plausible but
/// compare badly.
/// </summary>
public enum PreprocessingMode
{
    /// <summary><c>(x − 127.5) / 128</c>: the convention of facenet-pytorch.</summary>
    Fixed,

    /// <summary><c>x / 255</c>: the convention of the seed notebook (<c>img_to_encoding</c>).</summary>
    Unit,

    /// <summary>
    /// <c>(x − mean) / max(std, 1/sqrt(N))</c> with the mean and the population standard deviation taken over
    /// the whole image (all N = 3·H·W values): the convention of davidsandberg/facenet, keras-facenet and
    /// deepface "Facenet".
    /// </summary>
    Prewhiten,
}
