using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DeployMind.IntegrationTests.Support;

/// <summary>
/// An OpenAI-compatible chat completions endpoint on 127.0.0.1 (a real Kestrel server, driven by DeployMind's real client):
/// each request is answered by <see cref="Respond"/> (given the request body), else by the next queued answer text (or
/// <see cref="Default"/>), as one JSON response; every request body is recorded.
/// </summary>
internal sealed class LoopbackChatServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _answers = new();

    private LoopbackChatServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The base URL to configure (…/v1).</summary>
    public string Endpoint { get; private set; } = string.Empty;

    /// <summary>Every request body received, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Answers a request by its body (null: the queue answers).</summary>
    public Func<string, string?>? Respond { get; set; }

    /// <summary>The answer when none is queued.</summary>
    public string Default { get; set; } = """{"explanation": "nothing to add", "recommendations": []}""";

    public static async Task<LoopbackChatServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new LoopbackChatServer(app);
        app.MapPost("/v1/chat/completions", server.AnswerAsync);
        await app.StartAsync();
        server.Endpoint = app.Urls.First() + "/v1";
        return server;
    }

    /// <summary>Queues the answer text of the next request.</summary>
    public void Then(string answer) => _answers.Enqueue(answer);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        Requests.Enqueue(body);
        var model = JsonNode.Parse(body)?["model"]?.GetValue<string>() ?? "model";
        var text = Respond?.Invoke(body) ?? (_answers.TryDequeue(out var next) ? next : Default);
        var response = new JsonObject
        {
            ["id"] = "chatcmpl-" + Guid.NewGuid().ToString("N"),
            ["object"] = "chat.completion",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 200, ["completion_tokens"] = 100, ["total_tokens"] = 300 },
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.ToJsonString(), context.RequestAborted);
    }
}
