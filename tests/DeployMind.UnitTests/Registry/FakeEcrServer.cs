using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DeployMind.UnitTests.Registry;

/// <summary>
/// Amazon ECR's <c>GetAuthorizationToken</c> on 127.0.0.1 (a real Kestrel server, AWS JSON 1.1). It checks each request's
/// Signature Version 4 with its own computation written out here (canonical request from the signed headers, the HMAC
/// key chain) and answers 403 <c>InvalidSignatureException</c> on a mismatch, as AWS does.
/// </summary>
public sealed class FakeEcrServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeEcrServer(WebApplication app, string secretKey)
    {
        _app = app;
        SecretKey = secretKey;
    }

    public Uri Url { get; private set; } = null!;

    public string SecretKey { get; }

    /// <summary>The login the token carries (user:password).</summary>
    public string Token { get; set; } = "AWS:ecr-token-value";

    /// <summary>When the token expires.</summary>
    public DateTimeOffset ExpiresAt { get; set; } = DateTimeOffset.UtcNow.AddHours(12);

    /// <summary>An error to answer with instead (the AWS error type), e.g. AccessDeniedException.</summary>
    public string? Error { get; set; }

    /// <summary>Every call: "target region signed-ok|signed-bad token?".</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    public static async Task<FakeEcrServer> StartAsync(string secretKey)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeEcrServer(app, secretKey);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Url = new Uri(app.Urls.First());
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var (valid, region) = Verify(context.Request, body);
        Calls.Enqueue($"{target} {region} {(valid ? "signed-ok" : "signed-bad")}{(context.Request.Headers.ContainsKey("x-amz-security-token") ? " session" : string.Empty)}");
        context.Response.ContentType = "application/x-amz-json-1.1";
        if (!valid)
        {
            context.Response.StatusCode = 403;
            await context.Response.WriteAsync(new JsonObject { ["__type"] = "InvalidSignatureException", ["message"] = "The request signature we calculated does not match the signature you provided." }.ToJsonString());
            return;
        }

        if (Error is { } error)
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync(new JsonObject { ["__type"] = error, ["message"] = "User is not authorized to perform: ecr:GetAuthorizationToken" }.ToJsonString());
            return;
        }

        var answer = new JsonObject
        {
            ["authorizationData"] = new JsonArray(new JsonObject
            {
                ["authorizationToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(Token)),
                ["expiresAt"] = ExpiresAt.ToUnixTimeMilliseconds() / 1000.0,
                ["proxyEndpoint"] = "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com",
            }),
        };
        await context.Response.WriteAsync(answer.ToJsonString());
    }

    // SigV4 by hand: Authorization = AWS4-HMAC-SHA256 Credential=AKID/date/region/ecr/aws4_request, SignedHeaders=..., Signature=...
    private (bool Valid, string Region) Verify(HttpRequest request, string body)
    {
        var authorization = request.Headers.Authorization.ToString();
        const string Scheme = "AWS4-HMAC-SHA256 ";
        if (!authorization.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return (false, "?");
        }

        var parts = authorization[Scheme.Length..].Split(", ").Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var scope = parts["Credential"].Split('/');
        var (date, region, service) = (scope[1], scope[2], scope[3]);
        var signedHeaders = parts["SignedHeaders"];
        var canonical = new StringBuilder($"{request.Method}\n/\n\n");
        foreach (var name in signedHeaders.Split(';'))
        {
            var value = name == "host" ? request.Host.Value : name == "content-type" ? request.ContentType : request.Headers[name].ToString();
            canonical.Append(name).Append(':').Append(value?.Trim()).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(Hex(SHA256.HashData(Encoding.UTF8.GetBytes(body))));
        var amzDate = request.Headers["x-amz-date"].ToString();
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{date}/{region}/{service}/aws4_request\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + SecretKey), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        var expected = Hex(Hmac(key, toSign));
        var fresh = DateTime.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            && Math.Abs((DateTime.UtcNow - at).TotalMinutes) < 15;
        return (fresh && service == "ecr" && string.Equals(expected, parts["Signature"], StringComparison.Ordinal), region);
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
