using System.Net;
using System.Text.Json.Nodes;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using DeployMind.IntegrationTests.Support;
using DeployMind.Server.Api;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.IntegrationTests.Server;

/// <summary>GET /api/deployments/{id}/events: Server-Sent Events of a deployment the test advances through the store.</summary>
public sealed class DeploymentEventsApiTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Events_StreamHistory_ThenNewStatesAndLogLines_ThenEnd()
    {
        await using var server = await DeployMindServerFixture.StartAsync();
        var client = server.CreateClient(await server.CreateTokenAsync());
        var deployment = await ApiTestData.RecordAsync(server.Store, DeploymentState.Scanning);
        await server.Store.AppendLogAsync(deployment.Id, [new LogEntry(DateTimeOffset.UtcNow, "scan", "no secrets found")], CancellationToken.None);
        using var timeout = new CancellationTokenSource(Patience);

        using var response = await client.GetAsync($"api/deployments/{deployment.ShortId()}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new ServerSentEventReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        // What happened before the client connected.
        var scanning = await NextEventAsync(reader, timeout.Token);
        Assert.Equal("state", scanning.Type);
        Assert.Equal("scanning", Data(scanning)["to"]!.GetValue<string>());
        Assert.True(Data(scanning)["transition"]!.GetValue<bool>());
        var firstLine = await NextEventAsync(reader, timeout.Token);
        Assert.Equal("log", firstLine.Type);
        Assert.Equal("no secrets found", Data(firstLine)["text"]!.GetValue<string>());
        Assert.Equal(Data(firstLine)["sequence"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture), firstLine.Id);

        // Then what the "worker" records while the client listens.
        await ApiTestData.AdvanceAsync(server.Store, deployment, DeploymentState.Building);
        Assert.Equal("building", Data(await NextEventAsync(reader, timeout.Token))["to"]!.GetValue<string>());
        await server.Store.AppendLogAsync(deployment.Id, [new LogEntry(DateTimeOffset.UtcNow, "build", "step 1/3"), new LogEntry(DateTimeOffset.UtcNow, "build", "step 2/3")], CancellationToken.None);
        var step1 = await NextEventAsync(reader, timeout.Token);
        var step2 = await NextEventAsync(reader, timeout.Token);
        Assert.Equal(("log", "step 1/3", "build"), (step1.Type, Data(step1)["text"]!.GetValue<string>(), Data(step1)["stage"]!.GetValue<string>()));
        Assert.Equal("step 2/3", Data(step2)["text"]!.GetValue<string>());
        Assert.True(long.Parse(step2.Id!, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(step1.Id!, System.Globalization.CultureInfo.InvariantCulture));

        deployment.Note("image built", DateTimeOffset.UtcNow);
        await server.Store.SaveAsync(deployment, CancellationToken.None);
        var note = await NextEventAsync(reader, timeout.Token);
        Assert.Equal(("state", "image built", false), (note.Type, Data(note)["detail"]!.GetValue<string>(), Data(note)["transition"]!.GetValue<bool>()));

        await ApiTestData.AdvanceAsync(server.Store, deployment, DeploymentState.Succeeded);
        var rest = new List<ServerSentEvent>();
        ServerSentEvent next;
        do
        {
            next = await NextEventAsync(reader, timeout.Token);
            rest.Add(next);
        }
        while (next.Type != "end");

        Assert.Equal(["deploying", "verifying", "succeeded"], rest.Where(e => e.Type == "state").Select(e => Data(e)["to"]!.GetValue<string>()));
        Assert.Equal("\"succeeded\"", rest[^1].Data);

        // Each event was sent once, and the server closes the stream after the end.
        Assert.Null(await reader.ReadAsync(timeout.Token));
    }

    [Fact]
    public async Task Events_LastEventId_ResumesTheLogAfterIt()
    {
        await using var server = await DeployMindServerFixture.StartAsync();
        var client = server.CreateClient(await server.CreateTokenAsync());
        var deployment = await ApiTestData.RecordAsync(server.Store, DeploymentState.Succeeded);
        var at = DateTimeOffset.UtcNow;
        await server.Store.AppendLogAsync(deployment.Id, [new LogEntry(at, "build", "one"), new LogEntry(at, "build", "two"), new LogEntry(at, "build", "three")], CancellationToken.None);
        var lines = await server.Store.ReadLogAsync(deployment.Id, 0, 10, CancellationToken.None);
        using var timeout = new CancellationTokenSource(Patience);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/deployments/{deployment.Id}/events");
        request.Headers.Add("Last-Event-ID", lines[1].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new ServerSentEventReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<ServerSentEvent>();
        while (await reader.ReadAsync(timeout.Token) is { } e)
        {
            events.Add(e);
        }

        Assert.Equal(["three"], events.Where(e => e.Type == "log").Select(e => Data(e)["text"]!.GetValue<string>()));
        Assert.Equal(5, events.Count(e => e.Type == "state"));
        Assert.Equal("end", events[^1].Type);
    }

    [Fact]
    public async Task Events_QuietDeployment_GetsKeepAliveComments_UnknownIs404()
    {
        var fast = new EventStreamSettings { PollInterval = TimeSpan.FromMilliseconds(100), KeepAliveInterval = TimeSpan.FromMilliseconds(300) };
        await using var server = await DeployMindServerFixture.StartAsync(services: s => s.AddSingleton(fast));
        var client = server.CreateClient(await server.CreateTokenAsync());
        var deployment = await ApiTestData.RecordAsync(server.Store);
        using var timeout = new CancellationTokenSource(Patience);

        using var unknown = await client.GetAsync($"api/deployments/{Guid.NewGuid()}/events", timeout.Token);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var response = await client.GetAsync($"api/deployments/{deployment.Id}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new ServerSentEventReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var first = await reader.ReadAsync(timeout.Token);
        var second = await reader.ReadAsync(timeout.Token);
        Assert.Equal("keep-alive", first?.Comment);
        Assert.Equal("keep-alive", second?.Comment);
    }

    private static async Task<ServerSentEvent> NextEventAsync(ServerSentEventReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var next = await reader.ReadAsync(cancellationToken) ?? throw new InvalidOperationException("The stream ended early.");
            if (next.Comment is null)
            {
                return next;
            }
        }
    }

    private static JsonNode Data(ServerSentEvent e) => JsonNode.Parse(e.Data) ?? throw new InvalidOperationException("data is JSON null");
}
