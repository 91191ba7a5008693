using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Internal.Auth;
using DeployMind.Domain;

namespace DeployMind.Infrastructure.Registry;

/// <summary>
/// Amazon ECR's <c>GetAuthorizationToken</c>: a registry login valid for 12 hours, for the credentials of the AWS chain
/// (environment, profile, instance role). AWSSDK.ECR is not served on this project's package mirror, so the one call is
/// made here: a JSON 1.1 POST whose canonical request is built here and signed by the SDK's Signature Version 4 signer
/// (<see cref="AWS4Signer.ComputeSignature(ImmutableCredentials, string, DateTime, string, string, string)"/>), with
/// credentials from the SDK's default chain. The endpoint honours <c>AWS_ENDPOINT_URL_ECR</c> and <c>AWS_ENDPOINT_URL</c>,
/// as the SDKs do.
/// </summary>
internal sealed class EcrAuthorization
{
    private const string Target = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";
    private const string Service = "ecr";

    private readonly HttpClient _http;
    private readonly Func<CancellationToken, Task<ImmutableCredentials>> _credentials;
    private readonly TimeProvider _time;
    private readonly Func<string, Uri> _endpoint;

    public EcrAuthorization(HttpClient http, TimeProvider time)
        : this(http, time, DefaultCredentialsAsync, Endpoint)
    {
    }

    /// <summary>For tests: fixed credentials and an endpoint per region (a loopback server).</summary>
    internal EcrAuthorization(HttpClient http, TimeProvider time, Func<CancellationToken, Task<ImmutableCredentials>> credentials, Func<string, Uri> endpoint)
    {
        _http = http;
        _time = time;
        _credentials = credentials;
        _endpoint = endpoint;
    }

    /// <summary>A login for the registry of <paramref name="region"/> and when it expires.</summary>
    /// <exception cref="DeployMindException">No credentials, no region, or ECR refused; the message says what to grant or set.</exception>
    public async Task<(string User, string Password, DateTimeOffset ExpiresAt)> GetAsync(string? region, CancellationToken cancellationToken)
    {
        var regionName = region ?? FallbackRegion()
            ?? throw new DeployMindException("Amazon ECR: no region. Set build.registry.region, or AWS_REGION (or a profile's region) for DeployMind.");
        ImmutableCredentials credentials;
        try
        {
            credentials = await _credentials(cancellationToken);
        }
        catch (AmazonClientException ex)
        {
            throw new DeployMindException($"Amazon ECR: no AWS credentials ({ex.Message}). Give DeployMind credentials through the AWS chain (environment, profile or instance role).", ex);
        }

        var endpoint = _endpoint(regionName);
        const string Body = "{}";
        var now = _time.GetUtcNow().UtcDateTime;
        using var request = Sign(endpoint, Body, credentials, regionName, now);
        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new DeployMindException(
                $"Amazon ECR refused GetAuthorizationToken in {regionName} ({(int)response.StatusCode} {ErrorOf(text)}). The credentials need ecr:GetAuthorizationToken (and ecr:BatchGetImage, ecr:GetDownloadUrlForLayer and the push actions on the repository).");
        }

        try
        {
            using var json = JsonDocument.Parse(text);
            var data = json.RootElement.GetProperty("authorizationData")[0];
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(data.GetProperty("authorizationToken").GetString() ?? string.Empty));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new FormatException("the token is not user:password");
            }

            var expires = data.TryGetProperty("expiresAt", out var at) && at.ValueKind == JsonValueKind.Number
                ? DateTimeOffset.FromUnixTimeMilliseconds((long)(at.GetDouble() * 1000))
                : _time.GetUtcNow().AddHours(12);
            return (decoded[..colon], decoded[(colon + 1)..], expires);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or FormatException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new DeployMindException($"Amazon ECR answered GetAuthorizationToken with something that is not a token ({ex.GetType().Name}).", ex);
        }
    }

    /// <summary>The signed request (Signature Version 4: the SDK's canonical request and signature over our headers).</summary>
    internal static HttpRequestMessage Sign(Uri endpoint, string body, ImmutableCredentials credentials, string region, DateTime signedAt)
    {
        var bodyHash = AWS4Signer.ComputeHash(body);
        var bodyHashHex = Convert.ToHexStringLower(bodyHash);
        var amzDate = signedAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = "application/x-amz-json-1.1",
            ["host"] = endpoint.IsDefaultPort ? endpoint.Host : endpoint.Authority,
            ["x-amz-content-sha256"] = bodyHashHex,
            ["x-amz-date"] = amzDate,
            ["x-amz-target"] = Target,
        };
        if (credentials.UseToken)
        {
            headers["x-amz-security-token"] = credentials.Token;
        }

        var signedHeaders = string.Join(';', headers.Keys);
        // The canonical request of a POST to "/" with no query: method, path, empty query, headers, signed names, body hash.
        var canonical = new StringBuilder("POST\n/\n\n");
        foreach (var (name, value) in headers)
        {
            canonical.Append(name).Append(':').Append(value.Trim()).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(bodyHashHex);
        var signature = AWS4Signer.ComputeSignature(credentials, region, signedAt, Service, signedHeaders, canonical.ToString());
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        foreach (var (name, value) in headers)
        {
            if (name is not ("content-type" or "host"))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        request.Headers.TryAddWithoutValidation("Authorization", signature.ForAuthorizationHeader);
        return request;
    }

    private static Uri Endpoint(string region)
    {
        var configured = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_ECR") ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        return new Uri(string.IsNullOrWhiteSpace(configured) ? $"https://api.ecr.{region}.amazonaws.com/" : configured.TrimEnd('/') + "/");
    }

    private static string? FallbackRegion()
    {
        try
        {
            return FallbackRegionFactory.GetRegionEndpoint()?.SystemName;
        }
        catch (AmazonClientException)
        {
            return null;
        }
    }

    private static async Task<ImmutableCredentials> DefaultCredentialsAsync(CancellationToken cancellationToken)
    {
        var credentials = await new DefaultAWSCredentialsIdentityResolver().ResolveIdentityAsync(null, cancellationToken);
        return await credentials.GetCredentialsAsync();
    }

    private static string ErrorOf(string text)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            var type = json.RootElement.TryGetProperty("__type", out var t) ? t.GetString() : null;
            var message = json.RootElement.TryGetProperty("message", out var m) ? m.GetString()
                : json.RootElement.TryGetProperty("Message", out var m2) ? m2.GetString() : null;
            return $"{type?.Split('#')[^1]}: {message}";
        }
        catch (JsonException)
        {
            return text.Length > 200 ? text[..200] : text;
        }
    }
}
