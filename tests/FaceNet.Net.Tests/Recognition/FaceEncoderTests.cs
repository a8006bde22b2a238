using FaceNet.Net.Embeddings;
using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TorchSharp;

namespace FaceNet.Net.Tests.Recognition;

public class FaceEncoderTests
{
    /// <summary>The expected embedding computed independently: per-pixel indexer, own preprocessing, network, own normalisation.</summary>
    private static float[] Expected(TestEmbeddingNetwork network, Image<Rgb24> image, PreprocessingMode mode)
    {
        Assert.That(image.Width, Is.EqualTo(160));
        var input = new float[3 * 160 * 160];
        for (int y = 0; y < 160; y++)
            for (int x = 0; x < 160; x++)
            {
                var p = image[x, y];
                input[0 * 25600 + y * 160 + x] = p.R;
                input[1 * 25600 + y * 160 + x] = p.G;
                input[2 * 25600 + y * 160 + x] = p.B;
            }
        double mean = input.Average(v => (double)v);
        double std = Math.Sqrt(input.Average(v => (v - mean) * (v - mean)));
        for (int i = 0; i < input.Length; i++)
            input[i] = mode switch
            {
                PreprocessingMode.Unit => input[i] / 255f,
                PreprocessingMode.Fixed => (input[i] - 127.5f) / 128f,
                _ => (float)((input[i] - mean) / Math.Max(std, 1 / Math.Sqrt(input.Length))),
            };
        using var tensor = torch.tensor(input, [1, 3, 160, 160]);
        using var output = network.Forward(tensor);
        var raw = output.data<float>().ToArray();
        double norm = Math.Sqrt(raw.Sum(v => (double)v * v));
        return raw.Select(v => (float)(v / norm)).ToArray();
    }

    [TestCase(PreprocessingMode.Unit)]
    [TestCase(PreprocessingMode.Fixed)]
    [TestCase(PreprocessingMode.Prewhiten)]
    public void Encode_matches_an_independent_computation_of_preprocessing_network_and_normalisation(PreprocessingMode mode)
    {
        var network = new TestEmbeddingNetwork(seed: 3);
        using var encoder = new FaceEncoder(network, new FaceEncoderOptions { Preprocessing = mode, IncludeRaw = true });
        using var image = TestImages.Face(7);

        var embedding = encoder.Encode(image);

        Assert.That(embedding.Dimension, Is.EqualTo(128));
        Assert.That(embedding.Source, Is.EqualTo(network.Fingerprint));
        Assert.That(embedding.ToArray(), Is.EqualTo(Expected(network, image, mode)).Within(1e-5));
        double norm = Math.Sqrt(embedding.ToArray().Sum(v => (double)v * v));
        Assert.That(norm, Is.EqualTo(1.0).Within(1e-5));
        Assert.That(embedding.Raw, Is.Not.Null);
        var raw = embedding.Raw!.Value.ToArray();
        double rawNorm = Math.Sqrt(raw.Sum(v => (double)v * v));
        Assert.That(raw.Select(v => (float)(v / rawNorm)), Is.EqualTo(embedding.ToArray()).Within(1e-6));
    }

    [Test]
    public void Raw_is_absent_unless_requested_and_preprocessing_defaults_follow_the_weights()
    {
        using var plain = new FaceEncoder(new TestEmbeddingNetwork());
        using var declared = new FaceEncoder(new TestEmbeddingNetwork(expected: PreprocessingMode.Fixed));
        using var overridden = new FaceEncoder(new TestEmbeddingNetwork(expected: PreprocessingMode.Fixed), new FaceEncoderOptions { Preprocessing = PreprocessingMode.Unit });
        using var image = TestImages.Face(1);

        Assert.That(plain.Encode(image).Raw, Is.Null);
        Assert.That(plain.Preprocessing, Is.EqualTo(PreprocessingMode.Prewhiten), "Keras FaceNet weights' convention when the weights say nothing");
        Assert.That(declared.Preprocessing, Is.EqualTo(PreprocessingMode.Fixed));
        Assert.That(overridden.Preprocessing, Is.EqualTo(PreprocessingMode.Unit));
    }

