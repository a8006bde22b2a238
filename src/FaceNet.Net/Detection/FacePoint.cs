namespace FaceNet.Net.Detection;

/// <summary>A point in the original photo's pixel coordinates (x to the right, y down; may lie outside the photo).</summary>
/// <param name="X">Horizontal coordinate in pixels.</param>
/// <param name="Y">Vertical coordinate in pixels.</param>
public readonly record struct FacePoint(float X, float Y);
