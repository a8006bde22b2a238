namespace FaceNet.Net.Model.Graph;

/// <summary>
/// A module of the folded network that can write its inference forward pass as TorchScript lines (the same
/// operations, in the same order, as its eager forward), so that the whole network body runs as one TorchScript call
/// (<see cref="CompiledNetworkBody"/>).
/// </summary>
internal interface IScriptEmitter
{
    /// <summary>Writes this module's forward pass applied to the variable <paramref name="input"/>; returns the variable holding its output.</summary>
    string Emit(ScriptWriter writer, string input);
}
