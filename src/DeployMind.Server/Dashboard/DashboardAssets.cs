using System.Collections.Frozen;
using System.Security.Cryptography;

namespace DeployMind.Server.Dashboard;

/// <summary>
/// The dashboard's style sheet and script, compiled into the server (no CDN, nothing to install beside it), served
/// with an ETag and cached for an hour.
/// </summary>
internal static class DashboardAssets
{
    private static readonly FrozenDictionary<string, Asset> Assets = Load();

    public static IResult Serve(HttpContext http, string name)
    {
        if (!Assets.TryGetValue(name, out var asset))
        {
            return Results.NotFound();
        }

        http.Response.Headers.CacheControl = "public, max-age=3600";
        http.Response.Headers.ETag = asset.ETag;
        if (http.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var result = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var (name, type) in new[] { ("dashboard.css", "text/css; charset=utf-8"), ("dashboard.js", "text/javascript; charset=utf-8") })
        {
            using var stream = assembly.GetManifestResourceStream("DeployMind.Server.Dashboard.Assets." + name)
                ?? throw new InvalidOperationException($"The dashboard asset {name} is not compiled into the server.");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            result[name] = new Asset(content, type, "\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..16] + "\"");
        }

        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed record Asset(byte[] Content, string ContentType, string ETag);
}
