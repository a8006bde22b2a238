namespace FaceNet.Net.Devices;

/// <summary>A device name is not valid (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>, <c>auto</c>), or names a device this process cannot use; the message says which and what to do.</summary>
public sealed class DeviceNotAvailableException : FaceNetException
{
    /// <summary>Creates the exception with its message.</summary>
    public DeviceNotAvailableException(string message) : base(message) { }
}
