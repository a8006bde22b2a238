namespace FaceNet.Net.Recognition;

/// <summary>A gallery operation named an identity that is not enrolled.</summary>
public class IdentityNotFoundException : FaceNetException
{
    /// <summary>Creates the exception for <paramref name="name"/>.</summary>
    public IdentityNotFoundException(string name)
        : base($"No identity named '{name}' is enrolled in the gallery.")
    {
        Name = name;
    }

    /// <summary>The name that was not found.</summary>
    public string Name { get; }
}
