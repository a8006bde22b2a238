namespace FaceNet.Net.Imaging;

/// <summary>How RGB values 0..255 become network input (all three are used by published FaceNet weights).</summary>
public enum PreprocessingMode
{
    /// <summary><c>(x − 127.5) / 128</c> (facenet-pytorch).</summary>
    Fixed,

    /// <summary><c>x / 255</c> (the keras-facenet-h5 notebook).</summary>
    Unit,

    /// <summary><c>(x − mean) / max(std, 1/sqrt(N))</c> over the whole image, population std (davidsandberg/facenet, keras-facenet, deepface).</summary>
    Prewhiten,
}
