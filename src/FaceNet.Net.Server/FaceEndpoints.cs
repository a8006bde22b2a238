using System.Diagnostics;
using FaceNet.Net.Hosting;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Server;

/// <summary>The service's routes: 1:1 verification, 1:K identification, the gallery's identities.</summary>
internal static class FaceEndpoints
{
    public static void Map(WebApplication app)
    {
        var v1 = app.MapGroup("/v1").DisableAntiforgery(); // an API called with a key, not a browser form

        v1.MapPost("/verify", VerifyAsync).WithSummary("Are the faces of image1 and image2 the same person? (multipart fields image1, image2; the largest face of each)");
        v1.MapPost("/identify", IdentifyAsync).WithSummary("Who is every face in image? (multipart field image)");
        v1.MapGet("/identities", ListAsync).WithSummary("The enrolled identities and their face counts");
        v1.MapPut("/identities/{name}", ReplaceAsync).WithSummary("Enrols name with the faces of the images (field image, one or more), replacing its faces");
        v1.MapPost("/identities/{name}/faces", AddFacesAsync).WithSummary("Adds the faces of the images (field image, one or more) to name, creating it when new");
        v1.MapDelete("/identities/{name}", DeleteAsync).WithSummary("Removes name and its faces");
    }

    private static async Task<IResult> VerifyAsync(HttpRequest request, FaceReader reader, FaceNetOptions options, ILogger<FaceReader> logger, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var form = await ReadFormAsync(request, cancellationToken);
        var first = FaceReader.RequireFile(form, "image1");
        var second = FaceReader.RequireFile(form, "image2");
        var a = (await reader.ReadAsync(first, allFaces: false, cancellationToken))[0];
        var b = (await reader.ReadAsync(second, allFaces: false, cancellationToken))[0];
        var result = FaceVerifier.Verify(a.Embedding, b.Embedding, DistanceMetric.Euclidean, options.EffectiveThreshold);
        logger.LogInformation("Verified: distance {Distance}, match {IsMatch}, in {ElapsedMs} ms", result.Distance, result.IsMatch, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return Results.Ok(new VerifyResponse(result.Distance, result.Threshold, result.IsMatch));
    }

    private static async Task<IResult> IdentifyAsync(HttpRequest request, FaceReader reader, IFaceGallery gallery, FaceNetOptions options, ILogger<FaceReader> logger, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var form = await ReadFormAsync(request, cancellationToken);
        var faces = await reader.ReadAsync(FaceReader.RequireFile(form, "image"), allFaces: true, cancellationToken);
        var found = new List<IdentifiedFace>(faces.Count);
        foreach (var face in faces)
        {
            var result = await gallery.IdentifyAsync(face.Embedding, topK: 3, DistanceMetric.Euclidean, options.EffectiveThreshold, cancellationToken);
            found.Add(new IdentifiedFace(
                face.Box is { } box ? [box.X1, box.Y1, box.X2, box.Y2] : null, face.Probability,
                result.Identity, result.Distance, result.IsKnown,
                result.Candidates.Select(c => new Candidate(c.Name, c.Distance)).ToArray()));
        }
        logger.LogInformation("Identified {Faces} faces ({Known} known) in {ElapsedMs} ms", found.Count, found.Count(f => f.IsKnown), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return Results.Ok(new IdentifyResponse(options.EffectiveThreshold, found));
    }

    private static async Task<IResult> ListAsync(IFaceGallery gallery, CancellationToken cancellationToken)
    {
        var identities = new List<IdentityResponse>();
        await foreach (var identity in gallery.ListAsync(cancellationToken)) identities.Add(new IdentityResponse(identity.Name, identity.EmbeddingCount));
        return Results.Ok(new IdentitiesResponse(identities.Count, identities));
    }

    private static async Task<IResult> ReplaceAsync(string name, HttpRequest request, FaceReader reader, IFaceGallery gallery, ILogger<FaceReader> logger, CancellationToken cancellationToken)
    {
        var embeddings = await ReadEnrolmentAsync(request, reader, cancellationToken); // every image first: a bad one changes nothing
        bool existed = await gallery.RemoveAsync(name, cancellationToken);
        await gallery.EnrollAsync(name, embeddings, cancellationToken);
        logger.LogInformation("Enrolled {Name} with {Faces} faces (replaced: {Existed})", name, embeddings.Count, existed);
        var body = new IdentityResponse(name, embeddings.Count);
        return existed ? Results.Ok(body) : Results.Created($"/v1/identities/{Uri.EscapeDataString(name)}", body);
    }

    private static async Task<IResult> AddFacesAsync(string name, HttpRequest request, FaceReader reader, IFaceGallery gallery, ILogger<FaceReader> logger, CancellationToken cancellationToken)
    {
        var embeddings = await ReadEnrolmentAsync(request, reader, cancellationToken);
        await gallery.EnrollAsync(name, embeddings, cancellationToken);
        int total = 0;
        await foreach (var identity in gallery.ListAsync(cancellationToken))
            if (identity.Name == name) total = identity.EmbeddingCount;
        logger.LogInformation("Added {Faces} faces to {Name}", embeddings.Count, name);
        return Results.Ok(new IdentityResponse(name, total));
    }

    private static async Task<IResult> DeleteAsync(string name, IFaceGallery gallery, ILogger<FaceReader> logger, CancellationToken cancellationToken)
    {
        if (!await gallery.RemoveAsync(name, cancellationToken))
            throw new ServiceException(404, "Unknown identity", $"No identity '{name}' is enrolled (GET /v1/identities lists them).");
        logger.LogInformation("Removed {Name}", name);
        return Results.NoContent();
    }

    /// <summary>The largest face of every file in field <c>image</c> (one or more).</summary>
    private static async Task<List<Embeddings.FaceEmbedding>> ReadEnrolmentAsync(HttpRequest request, FaceReader reader, CancellationToken cancellationToken)
    {
        var form = await ReadFormAsync(request, cancellationToken);
        var files = form.Files.GetFiles("image");
        if (files.Count == 0) FaceReader.RequireFile(form, "image");
        var embeddings = new List<Embeddings.FaceEmbedding>(files.Count);
        foreach (var file in files) embeddings.Add((await reader.ReadAsync(file, allFaces: false, cancellationToken))[0].Embedding);
        return embeddings;
    }

    /// <summary>The multipart form, or a 415 when the request is not one.</summary>
    private static async Task<IFormCollection> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
            throw new ServiceException(415, "Not a form", "Send the images as multipart/form-data (curl -F image=@face.jpg).");
        return await request.ReadFormAsync(cancellationToken);
    }
}

/// <summary>The answer of <c>POST /v1/verify</c>.</summary>
internal sealed record VerifyResponse(float Distance, float Threshold, bool IsMatch);

/// <summary>One face of <c>POST /v1/identify</c>: its box (x1, y1, x2, y2; null for an aligned crop), the identity or null, the closest candidates.</summary>
internal sealed record IdentifiedFace(float[]? Box, float? Probability, string? Identity, float? Distance, bool IsKnown, IReadOnlyList<Candidate> Candidates);

/// <summary>A candidate identity and its distance.</summary>
internal sealed record Candidate(string Name, float Distance);

/// <summary>The answer of <c>POST /v1/identify</c>.</summary>
internal sealed record IdentifyResponse(float Threshold, IReadOnlyList<IdentifiedFace> Faces);

/// <summary>An identity and its number of faces.</summary>
internal sealed record IdentityResponse(string Name, int Faces);

/// <summary>The answer of <c>GET /v1/identities</c>.</summary>
internal sealed record IdentitiesResponse(int Count, IReadOnlyList<IdentityResponse> Identities);
