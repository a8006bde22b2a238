<Query Kind="Program">
  <NuGetReference Version="0.1.0">FaceNet.Net</NuGetReference>
  <NuGetReference Version="0.107.0">TorchSharp-cpu</NuGetReference>
  <Namespace>FaceNet.Net</Namespace>
  <Namespace>FaceNet.Net.Embeddings</Namespace>
  <Namespace>FaceNet.Net.Recognition</Namespace>
</Query>

// FaceNet.Net quick start for LINQPad: encode aligned face crops, verify two of them, identify every one.
// Before FaceNet.Net is on nuget.org: build it into a local feed with build/pack-local.sh (docs/getting-started.md), then
// add that folder (FaceNet.Net/artifacts/packages) as a package source in LINQPad's NuGet manager (Settings, Add source).
// TorchSharp-cpu brings libtorch for Windows, Linux and macOS; on a CUDA machine reference TorchSharp-cuda-windows
// (or TorchSharp-cuda-linux) instead. The test LinqPadSampleTests compiles this query against FaceNet.Net.
//
// Set the two paths: weights (a published Keras .h5 such as facenet_keras.h5, or a converted .safetensors) and a
// folder of aligned face crops, one PNG per person named after them. Environment variables override them.

static readonly string WeightsPath = Environment.GetEnvironmentVariable("FACENET_WEIGHTS") ?? @"C:\facenet\facenet_keras.h5";
static readonly string FacesFolder = Environment.GetEnvironmentVariable("FACENET_FACES") ?? @"C:\facenet\faces";

void Main()
{
	using var encoder = FaceEncoder.FromWeights(WeightsPath);
	new { encoder.EmbeddingSize, Weights = encoder.Fingerprint[..12], encoder.Preprocessing, FaceNetRuntime.Version }.Dump("Encoder");

	var faces = Directory.GetFiles(FacesFolder, "*.png").OrderBy(f => f, StringComparer.Ordinal).ToArray();
	var embeddings = encoder.EncodeBatch(faces);
	var names = faces.Select(Path.GetFileNameWithoutExtension).ToArray();

	// Verify (1:1): Euclidean distance on L2-normalised embeddings, a match below 0.7 (the seed notebook's threshold).
	var pairs =
		from i in Enumerable.Range(0, faces.Length)
		from j in Enumerable.Range(0, faces.Length)
		where i < j
		let verdict = FaceVerifier.Verify(embeddings[i], embeddings[j])
		orderby verdict.Distance
		select new { A = names[i], B = names[j], verdict.Distance, verdict.IsMatch };
	pairs.Dump("Verify every pair (threshold 0.7)");

	// Who is it (1:K): enrol all but the last face; the last one is a stranger.
	using var gallery = new InMemoryFaceGallery(encoder);
	for (var i = 0; i < faces.Length - 1; i++)
		gallery.Enroll(names[i], embeddings[i]);

	faces.Select((face, i) => new { Face = names[i], Result = gallery.WhoIsIt(embeddings[i]) })
		 .Select(r => new { r.Face, Identity = r.Result.Identity ?? "unknown", r.Result.Distance })
		 .Dump("Who is it?");
}
