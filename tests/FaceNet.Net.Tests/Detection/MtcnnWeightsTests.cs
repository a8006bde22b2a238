using System.Text;
using FaceNet.Net.Detection;

namespace FaceNet.Net.Tests.Detection;

/// <summary>Loading MTCNN weights: by name and shape, with clear errors for wrong or broken files.</summary>
public class MtcnnWeightsTests
{
    [Test]
    public void Weights_of_the_wrong_network_are_refused_by_name()
    {
        var folder = Directory.CreateTempSubdirectory("facenet-mtcnn-");
        try
        {
            File.Copy(Path.Combine(MtcnnReference.WeightsFolder, "rnet.safetensors"), Path.Combine(folder.FullName, "pnet.safetensors"));
            File.Copy(Path.Combine(MtcnnReference.WeightsFolder, "rnet.safetensors"), Path.Combine(folder.FullName, "rnet.safetensors"));
            File.Copy(Path.Combine(MtcnnReference.WeightsFolder, "onet.safetensors"), Path.Combine(folder.FullName, "onet.safetensors"));
            var error = Assert.Throws<FaceDetectionException>(() => MtcnnFaceDetector.FromFolder(folder.FullName));
            Assert.That(error!.Message, Does.Contain("pnet.safetensors").And.Contain("PNet"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public void The_legacy_pt_files_load_when_no_safetensors_are_present()
    {
        var folder = Directory.CreateTempSubdirectory("facenet-mtcnn-");
        try
        {
            foreach (var net in new[] { "pnet", "rnet", "onet" })
                File.Copy(Path.Combine(MtcnnReference.WeightsFolder, net + ".pt"), Path.Combine(folder.FullName, net + ".pt"));
            using var detector = MtcnnFaceDetector.FromFolder(folder.FullName);
            using var grey = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(64, 64);
            Assert.That(detector.Detect(grey), Is.Empty);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public void A_missing_folder_names_the_files_it_needs()
    {
        var error = Assert.Throws<FaceDetectionException>(() => MtcnnFaceDetector.FromFolder("/no/such/mtcnn"));
        Assert.That(error!.Message, Does.Contain("pnet").And.Contain("does not exist"));
    }

    [Test]
    public void Safetensors_are_parsed_and_broken_headers_are_refused()
    {
        var folder = Directory.CreateTempSubdirectory("facenet-mtcnn-weights-");
        try
        {
            string Write(string name, byte[] bytes)
            {
                var path = Path.Combine(folder.FullName, name + ".safetensors");
                File.WriteAllBytes(path, bytes);
                return path;
            }
            var header = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"x":"y"}}""";
            var good = Build(header, [1f, -2.5f]);
            var parsed = MtcnnWeights.Read(Write("good", good));
            Assert.That(parsed["a"].Shape, Is.EqualTo(new long[] { 2 }));
            Assert.That(parsed["a"].Values, Is.EqualTo(new[] { 1f, -2.5f }));

            Assert.Throws<FaceDetectionException>(() => MtcnnWeights.Read(Write("short", good.AsSpan(0, 5).ToArray())));
            Assert.Throws<FaceDetectionException>(() => MtcnnWeights.Read(Write("shape", Build("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", [1f, 2f]))));
            Assert.Throws<FaceDetectionException>(() => MtcnnWeights.Read(Write("dtype", Build("""{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}""", [1f, 2f]))));
            Assert.Throws<FaceDetectionException>(() => MtcnnWeights.Read(Write("json", Build("not json", [1f]))));
            var range = Assert.Throws<FaceDetectionException>(() => MtcnnWeights.Read(Write("range", Build("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", [1f]))));
            Assert.That(range!.Message, Does.Contain("range.safetensors"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public void A_header_that_claims_more_than_the_file_holds_gets_the_shared_message_naming_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"facenet-lying-{Guid.NewGuid():N}.safetensors");
        try
        {
            var bytes = new byte[64];
            BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), 1_000_000UL);
            bytes[8] = (byte)'{';
            File.WriteAllBytes(path, bytes);
            var error = Assert.Throws<FaceDetectionException>(() => MtcnnWeights.Read(path));
            Assert.That(error!.Message, Is.EqualTo($"MTCNN weights: '{path}' is truncated or corrupt: its header claims 1000000 bytes, the file has 56 after the length"));
            Assert.That(error.InnerException, Is.InstanceOf<FaceNet.Net.Weights.WeightLoadException>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void A_mismatched_file_lists_every_missing_unexpected_and_mis_shaped_tensor()
    {
        FaceNetRuntime.EnsureInitialized();
        using var pnet = new PNet();
        var tensors = pnet.named_parameters()
            .Where(p => p.name != "conv4_2.bias")
            .ToDictionary(p => p.name, p => new FaceNet.Net.Weights.TensorData(p.name, p.parameter.shape, new float[p.parameter.numel()]));
        tensors["conv1.weight"] = new FaceNet.Net.Weights.TensorData("conv1.weight", [10, 3, 5, 5], new float[750]);
        tensors["extra"] = new FaceNet.Net.Weights.TensorData("extra", [1], [0f]);

        var error = Assert.Throws<FaceDetectionException>(() => MtcnnWeights.LoadInto(pnet, tensors, "p.safetensors"));
        var inner = (FaceNet.Net.Weights.WeightLoadException)error!.InnerException!;
        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Is.EqualTo("'p.safetensors': its weights do not fit MTCNN's PNet: 1 missing (conv4_2.bias); 1 unexpected (extra); " +
                "1 mis-shaped (conv1.weight [10, 3, 5, 5], expected [10, 3, 3, 3])"));
            Assert.That(inner.Missing, Is.EqualTo(new[] { "conv4_2.bias" }));
            Assert.That(inner.Unexpected, Is.EqualTo(new[] { "extra" }));
            Assert.That(inner.Misshaped, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void A_pt_file_that_is_not_a_state_dict_is_refused()
    {
        var path = Path.Combine(Path.GetTempPath(), $"facenet-bad-{Guid.NewGuid():N}.pt");
        try
        {
            File.WriteAllBytes(path, Encoding.ASCII.GetBytes("PK\u0003\u0004 this starts like a zip, but is not one"));
            var error = Assert.Throws<FaceDetectionException>(() => MtcnnWeights.Read(path));
            Assert.That(error!.Message, Does.Contain(path).And.Contain("not a valid zip archive"));
            Assert.That(error.InnerException, Is.TypeOf<FaceNet.Net.Weights.WeightLoadException>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static byte[] Build(string header, float[] values)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + values.Length * 4];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (ulong)json.Length);
        json.CopyTo(bytes, 8);
        for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(8 + json.Length + 4 * i, 4), values[i]);
        return bytes;
    }
}
