using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DeployMind.UnitTests.Secrets;

/// <summary>
/// AWS Systems Manager on 127.0.0.1 (a real Kestrel server) speaking the AWS JSON 1.1 protocol of <c>GetParameter</c>:
/// POST / with <c>X-Amz-Target: AmazonSSM.GetParameter</c>; a missing parameter is a 400 <c>ParameterNotFound</c>, as
/// AWS answers. Secrets Manager secrets are its <c>/aws/reference/secretsmanager/&lt;id&gt;</c> parameters.
/// </summary>
public sealed class FakeAwsSsmServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeAwsSsmServer(WebApplication app)
    {
        _app = app;
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>Parameters by name.</summary>
    public ConcurrentDictionary<string, string> Parameters { get; } = new(StringComparer.Ordinal);

    /// <summary>Every call: "target name decrypt signed".</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    public static async Task<FakeAwsSsmServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeAwsSsmServer(app);
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
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var name = body.RootElement.TryGetProperty("Name", out var n) ? n.GetString() ?? string.Empty : string.Empty;
        var decrypt = body.RootElement.TryGetProperty("WithDecryption", out var d) && d.GetBoolean();
        var signed = context.Request.Headers.Authorization.ToString().StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal);
        Calls.Enqueue($"{target} {name} {(decrypt ? "decrypt" : "plain")} {(signed ? "signed" : "unsigned")}");
        context.Response.ContentType = "application/x-amz-json-1.1";
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        if (target != "AmazonSSM.GetParameter")
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync(new JsonObject { ["__type"] = "UnknownOperationException", ["message"] = target }.ToJsonString());
            return;
        }

        if (!Parameters.TryGetValue(name, out var value))
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync(new JsonObject { ["__type"] = "ParameterNotFound", ["message"] = $"Parameter {name} not found." }.ToJsonString());
            return;
        }

        var answer = new JsonObject
        {
            ["Parameter"] = new JsonObject
            {
                ["ARN"] = $"arn:aws:ssm:us-east-1:123456789012:parameter{(name.StartsWith('/') ? name : "/" + name)}",
                ["DataType"] = "text",
                ["LastModifiedDate"] = 1.7648e9,
                ["Name"] = name,
                ["Type"] = "SecureString",
                ["Value"] = value,
                ["Version"] = 1,
            },
        };
        await context.Response.WriteAsync(answer.ToJsonString());
    }
}
