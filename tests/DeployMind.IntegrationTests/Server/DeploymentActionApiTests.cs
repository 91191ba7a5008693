using System.Net;
using System.Text;
using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DeployMind.IntegrationTests.Server;

/// <summary>POST /api/deployments, .../rollback and .../cancel over real HTTP: what is recorded and what is queued (no worker runs).</summary>
public sealed class DeploymentActionApiTests
{
    private static readonly Dictionary<string, string?> RepositorySettings = new()
    {
        ["server:repositories:acme/shop-api:source"] = "/srv/git/shop-api.git",
        ["server:repositories:acme/shop-api:path"] = "services/api",
    };

    [Fact]
    public async Task Create_Is202WithLocation_RecordsQueuedDeployment_AndQueuesItsJob()
    {
        await using var server = await DeployMindServerFixture.StartAsync(RepositorySettings);
        var client = server.CreateClient(await server.CreateTokenAsync("ci"));

        using var response = await client.SendAsync(ApiTestData.Post("api/deployments", new { repository = "acme/shop-api", @ref = "v1.4.2", environment = "staging", strategy = "canary", port = 8081, allowFindings = true }));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var json = await ApiTestData.JsonAsync(response);
        var id = Guid.Parse(json["id"]!.GetValue<string>());
        Assert.Equal($"/api/deployments/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("queued", json["state"]!.GetValue<string>());
        Assert.Equal("shop-api", json["app"]!.GetValue<string>());
        Assert.Equal("canary", json["strategy"]!.GetValue<string>());
        Assert.Equal("api:ci", json["triggeredBy"]!.GetValue<string>());

        var recorded = await server.Store.GetAsync(id, CancellationToken.None);
        Assert.NotNull(recorded);
        Assert.Equal(DeploymentState.Queued, recorded.State);
        Assert.Equal("api:ci", recorded.TriggeredBy);
        Assert.Equal("acme/shop-api", recorded.Repository);
        Assert.Equal("staging", recorded.Environment);

        var lease = await server.Queue.TakeAsync("staging", "test", TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.NotNull(lease);
        var job = lease.Job;
        Assert.Equal(id, job.Id);
        Assert.Empty(job.Targets);
        Assert.Equal(JobPriority.Manual, job.Priority);
        Assert.Equal("/srv/git/shop-api.git", job.Repository);
        Assert.Equal("v1.4.2", job.Ref);
        Assert.Equal("services/api", job.Path);
        Assert.Equal("canary", job.Strategy);
        Assert.Equal(8081, job.Port);
        Assert.True(job.AllowFindings);
        Assert.Null(job.RollbackOf);
        Assert.Equal("api:ci", job.TriggeredBy);
    }

    [Fact]
    public async Task Create_Defaults_RefMainAndProduction_RepositoryAsGiven()
    {
        await using var server = await DeployMindServerFixture.StartAsync();
        var client = server.CreateClient(await server.CreateTokenAsync("alice"));

        using var response = await client.SendAsync(ApiTestData.Post("api/deployments", new { repository = "https://git.example.com/acme/web-shop.git" }));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("web-shop", (await ApiTestData.JsonAsync(response))["app"]!.GetValue<string>());
        var lease = await server.Queue.TakeAsync("production", "test", TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.NotNull(lease);
        Assert.Equal("https://git.example.com/acme/web-shop.git", lease.Job.Repository);
        Assert.Equal("main", lease.Job.Ref);
        Assert.Equal(".", lease.Job.Path);
        Assert.Equal("api:alice", lease.Job.TriggeredBy);
    }

    [Fact]
    public async Task Create_SameIdempotencyKeyTwice_OneDeploymentOneJob()
    {
        await using var server = await DeployMindServerFixture.StartAsync();
        var client = server.CreateClient(await server.CreateTokenAsync());
        var body = new { repository = "acme/shop-api" };

        using var first = await client.SendAsync(ApiTestData.Post("api/deployments", body, "release-42"));
        using var second = await client.SendAsync(ApiTestData.Post("api/deployments", body, "release-42"));
        using var other = await client.SendAsync(ApiTestData.Post("api/deployments", new { repository = "acme/billing" }, "release-42"));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var id = (await ApiTestData.JsonAsync(first))["id"]!.GetValue<string>();
        Assert.Equal(id, (await ApiTestData.JsonAsync(second))["id"]!.GetValue<string>());
        Assert.Equal(DeploymentIntake.IdFor("api:release-42"), Guid.Parse(id));
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);

        var stats = await server.Queue.StatsAsync("production", CancellationToken.None);
        Assert.Equal(1, stats.Waiting);
        Assert.Single(await server.Store.ListAsync(new DeploymentQuery(), CancellationToken.None));
    }

    [Theory]
    [InlineData("""{"environment":"production"}""", "repository")]
    [InlineData("""{"repository":"   "}""", "repository")]
    [InlineData("""{"repository":"../../etc"}""", "repository")]
    [InlineData("""{"repository":"-oProxyCommand=x"}""", "repository")]
    [InlineData("""{"repository":"acme/shop-api","environment":"Prod uction"}""", "environment")]
    [InlineData("""{"repository":"acme/shop-api","ref":"main..evil"}""", "ref")]
    [InlineData("""{"repository":"acme/shop-api","path":"../other"}""", "path")]
    [InlineData("""{"repository":"acme/shop-api","strategy":"yolo"}""", "strategy")]
    [InlineData("""{"repository":"acme/shop-api","host":"ftp://example.com"}""", "host")]
    [InlineData("""{"repository":"acme/shop-api","port":70000}""", "port")]
    [InlineData("""{"repository":"acme/shop-api","tag":"Shop API"}""", "tag")]
    [InlineData("""{"repository":"acme/shop-api","port":"eighty"}""", "port")]
    [InlineData("""{"repository":""", "body")]
    public async Task Create_InvalidField_Is400NamingIt_AndQueuesNothing(string body, string field)
    {
        await using var server = await DeployMindServerFixture.StartAsync();
        var client = server.CreateClient(await server.CreateTokenAsync());

        using var response = await client.PostAsync("api/deployments", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ApiTestData.JsonAsync(response);
        Assert.NotNull(problem["errors"]?[field]);
        Assert.Equal(0, (await server.Queue.StatsAsync("production", CancellationToken.None)).Waiting);
        Assert.Empty(await server.Store.ListAsync(new DeploymentQuery(), CancellationToken.None));
    }

    [Fact]
    public async Task Create_NotJson_Is415()
    {
        await using var server = await DeployMindServerFixture.StartAsync();
        var client = server.CreateClient(await server.CreateTokenAsync());

        using var response = await client.PostAsync("api/deployments", new StringContent("repository=acme/shop-api", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Create_QueueDown_Is503WithRetryAfter()
    {
        var settings = new Dictionary<string, string?>
        {
            ["queue:provider"] = "redis",
            ["queue:redis"] = "127.0.0.1:1,connectTimeout=200,abortConnect=false",
        };
        await using var server = await DeployMindServerFixture.StartAsync(settings);
        var client = server.CreateClient(await server.CreateTokenAsync());

        using var response = await client.SendAsync(ApiTestData.Post("api/deployments", new { repository = "acme/shop-api" }));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("queue", (await ApiTestData.JsonAsync(response))["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_Queued_IsCancelled_AndTheWorkerSkipsItsJob()
    {
        await using var server = await DeployMindServerFixture.StartAsync();
        var client = server.CreateClient(await server.CreateTokenAsync("ops"));
        using var created = await client.SendAsync(ApiTestData.Post("api/deployments", new { repository = "acme/shop-api" }));
        var id = Guid.Parse((await ApiTestData.JsonAsync(created))["id"]!.GetValue<string>());

        using var response = await client.PostAsync($"api/deployments/{id.ToString()[..8]}/cancel", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await ApiTestData.JsonAsync(response);
        Assert.Equal("cancelled", answer["state"]!.GetValue<string>());
        Assert.False(answer["cancelRequested"]!.GetValue<bool>());
        var recorded = await server.Store.GetAsync(id, CancellationToken.None);
        Assert.Equal(DeploymentState.Cancelled, recorded!.State);
        Assert.Equal("cancelled by api:ops", recorded.Events[^1].Detail);

        // A worker taking the job finds the deployment finished: it acks the job without running anything.
        var runner = new RefusingRunner();
        var worker = new DeployWorker(
            server.Queue, server.Services.GetRequiredService<IDeployLock>(), runner, server.Store,
            server.Services.GetRequiredService<IOptions<QueueOptions>>(), TimeProvider.System, NullLogger<DeployWorker>.Instance);
        var lease = await server.Queue.TakeAsync("production", "test-worker", TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.NotNull(lease);
        await worker.ProcessAsync(lease, CancellationToken.None);
        Assert.Equal(0, runner.Calls);
        var stats = await server.Queue.StatsAsync("production", CancellationToken.None);
        Assert.Equal((0L, 0L), (stats.Waiting, stats.InFlight));
    }

    [Fact]
    public async Task Cancel_Running_RequestsCancel_Finished_Is409_Unknown_Is404()
    {
        await using var server = await DeployMindServerFixture.StartAsync();
        var client = server.CreateClient(await server.CreateTokenAsync());
        var running = await ApiTestData.RecordAsync(server.Store, DeploymentState.Building);
        var finished = await ApiTestData.RecordAsync(server.Store, DeploymentState.Succeeded);

        using var runningAnswer = await client.PostAsync($"api/deployments/{running.Id}/cancel", null);
        using var finishedAnswer = await client.PostAsync($"api/deployments/{finished.Id}/cancel", null);
        using var unknownAnswer = await client.PostAsync($"api/deployments/{Guid.NewGuid()}/cancel", null);

        Assert.Equal(HttpStatusCode.Accepted, runningAnswer.StatusCode);
        var json = await ApiTestData.JsonAsync(runningAnswer);
        Assert.True(json["cancelRequested"]!.GetValue<bool>());
        Assert.Equal("building", json["state"]!.GetValue<string>());
        Assert.True(await server.Store.IsCancelRequestedAsync(running.Id, CancellationToken.None));
        Assert.Equal(DeploymentState.Building, (await server.Store.GetAsync(running.Id, CancellationToken.None))!.State);

        Assert.Equal(HttpStatusCode.Conflict, finishedAnswer.StatusCode);
        Assert.Contains("already succeeded", (await ApiTestData.JsonAsync(finishedAnswer))["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(await server.Store.IsCancelRequestedAsync(finished.Id, CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, unknownAnswer.StatusCode);
    }

    [Fact]
    public async Task Rollback_WithoutRelease_Is409_WithRelease_QueuesARollbackJob()
    {
        await using var server = await DeployMindServerFixture.StartAsync(RepositorySettings);
        var client = server.CreateClient(await server.CreateTokenAsync("ops"));
        var neverDeployed = await ApiTestData.RecordAsync(server.Store, DeploymentState.Failed);
        var deployed = await ApiTestData.RecordAsync(server.Store, DeploymentState.Succeeded, environment: "staging", withRelease: true);

        using var refused = await client.PostAsync($"api/deployments/{neverDeployed.ShortId()}/rollback", null);
        using var unknown = await client.PostAsync($"api/deployments/{Guid.NewGuid()}/rollback", null);
        using var accepted = await client.PostAsync($"api/deployments/{deployed.ShortId()}/rollback", null);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("never reached its hosts", (await ApiTestData.JsonAsync(refused))["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var json = await ApiTestData.JsonAsync(accepted);
        var id = Guid.Parse(json["id"]!.GetValue<string>());
        Assert.NotEqual(deployed.Id, id);
        Assert.Equal($"/api/deployments/{id}", accepted.Headers.Location?.OriginalString);
        Assert.Equal(deployed.Id.ToString(), json["rollbackOf"]!.GetValue<string>());
        var rollback = await server.Store.GetAsync(id, CancellationToken.None);
        Assert.NotNull(rollback);
        Assert.Equal((DeploymentState.Queued, deployed.Id, "shop-api", "staging", "api:ops"), (rollback.State, rollback.RollbackOf, rollback.App, rollback.Environment, rollback.TriggeredBy));

        var lease = await server.Queue.TakeAsync("staging", "test", TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.NotNull(lease);
        Assert.Equal(id, lease.Job.Id);
        Assert.Equal(deployed.Id, lease.Job.RollbackOf);
        Assert.Equal("/srv/git/shop-api.git", lease.Job.Repository);
        Assert.Equal(deployed.Commit, lease.Job.Ref);
        Assert.Equal("services/api", lease.Job.Path);
        Assert.Equal(JobPriority.Manual, lease.Job.Priority);
        Assert.Null(await server.Queue.TakeAsync("production", "test", TimeSpan.FromMilliseconds(200), CancellationToken.None));
    }

    /// <summary>A job runner that must not be called.</summary>
    private sealed class RefusingRunner : IJobRunner
    {
        public int Calls { get; private set; }

        public Task<PreparedJob> PrepareAsync(DeployJob job, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult(new PreparedJob(["docker:local"], (_, _) =>
            {
                Calls++;
                throw new InvalidOperationException("A cancelled deployment must not run.");
            }));
        }
    }
}
