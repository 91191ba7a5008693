using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using DeployMind.Application.Jobs;
using DeployMind.IntegrationTests.Support;
using DeployMind.Server;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.IntegrationTests.Webhooks;

/// <summary>
/// POST /webhooks/github with bodies that arrive too slowly, stop short, are not text, or come when the server is busy:
/// each is a 4xx (or 503) with a problem body, and nothing is logged with a stack trace.
/// </summary>
public sealed class WebhookHostileInputTests
{
    private const string Secret = "hostile-secret";
    private static readonly string WellFormedSignature = "sha256=" + new string('0', 64);

    [Fact]
    public async Task ASlowBody_Answers408WithAProblem_AndLogsNoStackTrace()
    {
        await using var server = await StartAsync();

        // Content-Length says 1000, ten bytes come, then nothing.
        var answer = await RawHttp.ExchangeAsync(server.BaseUrl.Port, Head(1000, WellFormedSignature), async (socket, token) =>
        {
            await socket.SendAsync("{\"zen\":\"a"u8.ToArray(), SocketFlags.None, token);
            await Task.Delay(Timeout.Infinite, token);
        }, TimeSpan.FromSeconds(30));

        Assert.Equal(408, answer.Status);
        Assert.Contains("application/problem+json", answer.Text, StringComparison.Ordinal);
        Assert.Equal(408, Problem(answer)["status"]!.GetValue<int>());
        AssertNoStackTrace(server);
        Assert.Contains("could not be read (408)", server.Logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AShortBody_IsAnswered400_NotAServerError_AndLogsNoStackTrace()
    {
        await using var server = await StartAsync();

        // Content-Length says 1000, a hundred bytes come, then the client stops sending (and so may not see the answer:
        // Kestrel closes a connection whose client hung up mid-body). What the server made of it is in its log.
        var answer = await RawHttp.ExchangeAsync(server.BaseUrl.Port, Head(1000, WellFormedSignature), async (socket, token) =>
        {
            await RawHttp.SendFillerAsync(socket, 100, token);
            socket.Shutdown(SocketShutdown.Send);
        }, TimeSpan.FromSeconds(30));

        Assert.True(answer.Status is 0 or 400, answer.Text);

        // The connection may close before the request's end is logged.
        using var logged = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!server.Logs.Contains("could not be read (400)", StringComparison.Ordinal) && !logged.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }

        Assert.True(server.Logs.Contains("could not be read (400)", StringComparison.Ordinal), server.Logs);
        AssertNoStackTrace(server);
    }

    [Theory]
    [InlineData("lone surrogate escape", "{\"zen\":\"\\ud800\"}", "lone surrogate")]
    [InlineData("lone surrogate in a name", "{\"\\udfff\":1}", "lone surrogate")]
    [InlineData("raw invalid bytes", "{\"zen\":\"\u00ff\u00fe\"}", "not valid UTF-8")]
    public async Task ASignedBodyThatIsNotText_Answers400NamingTheProblem(string what, string text, string expected)
    {
        await using var server = await StartAsync();
        // "raw invalid bytes": the two chars are written as the single bytes 0xFF 0xFE, which UTF-8 never has.
        var body = what == "raw invalid bytes" ? Encoding.Latin1.GetBytes(text) : Encoding.UTF8.GetBytes(text);

        using var response = await server.Client.SendAsync(SignedDelivery.Signed("ping", body, Secret));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>();
        Assert.Contains(expected, detail, StringComparison.Ordinal);
        AssertNoStackTrace(server);
    }

    [Fact]
    public async Task ASurrogatePairEscape_IsText_AndAnswersPong()
    {
        await using var server = await StartAsync();
        using var response = await server.Client.SendAsync(SignedDelivery.Signed("ping", "{\"zen\":\"\\ud83d\\ude00\"}"u8.ToArray(), Secret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("pong", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABodyLargerThanTheMemoryShare_GoesThroughATemporaryFile_AndQueuesItsJob()
    {
        await using var server = await StartAsync(new ServerLimits { WebhookMemoryBytes = 1024 });
        var body = SignedDelivery.Fixture("push.with-new-branch.json");
        Assert.True(body.Length > 4 * 1024, "the fixture should be several times the memory share");
        var spillsBefore = Spills();

        using var response = await server.Client.SendAsync(SignedDelivery.Signed("push", body, Secret));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, (await server.Get<IJobQueue>().StatsAsync("production", CancellationToken.None)).Waiting);
        Assert.Subset(spillsBefore, Spills());

        static HashSet<string> Spills() => [.. Directory.GetFiles(Path.GetTempPath(), "deploymind-webhook-*.tmp")];
    }

    [Fact]
    public async Task WhenEveryTurnIsTaken_ADelivery_Answers503WithRetryAfter_AndUnsignedOnesStill401()
    {
        // One turn, and one place in the queue (so the slow body below waits there if a ping has the turn when it comes).
        await using var server = await StartAsync(new ServerLimits { WebhookConcurrency = 1, WebhookQueue = 1, WebhookQueueWait = TimeSpan.FromMilliseconds(200) });

        // One slow body holds the only turn.
        var slow = RawHttp.ExchangeAsync(server.BaseUrl.Port, Head(1000, WellFormedSignature), async (socket, token) =>
        {
            await socket.SendAsync("{"u8.ToArray(), SocketFlags.None, token);
            await Task.Delay(Timeout.Infinite, token);
        }, TimeSpan.FromSeconds(30));
        var body = SignedDelivery.Fixture("ping.json");
        HttpResponseMessage? busy = null;
        for (var attempt = 0; attempt < 50 && busy?.StatusCode != HttpStatusCode.ServiceUnavailable; attempt++)
        {
            // Until the slow one holds the turn, this one may get it (and answer 200); then it waits 200 ms in the queue.
            busy?.Dispose();
            busy = await server.Client.SendAsync(SignedDelivery.Signed("ping", body, Secret));
            await Task.Delay(100);
        }

        using (busy)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, busy!.StatusCode);
            Assert.Equal("application/problem+json", busy.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(busy.Headers.RetryAfter);
        }

        // A body without a signature needs no turn: it is refused at once, unread.
        using (var unsigned = await server.Client.SendAsync(SignedDelivery.Request("ping", body, null)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        }

        Assert.Equal(408, (await slow).Status);

        // The turn is back.
        using var after = await server.Client.SendAsync(SignedDelivery.Signed("ping", body, Secret));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    private static Task<DeployMindServerFixture> StartAsync(ServerLimits? limits = null) =>
        DeployMindServerFixture.StartAsync(
            new Dictionary<string, string?> { ["server:webhookSecret"] = Secret },
            services: limits is null ? null : s => s.AddSingleton(limits));

    private static string Head(long contentLength, string signature) =>
        "POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-GitHub-Event: ping\r\n" +
        $"X-GitHub-Delivery: {Guid.NewGuid()}\r\nX-Hub-Signature-256: {signature}\r\nContent-Length: {contentLength.ToString(CultureInfo.InvariantCulture)}\r\n";

    private static JsonNode Problem(RawAnswer answer)
    {
        // The problem may come chunked: its JSON is between the first '{' and the last '}'.
        var body = answer.Body;
        return JsonNode.Parse(body[body.IndexOf('{', StringComparison.Ordinal)..(body.LastIndexOf('}') + 1)])!;
    }

    private static void AssertNoStackTrace(DeployMindServerFixture server)
    {
        Assert.DoesNotContain("   at ", server.Logs, StringComparison.Ordinal);
        Assert.DoesNotContain("An unhandled exception", server.Logs, StringComparison.Ordinal);
    }
}
