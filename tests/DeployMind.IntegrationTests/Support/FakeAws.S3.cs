using System.Collections.Concurrent;
using System.Globalization;
using System.Security;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace DeployMind.IntegrationTests.Support;

/// <summary>
/// Path-style S3: PUT/GET/DELETE /bucket/key. A PUT body in aws-chunked encoding (the SDK's streaming signature or
/// trailing checksum) is decoded; GET answers presigned URLs too (query-string auth, not checked).
/// </summary>
public sealed partial class FakeAws
{
    private readonly ConcurrentDictionary<string, byte[]> _objects = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeS3Put> _puts = new();

    /// <summary>The objects held, by "bucket/key".</summary>
    public IReadOnlyDictionary<string, byte[]> Objects => new Dictionary<string, byte[]>(_objects, StringComparer.Ordinal);

    /// <summary>Every PutObject with its server-side encryption header.</summary>
    public IReadOnlyList<FakeS3Put> Puts => [.. _puts];

    /// <summary>Stores an object (as the SSM agent does for full output).</summary>
    public void PutObject(string bucket, string key, byte[] content) => _objects[$"{bucket}/{key}"] = content;

#pragma warning disable CA5351 // S3 ETags are MD5 digests: what the SDK checks, not a security use
    private static string ETag(byte[] content) => "\"" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(content)) + "\"";
#pragma warning restore CA5351

    private static byte[] DecodeAwsChunked(byte[] body)
    {
        var output = new MemoryStream();
        var position = 0;
        while (position < body.Length)
        {
            var lineEnd = IndexOf(body, position);
            if (lineEnd < 0)
            {
                break;
            }

            var header = Encoding.ASCII.GetString(body, position, lineEnd - position);
            var size = int.Parse(header.Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            position = lineEnd + 2;
            if (size == 0)
            {
                break; // trailers (checksums) follow
            }

            output.Write(body, position, size);
            position += size + 2;
        }

        return output.ToArray();

        static int IndexOf(byte[] data, int from)
        {
            for (var i = from; i < data.Length - 1; i++)
            {
                if (data[i] == '\r' && data[i + 1] == '\n')
                {
                    return i;
                }
            }

            return -1;
        }
    }

    private async Task HandleS3Async(HttpContext context)
    {
        var request = context.Request;
        var path = Uri.UnescapeDataString((request.Path.Value ?? "/").TrimStart('/'));
        _calls.Enqueue($"s3:{request.Method} {path}");
        context.Response.Headers["x-amz-request-id"] = Guid.NewGuid().ToString("N");
        switch (request.Method)
        {
            case "PUT":
                var buffer = new MemoryStream();
                await request.Body.CopyToAsync(buffer);
                var body = buffer.ToArray();
                var chunked = request.Headers.ContentEncoding.ToString().Contains("aws-chunked", StringComparison.Ordinal)
                    || request.Headers["x-amz-content-sha256"].ToString().StartsWith("STREAMING-", StringComparison.Ordinal);
                _objects[path] = chunked ? DecodeAwsChunked(body) : body;
                _puts.Enqueue(new FakeS3Put(path, request.Headers["x-amz-server-side-encryption"].ToString()));
                context.Response.Headers.ETag = ETag(_objects[path]);
                context.Response.StatusCode = 200;
                return;
            case "GET":
                if (!_objects.TryGetValue(path, out var content))
                {
                    context.Response.StatusCode = 404;
                    context.Response.ContentType = "application/xml";
                    await context.Response.WriteAsync($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>{SecurityElement.Escape(path)}</Key></Error>");
                    return;
                }

                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/octet-stream";
                context.Response.ContentLength = content.Length;
                context.Response.Headers.ETag = ETag(content);
                await context.Response.Body.WriteAsync(content);
                return;
            case "DELETE":
                _objects.TryRemove(path, out _);
                context.Response.StatusCode = 204;
                return;
            default:
                context.Response.StatusCode = 405;
                return;
        }
    }
}

/// <summary>A PutObject as the fake received it: "bucket/key" and its x-amz-server-side-encryption header.</summary>
public sealed record FakeS3Put(string Path, string ServerSideEncryption);
