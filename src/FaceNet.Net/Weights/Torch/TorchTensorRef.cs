namespace FaceNet.Net.Weights.Torch;

/// <summary>
/// A tensor as <c>torch._utils._rebuild_tensor_v2</c> describes it: a view of a storage (element offset, sizes,
/// strides). Created only after checking that every element it covers lies inside the storage's declared count.
/// </summary>
/// <param name="Storage">The storage it views.</param>
/// <param name="Offset">The first element, in elements.</param>
/// <param name="Shape">The sizes.</param>
/// <param name="Stride">The strides, in elements.</param>
internal sealed record TorchTensorRef(TorchStorageRef Storage, long Offset, long[] Shape, long[] Stride)
{
    /// <summary>The number of elements.</summary>
    public long ElementCount => Shapes.ElementCount(Shape);

    /// <summary>Whether the elements lie one after the other in row-major order (the usual case: then they are read in one piece).</summary>
    public bool IsContiguous
    {
        get
        {
            long expected = 1;
            for (int d = Shape.Length - 1; d >= 0; d--)
            {
                if (Shape[d] != 1 && Stride[d] != expected) return false;
                expected *= Shape[d];
            }
            return true;
        }
    }

    /// <summary>The last element index the view reaches (its first is <see cref="Offset"/>); only for a non-empty tensor.</summary>
    public long LastIndex
    {
        get
        {
            long last = Offset;
            for (int d = 0; d < Shape.Length; d++) last = checked(last + (Shape[d] - 1) * Stride[d]);
            return last;
        }
    }
}