    [Test]
    public void A_non_160_image_is_resized_bicubically_and_the_callers_image_is_untouched()
    {
        var network = new TestEmbeddingNetwork(seed: 5);
        using var encoder = new FaceEncoder(network, new FaceEncoderOptions { Preprocessing = PreprocessingMode.Unit });
        using var large = TestImages.Face(9, 200, 240);
        using var resized = large.Clone(x => x.Resize(new SixLabors.ImageSharp.Processing.ResizeOptions
        {
            Size = new Size(160, 160), Mode = SixLabors.ImageSharp.Processing.ResizeMode.Stretch,
            Sampler = SixLabors.ImageSharp.Processing.KnownResamplers.Bicubic,
        }));

        var embedding = encoder.Encode(large);

        Assert.That(large.Width, Is.EqualTo(200));
        Assert.That(embedding.ToArray(), Is.EqualTo(Expected(network, resized, PreprocessingMode.Unit)).Within(1e-5));
    }

    [Test]
    public void Batches_equal_single_encodings_in_order_and_use_the_batch_size()
    {
        var network = new TestEmbeddingNetwork(seed: 2);
        using var encoder = new FaceEncoder(network, new FaceEncoderOptions { BatchSize = 4 });
        var images = Enumerable.Range(1, 10).Select(i => TestImages.Face(i)).ToList();
        try
        {
            var singles = images.Select(i => encoder.Encode(i).ToArray()).ToList();
            int before = network.ForwardCalls;
            var batch = encoder.EncodeBatch(images);
            Assert.That(network.ForwardCalls - before, Is.EqualTo(3), "10 images in batches of 4");
            Assert.That(batch, Has.Count.EqualTo(10));
            for (int i = 0; i < 10; i++) Assert.That(batch[i].ToArray(), Is.EqualTo(singles[i]).Within(1e-5), $"image {i}");
        }
        finally
        {
            images.ForEach(i => i.Dispose());
        }
    }

    [Test]
    public void Files_streams_and_images_give_the_same_embedding()
    {
        using var folder = new TempFolder();
        var paths = TestImages.WriteFaces(folder.Path, 3);
        using var encoder = new FaceEncoder(new TestEmbeddingNetwork());
        using var image = TestImages.Face(1);
        var fromImage = encoder.Encode(image).ToArray();
        var fromFile = encoder.Encode(paths[0]).ToArray();
        using var stream = File.OpenRead(paths[0]);
        var fromStream = encoder.Encode(stream, "face1.png").ToArray();
        var fromBatch = encoder.EncodeBatch(paths);

        Assert.That(fromFile, Is.EqualTo(fromImage));
        Assert.That(fromStream, Is.EqualTo(fromImage));
        Assert.That(fromBatch[0].ToArray(), Is.EqualTo(fromImage).Within(1e-6));
        Assert.That(fromBatch[2].ToArray(), Is.Not.EqualTo(fromImage), "different faces give different embeddings");
    }

    [Test]
    public void Eight_threads_encoding_the_same_images_at_once_get_bit_identical_results_to_a_sequential_run()
    {
        using var encoder = new FaceEncoder(new TestEmbeddingNetwork(seed: 11), new FaceEncoderOptions { BatchSize = 3 });
        var images = Enumerable.Range(1, 6).Select(i => TestImages.Face(100 + i)).ToList();
        try
        {
            var sequential = encoder.EncodeBatch(images).Select(e => e.ToArray()).ToList();
            var results = new List<float[]>[8];
            using var start = new Barrier(8);
            var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                var mine = new List<float[]>();
                for (int round = 0; round < 3; round++)
                {
                    mine.AddRange(encoder.EncodeBatch(images).Select(e => e.ToArray()));
                    mine.Add(encoder.Encode(images[t % images.Count]).ToArray());
                }
                results[t] = mine;
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            var singleSequential = images.Select(i => encoder.Encode(i).ToArray()).ToList();
            for (int t = 0; t < 8; t++)
            {
                Assert.That(results[t], Has.Count.EqualTo(3 * 7), $"thread {t}");
                for (int round = 0; round < 3; round++)
                {
                    for (int i = 0; i < 6; i++)
                        Assert.That(results[t][round * 7 + i], Is.EqualTo(sequential[i]), $"thread {t} round {round} image {i}: bit-identical");
                    Assert.That(results[t][round * 7 + 6], Is.EqualTo(singleSequential[t % 6]), $"thread {t} round {round} single");
                }
            }
        }
        finally
        {
            images.ForEach(i => i.Dispose());
        }
    }

