using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DeployMind.UnitTests.Agents;

/// <summary>
/// An OpenAI-compatible chat completions server on 127.0.0.1 (a real Kestrel server): <c>POST /v1/chat/completions</c>,
/// answered as one JSON response or, when the request asks <c>"stream": true</c>, as server-sent events. Each request takes
/// the next scripted reply (text, tool calls, garbage, an HTTP error or no answer at all); every request body is recorded.
/// </summary>
public sealed class FakeChatServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Reply> _script = new();

    private FakeChatServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The base URL the client is given (…/v1).</summary>
    public string Endpoint { get; private set; } = string.Empty;

    /// <summary>Every request body, in order, as received.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The Authorization header of every request.</summary>
    public ConcurrentQueue<string> Authorizations { get; } = new();

    /// <summary>The reply when the script is empty.</summary>
    public Reply Default { get; set; } = Reply.Text("""{"explanation": "default answer", "recommendations": [], "halt": false}""");

    public static async Task<FakeChatServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeChatServer(app);
        app.MapPost("/v1/chat/completions", server.HandleAsync);
        await app.StartAsync();
        server.Endpoint = app.Urls.First() + "/v1";
        return server;
    }

    /// <summary>Queues replies for the next requests.</summary>
    public FakeChatServer Then(params Reply[] replies)
    {
        foreach (var reply in replies)
        {
            _script.Enqueue(reply);
        }

        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        Requests.Enqueue(body);
        Authorizations.Enqueue(context.Request.Headers.Authorization.ToString());
        var request = JsonNode.Parse(body)!;
        var stream = request["stream"]?.GetValue<bool>() == true;
        var reply = _script.TryDequeue(out var next) ? next : Default;
        switch (reply.Kind)
        {
            case ReplyKind.Hang:
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
                return;
            case ReplyKind.Status:
                context.Response.StatusCode = reply.StatusCode;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"error": {"message": "scripted failure", "type": "server_error"}}""");
                return;
            case ReplyKind.Raw:
                context.Response.ContentType = stream ? "text/event-stream" : "application/json";
                await context.Response.WriteAsync(reply.Content!);
                return;
        }

        if (stream)
        {
            await StreamAsync(context, reply);
            return;
        }

        var message = new JsonObject { ["role"] = "assistant", ["content"] = reply.Content };
        if (reply.ToolCalls.Count > 0)
        {
            message["tool_calls"] = new JsonArray([.. reply.ToolCalls.Select((c, i) => (JsonNode)new JsonObject
            {
                ["id"] = $"call_{i}",
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.Arguments },
            })]);
        }

        var answer = new JsonObject
        {
            ["id"] = "chatcmpl-1",
            ["object"] = "chat.completion",
            ["created"] = 1765000000,
            ["model"] = request["model"]?.GetValue<string>() ?? "model",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = message,
                ["finish_reason"] = reply.ToolCalls.Count > 0 ? "tool_calls" : "stop",
            }),
            ["usage"] = Usage(reply),
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString());
    }

    private static async Task StreamAsync(HttpContext context, Reply reply)
    {
        context.Response.ContentType = "text/event-stream";
        var model = "model";
        async Task SendAsync(JsonObject chunk)
        {
            chunk["id"] = "chatcmpl-1";
            chunk["object"] = "chat.completion.chunk";
            chunk["created"] = 1765000000;
            chunk["model"] = model;
            await context.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n");
            await context.Response.Body.FlushAsync();
        }

        JsonObject Choice(JsonObject delta, string? finish) => new()
        {
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
        };

        await SendAsync(Choice(new JsonObject { ["role"] = "assistant", ["content"] = string.Empty }, null));
        if (reply.ToolCalls.Count > 0)
        {
            for (var i = 0; i < reply.ToolCalls.Count; i++)
            {
                await SendAsync(Choice(new JsonObject
                {
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["index"] = i,
                        ["id"] = $"call_{i}",
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = reply.ToolCalls[i].Name, ["arguments"] = reply.ToolCalls[i].Arguments },
                    }),
                }, null));
            }
        }
        else
        {
            // The text in small pieces, as a model streams it.
            var text = reply.Content ?? string.Empty;
            for (var at = 0; at < text.Length; at += 7)
            {
                await SendAsync(Choice(new JsonObject { ["content"] = text.Substring(at, Math.Min(7, text.Length - at)) }, null));
            }
        }

        await SendAsync(Choice(new JsonObject(), reply.ToolCalls.Count > 0 ? "tool_calls" : "stop"));
        await SendAsync(new JsonObject { ["choices"] = new JsonArray(), ["usage"] = Usage(reply) });
        await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    private static JsonObject Usage(Reply reply) => new()
    {
        ["prompt_tokens"] = reply.PromptTokens,
        ["completion_tokens"] = 20,
        ["total_tokens"] = reply.PromptTokens + 20,
    };

    public enum ReplyKind
    {
        Answer,
        Raw,
        Status,
        Hang,
    }

    /// <summary>One scripted reply.</summary>
    public sealed record Reply(ReplyKind Kind, string? Content, IReadOnlyList<(string Name, string Arguments)> ToolCalls, int StatusCode = 200, int PromptTokens = 100)
    {
        /// <summary>An assistant message with <paramref name="content"/>.</summary>
        public static Reply Text(string content, int promptTokens = 100) => new(ReplyKind.Answer, content, [], PromptTokens: promptTokens);

        /// <summary>An assistant message calling tools.</summary>
        public static Reply Tools(params (string Name, string Arguments)[] calls) => new(ReplyKind.Answer, null, calls);

        /// <summary>A 200 whose body is <paramref name="body"/> as is (not a chat completion).</summary>
        public static Reply Raw(string body) => new(ReplyKind.Raw, body, []);

        /// <summary>An HTTP error.</summary>
        public static Reply Error(int status) => new(ReplyKind.Status, null, [], status);

        /// <summary>No answer until the client gives up.</summary>
        public static Reply Never() => new(ReplyKind.Hang, null, []);
    }
}
