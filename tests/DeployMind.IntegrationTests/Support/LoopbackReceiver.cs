using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DeployMind.IntegrationTests.Support;

/// <summary>A request a <see cref="LoopbackReceiver"/> took: path, headers and body as received.</summary>
internal sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// A webhook receiver (Slack, Discord, Teams, a signed webhook: they are all a POST): a real Kestrel on 127.0.0.1 at a free
/// port that keeps every request and answers <see cref="Status"/>, or never answers while <see cref="Hang"/> is set.
/// </summary>
internal sealed class LoopbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ReceivedRequest> _requests = Channel.CreateUnbounded<ReceivedRequest>();

    private LoopbackReceiver(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The receiver's base URL, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The status every request is answered with.</summary>
    public int Status { get; set; } = StatusCodes.Status200OK;

    /// <summary>Requests are held until the client gives up (a receiver that is up but never answers).</summary>
    public bool Hang { get; set; }

    public static async Task<LoopbackReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new LoopbackReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.BaseUrl = new Uri(app.Urls.First().TrimEnd('/') + "/");
        return receiver;
    }

    /// <summary>The URL of <paramref name="path"/> on this receiver.</summary>
    public Uri Url(string path) => new(BaseUrl, path.TrimStart('/'));

    /// <summary>The next request, waiting at most <paramref name="timeout"/>.</summary>
    public async Task<ReceivedRequest> NextAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            return await _requests.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No request reached {BaseUrl} within {timeout}.");
        }
    }

    /// <summary>Requests received and not yet taken with <see cref="NextAsync"/>.</summary>
    public IReadOnlyList<ReceivedRequest> Drain()
    {
        var list = new List<ReceivedRequest>();
        while (_requests.Reader.TryRead(out var request))
        {
            list.Add(request);
        }

        return list;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        await _requests.Writer.WriteAsync(new ReceivedRequest(context.Request.Method, context.Request.Path.Value ?? "/", headers, body), context.RequestAborted);
        if (Hang)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }

        context.Response.StatusCode = Status;
        await context.Response.WriteAsync(Status < 300 ? "ok" : "invalid_token", context.RequestAborted);
    }
}
