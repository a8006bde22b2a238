namespace FaceNet.Net.Weights.Torch;

/// <summary>A <c>module.name</c> a pickle referred to with <c>GLOBAL</c> or <c>STACK_GLOBAL</c>, after it passed the allow-list.</summary>
/// <param name="Module">The module, e.g. <c>torch._utils</c>.</param>
/// <param name="Name">The name in it, e.g. <c>_rebuild_tensor_v2</c>.</param>
internal sealed record PickleGlobal(string Module, string Name)
{
    /// <inheritdoc />
    public override string ToString() => Module + "." + Name;
}
