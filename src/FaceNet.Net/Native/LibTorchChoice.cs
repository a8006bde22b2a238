namespace FaceNet.Net.Native;

/// <summary>What to do about libtorch before TorchSharp loads.</summary>
internal enum LibTorchAction
{
    /// <summary>A usable libtorch is already mapped: load nothing more.</summary>
    UseMapped,

    /// <summary>Load <see cref="LibTorchChoice.Library"/>'s folder by absolute paths, so that TorchSharp's by-name loads find it.</summary>
    Load,

    /// <summary>No libtorch anywhere: TorchSharp's own load fails with its message about the package to add.</summary>
    NotFound,

    /// <summary>Only a libtorch that would crash the process is reachable: throw <see cref="LibTorchChoice.Refusal"/>.</summary>
    Refuse,
}

/// <summary>The decision of <see cref="LibTorchSelection.Decide"/>.</summary>
/// <param name="Action">What to do.</param>
/// <param name="Library">The libtorch to use (<see cref="LibTorchAction.UseMapped"/>, <see cref="LibTorchAction.Load"/>).</param>
/// <param name="Shadowed">A foreign libtorch on the loader's path that the chosen one keeps from being loaded, when there is one.</param>
/// <param name="Refusal">The message for <see cref="NativeRuntimeException"/> (<see cref="LibTorchAction.Refuse"/>).</param>
internal sealed record LibTorchChoice(LibTorchAction Action, LibTorchCandidate? Library, LibTorchCandidate? Shadowed, string? Refusal);
