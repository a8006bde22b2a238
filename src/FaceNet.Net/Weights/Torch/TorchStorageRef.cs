namespace FaceNet.Net.Weights.Torch;

/// <summary>
/// A storage named by a pickle's persistent id (<c>('storage', torch.FloatStorage, key, location, numel)</c>): the
/// data itself lives outside the pickle (after it in the legacy format, in <c>data/&lt;key&gt;</c> in the zip format).
/// </summary>
/// <param name="Key">The storage key.</param>
/// <param name="Type">The element type.</param>
/// <param name="Count">Its number of elements, as the pickle declares (checked against the file before anything is read).</param>
internal sealed record TorchStorageRef(string Key, TorchStorageType Type, long Count);
