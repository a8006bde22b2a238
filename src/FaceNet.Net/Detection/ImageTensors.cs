using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace FaceNet.Net.Detection;

/// <summary>Turns ImageSharp photos into the cascade's input: floating-point RGB 0..255, N x 3 x H x W.</summary>
internal static class ImageTensors
{
    /// <summary>Stacks equally sized photos into one N x 3 x H x W tensor of <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    public static Tensor ToBatch(IReadOnlyList<Image<Rgb24>> images, Device device, ScalarType dtype)
    {
        int width = images[0].Width, height = images[0].Height;
        int frame = checked(width * height * 3);
        var bytes = new byte[checked((long)frame * images.Count)];
        for (int i = 0; i < images.Count; i++)
        {
            if (images[i].Width != width || images[i].Height != height)
                throw new ArgumentException("Photos in one batch must have the same size.", nameof(images));
            images[i].CopyPixelDataTo(bytes.AsSpan(i * frame, frame));
        }
        using var raw = tensor(bytes, [images.Count, height, width, 3], dtype: ScalarType.Byte);
        using var onDevice = raw.to(device);
        using var nchw = onDevice.permute(0, 3, 1, 2);
        return nchw.to(dtype).contiguous();
    }
}