    [Test]
    public async Task EncodeBatchAsync_reports_progress_and_honours_cancellation()
    {
        using var folder = new TempFolder();
        var paths = TestImages.WriteFaces(folder.Path, 5);
        using var encoder = new FaceEncoder(new TestEmbeddingNetwork(), new FaceEncoderOptions { BatchSize = 2 });
        var reports = new List<int>();
        var progress = new SynchronousProgress(reports.Add);

        var result = await encoder.EncodeBatchAsync(paths, progress);

        Assert.That(result, Has.Count.EqualTo(5));
        Assert.That(reports, Is.EqualTo(new[] { 2, 4, 5 }));
        Assert.That(result[3].ToArray(), Is.EqualTo(encoder.Encode(paths[3]).ToArray()).Within(1e-6));

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.That(async () => await encoder.EncodeBatchAsync(paths, null, cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void A12_asking_for_CUDA_where_it_is_not_available_fails_clearly()
    {
        if (Devices.CudaDevices.IsAvailable) Assert.Ignore("CUDA is available here; the failure path cannot be shown.");
        var network = new TestEmbeddingNetwork();
        var e = Assert.Throws<Devices.DeviceNotAvailableException>(() => new FaceEncoder(network, new FaceEncoderOptions { Device = "cuda" }));
        Assert.That(e!.Message, Does.StartWith("Device 'cuda:0' was asked for but CUDA is not available in this process"));
        e = Assert.Throws<Devices.DeviceNotAvailableException>(() => new FaceEncoder(network, new FaceEncoderOptions { Device = "cuda:1" }));
        Assert.That(e!.Message, Does.Contain("cuda:1"));
        network.Dispose();
    }

    [Test]
    public void The_device_is_a_name_resolved_once_and_reported_canonically()
    {
        using var network = new TestEmbeddingNetwork();
        using (var encoder = new FaceEncoder(network, new FaceEncoderOptions(), ownsNetwork: false))
            Assert.That(encoder.Device, Is.EqualTo("cpu"));
        using (var encoder = new FaceEncoder(network, new FaceEncoderOptions { Device = " CPU " }, ownsNetwork: false))
            Assert.That(encoder.Device, Is.EqualTo("cpu"));
        using (var encoder = new FaceEncoder(network, new FaceEncoderOptions { Device = "auto" }, ownsNetwork: false))
            Assert.That(encoder.Device, Is.EqualTo(Devices.CudaDevices.IsAvailable ? "cuda:0" : "cpu"));
        var e = Assert.Throws<Devices.DeviceNotAvailableException>(() => new FaceEncoder(network, new FaceEncoderOptions { Device = "gpu" }, ownsNetwork: false));
        Assert.That(e!.Message, Is.EqualTo("Device 'gpu' is not valid: use cpu, cuda, cuda:N or auto."));
    }

    [Test]
    public void Adding_a_detector_to_the_options_keeps_every_other_setting()
    {
        var options = new FaceEncoderOptions
        {
            Device = "cpu", Precision = Precision.BFloat16, Preprocessing = PreprocessingMode.Unit, BatchSize = 3, Threads = 2,
            IncludeRaw = true, ImageLoading = new ImageLoadOptions { MaxPixels = 123 }, FacePolicy = Net.Detection.FacePolicy.MostProbable,
        };
        var copy = options.WithDetector(null!);
        foreach (var property in typeof(FaceEncoderOptions).GetProperties().Where(p => p.Name != nameof(FaceEncoderOptions.Detector)))
            Assert.That(property.GetValue(copy), Is.EqualTo(property.GetValue(options)), property.Name);
    }

    [Test]
    public void An_undefined_precision_is_refused_before_the_weights_are_read()
    {
        Assert.That(() => FaceEncoder.FromWeights("no-such-weights.h5", new FaceEncoderOptions { Precision = (Precision)9 }),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("precision"));
        Assert.That(Precision.BFloat16.ToScalarType(), Is.EqualTo(torch.ScalarType.BFloat16));
        Assert.That(Precision.Float16.ToScalarType(), Is.EqualTo(torch.ScalarType.Float16));
        Assert.That(Precision.Float32.ToScalarType(), Is.EqualTo(torch.ScalarType.Float32));
    }

    [Test]
    public void Threads_option_sets_the_process_wide_torch_thread_count()
    {
        int before = torch.get_num_threads();
        try
        {
            using var encoder = new FaceEncoder(new TestEmbeddingNetwork(), new FaceEncoderOptions { Threads = 1 });
            Assert.That(torch.get_num_threads(), Is.EqualTo(1));
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }

    /// <summary>An IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the pool, racing the assertions).</summary>
    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
