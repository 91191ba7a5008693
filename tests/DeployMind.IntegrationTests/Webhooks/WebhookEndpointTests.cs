using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Webhooks;

/// <summary>POST /webhooks/github on the real server with the real payloads, signed: what is queued and what is refused.</summary>
public sealed class WebhookEndpointTests : IAsyncLifetime
{
    private const string Secret = "It's a Secret to Everybody";
    private DeployMindServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await DeployMindServerFixture.StartAsync(new Dictionary<string, string?> { ["server:webhookSecret"] = Secret });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task APushToTheDefaultBranch_Answers202_AndQueuesOneJobForProduction()
    {
        var body = SignedDelivery.Fixture("push.with-new-branch.json");
        using var response = await _server.Client.SendAsync(SignedDelivery.Signed("push", body, Secret));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await Answer(response);
        Assert.Equal("queued", answer["result"]!.GetValue<string>());
        var id = Guid.Parse(answer["deploymentId"]!.GetValue<string>());
        Assert.Equal(1, await WaitingAsync("production"));

        var deployment = await _server.Get<IDeploymentStore>().GetAsync(id, CancellationToken.None);
        Assert.NotNull(deployment);
        Assert.Equal(DeploymentState.Queued, deployment.State);
        Assert.Equal(("Codertocat/Hello-World", "master", "6113728f27ae82c7b1a177c8d03f9e96e0adf246"), (deployment.Repository, deployment.Branch, deployment.Commit));
        Assert.Equal("webhook:push by Codertocat", deployment.TriggeredBy);

        var lease = await _server.Get<IJobQueue>().TakeAsync("production", "test", TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.NotNull(lease);
        Assert.Equal(id, lease.Job.Id);
        Assert.Equal(("https://github.com/Codertocat/Hello-World.git", "6113728f27ae82c7b1a177c8d03f9e96e0adf246", JobPriority.Webhook), (lease.Job.Repository, lease.Job.Ref, lease.Job.Priority));
        Assert.Empty(lease.Job.Targets);
    }

    [Theory]
    [InlineData("pull_request.opened.json", false)]
    [InlineData("pull_request.synchronize.json", false)]
    [InlineData("pull_request.reopened.json", false)]
    [InlineData("pull_request.closed.json", true)]
    public async Task APullRequest_QueuesItsPreview_OrItsTeardown(string fixture, bool teardown)
    {
        using var response = await _server.Client.SendAsync(SignedDelivery.Signed("pull_request", SignedDelivery.Fixture(fixture), Secret));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var lease = await _server.Get<IJobQueue>().TakeAsync("preview", "test", TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.NotNull(lease);
        Assert.Equal((2, teardown, "ec26c3e57ca3a959ca5aad62de7213c562f8c821"), (lease.Job.PullRequest, lease.Job.Teardown, lease.Job.Ref));
        var deployment = await _server.Get<IDeploymentStore>().GetAsync(lease.Job.Id, CancellationToken.None);
        Assert.Equal(("hello-world-pr-2", 2, teardown), (deployment!.App, deployment.PullRequest, deployment.IsTeardown));
        Assert.Equal(0, await WaitingAsync("production"));
    }

    [Fact]
    public async Task AFormEncodedDelivery_IsVerifiedOverTheWholeForm_AndQueuesLikeJson()
    {
        var json = Encoding.UTF8.GetString(SignedDelivery.Fixture("push.with-new-branch.json"));
        var form = Encoding.UTF8.GetBytes("payload=" + Uri.EscapeDataString(json));
        using var request = SignedDelivery.Signed("push", form, Secret);
        request.Content!.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
        using var response = await _server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("queued", (await Answer(response))["result"]!.GetValue<string>());
        Assert.Equal(1, await WaitingAsync("production"));
    }

    [Fact]
    public async Task Ping_Answers200()
    {
        using var response = await _server.Client.SendAsync(SignedDelivery.Signed("ping", SignedDelivery.Fixture("ping.json"), Secret));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("pong", (await Answer(response))["result"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("wrong secret")]
    [InlineData("missing header")]
    [InlineData("modified body")]
    [InlineData("not hex")]
    [InlineData("sha1 header")]
    public async Task AnUnverifiedDelivery_Answers401_AndQueuesNothing(string how)
    {
        var body = SignedDelivery.Fixture("push.with-new-branch.json");
        var signature = SignedDelivery.Sign(body, Secret);
        HttpRequestMessage request = how switch
        {
            "wrong secret" => SignedDelivery.Signed("push", body, "not the secret"),
            "missing header" => SignedDelivery.Request("push", body, null),
            "modified body" => SignedDelivery.Request("push", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("refs/heads/master", "refs/heads/mastex", StringComparison.Ordinal)), signature),
            "not hex" => SignedDelivery.Request("push", body, "sha256=" + new string('z', 64)),
            _ => SignedDelivery.Request("push", body, "sha1=" + signature[7..47]),
        };

        using (request)
        using (var response = await _server.Client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        await AssertNothingQueuedAsync();
    }

    [Fact]
    public async Task MalformedJson_Answers400_AndQueuesNothing()
    {
        var body = Encoding.UTF8.GetBytes("{\"ref\": \"refs/heads/master\", \"after\": ");
        using var response = await _server.Client.SendAsync(SignedDelivery.Signed("push", body, Secret));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not JSON", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertNothingQueuedAsync();
    }

    [Fact]
    public async Task APushWithoutItsCommit_Answers400NamingTheField()
    {
        var json = JsonNode.Parse(SignedDelivery.Fixture("push.with-new-branch.json"))!;
        json["after"] = 42;
        var body = Encoding.UTF8.GetBytes(json.ToJsonString());
        using var response = await _server.Client.SendAsync(SignedDelivery.Signed("push", body, Secret));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("after:", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertNothingQueuedAsync();
    }

    [Fact]
    public async Task ABodyOverTheLimit_Answers413_BeforeItIsSent()
    {
        // Headers announce 30 MB but only a few bytes follow: a server that read the body first would wait forever.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _server.BaseUrl.Port);
        var head = "POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-GitHub-Event: push\r\n" +
                   $"X-GitHub-Delivery: {Guid.NewGuid()}\r\nX-Hub-Signature-256: sha256={new string('0', 64)}\r\nContent-Length: {30 * 1024 * 1024}\r\n\r\n{{\"ref\":";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);

        Assert.StartsWith("HTTP/1.1 413", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
        await AssertNothingQueuedAsync();
    }

    [Fact]
    public async Task AChunkedBodyOverTheLimit_Answers413()
    {
        var chunk = new byte[1024 * 1024];
        using var content = new StreamingContent(async stream =>
        {
            for (var i = 0; i < 27; i++)
            {
                await stream.WriteAsync(chunk);
            }
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = content };
        request.Headers.TryAddWithoutValidation("X-GitHub-Event", "push");
        request.Headers.TryAddWithoutValidation("X-GitHub-Delivery", Guid.NewGuid().ToString());

        // A signature of the right form (without one the body is refused 401 unread): only the size can stop it.
        request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", "sha256=" + new string('0', 64));
        HttpStatusCode status;
        try
        {
            using var response = await _server.Client.SendAsync(request);
            status = response.StatusCode;
        }
        catch (HttpRequestException)
        {
            // The server may answer and close while the client is still sending; what matters is what it answered.
            status = HttpStatusCode.RequestEntityTooLarge;
        }

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        await AssertNothingQueuedAsync();
    }

    [Theory]
    [InlineData("tag push")]
    [InlineData("tag deletion")]
    [InlineData("branch deletion")]
    [InlineData("other branch")]
    [InlineData("other event")]
    public async Task WhatDeploysNothing_IsAcknowledged_WithTheReason(string what)
    {
        var push = JsonNode.Parse(SignedDelivery.Fixture("push.with-new-branch.json"))!;
        var (eventName, expected) = ("push", string.Empty);
        switch (what)
        {
            case "tag push":
                push["ref"] = "refs/tags/v1.0.0";
                expected = "tag push";
                break;
            case "tag deletion":
                push = JsonNode.Parse(SignedDelivery.Fixture("push.json"))!;
                expected = "was deleted";
                break;
            case "branch deletion":
                (push["deleted"], push["after"]) = (true, new string('0', 40));
                expected = "was deleted";
                break;
            case "other branch":
                push["ref"] = "refs/heads/feature/login";
                expected = "deploys no environment";
                break;
            default:
                eventName = "issues";
                expected = "deploy nothing";
                break;
        }

        using var response = await _server.Client.SendAsync(SignedDelivery.Signed(eventName, Encoding.UTF8.GetBytes(push.ToJsonString()), Secret));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await Answer(response);
        Assert.Equal("ignored", answer["result"]!.GetValue<string>());
        Assert.Contains(expected, answer["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await AssertNothingQueuedAsync();
    }

    [Fact]
    public async Task TheSameDeliveryTwice_QueuesOneJob()
    {
        var body = SignedDelivery.Fixture("push.with-new-branch.json");
        var delivery = Guid.NewGuid().ToString();
        using var first = await _server.Client.SendAsync(SignedDelivery.Signed("push", body, Secret, delivery));
        using var second = await _server.Client.SendAsync(SignedDelivery.Signed("push", body, Secret, delivery));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var (a, b) = (await Answer(first), await Answer(second));
        Assert.Equal(("queued", "duplicate"), (a["result"]!.GetValue<string>(), b["result"]!.GetValue<string>()));
        Assert.Equal(a["deploymentId"]!.GetValue<string>(), b["deploymentId"]!.GetValue<string>());
        Assert.Equal(1, await WaitingAsync("production"));
        Assert.Single(await _server.Get<IDeploymentStore>().ListAsync(new DeploymentQuery(), CancellationToken.None));

        var deliveries = await _server.Get<IWebhookDeliveries>().ListAsync(10, CancellationToken.None);
        Assert.Equal(["duplicate", "queued"], deliveries.Where(d => d.DeliveryId == delivery).Select(d => d.Result));
    }

    [Fact]
    public async Task ConcurrentCopiesOfOneDelivery_QueueOneJob()
    {
        var body = SignedDelivery.Fixture("pull_request.opened.json");
        var delivery = Guid.NewGuid().ToString();
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await _server.Client.SendAsync(SignedDelivery.Signed("pull_request", body, Secret, delivery));
            return response.StatusCode;
        }));

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.Accepted, status));
        Assert.Equal(1, await WaitingAsync("preview"));
    }

    private async Task<long> WaitingAsync(string environment) => (await _server.Get<IJobQueue>().StatsAsync(environment, CancellationToken.None)).Waiting;

    private async Task AssertNothingQueuedAsync()
    {
        foreach (var environment in new[] { "production", "staging", "preview" })
        {
            Assert.Equal(0, await WaitingAsync(environment));
        }

        Assert.Empty(await _server.Get<IDeploymentStore>().ListAsync(new DeploymentQuery(), CancellationToken.None));
    }

    private static async Task<JsonNode> Answer(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new JsonException("no JSON answer");

    private sealed class StreamingContent(Func<Stream, Task> write) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => write(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
