using System.Net;
using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Webhooks;

/// <summary>The webhook endpoint under other settings: secret rotation, no secret, a queue that is down, configured repositories.</summary>
public sealed class WebhookSettingsTests
{
    [Fact]
    public async Task DuringARotation_BothSecretsAreAccepted_AndNoOther()
    {
        await using var server = await DeployMindServerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["server:webhookSecret"] = "new-secret",
            ["server:previousWebhookSecret"] = "old-secret",
        });
        var body = SignedDelivery.Fixture("ping.json");
        foreach (var (secret, expected) in new[] { ("new-secret", HttpStatusCode.OK), ("old-secret", HttpStatusCode.OK), ("older-secret", HttpStatusCode.Unauthorized) })
        {
            using var response = await server.Client.SendAsync(SignedDelivery.Signed("ping", body, secret));
            Assert.Equal(expected, response.StatusCode);
        }
    }

    [Fact]
    public async Task WithoutASecret_EveryDeliveryIsRefused_AndTheAnswerSaysWhatToSet()
    {
        await using var server = await DeployMindServerFixture.StartAsync(new Dictionary<string, string?> { ["server:webhookSecretVariable"] = "DEPLOYMIND_TEST_UNSET_SECRET" });
        var body = SignedDelivery.Fixture("push.with-new-branch.json");
        using var response = await server.Client.SendAsync(SignedDelivery.Signed("push", body, string.Empty));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("DEPLOYMIND_TEST_UNSET_SECRET", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await server.Get<IJobQueue>().StatsAsync("production", CancellationToken.None)).Waiting);
    }

    [Fact]
    public async Task WhenTheQueueIsDown_TheAnswerIs503WithRetryAfter_NeverA2xx()
    {
        // Redis on a port nothing listens on: every enqueue fails fast.
        await using var server = await DeployMindServerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["server:webhookSecret"] = "s",
            ["queue:provider"] = "redis",
            ["queue:redis"] = "127.0.0.1:1,connectTimeout=300,syncTimeout=300,asyncTimeout=300,abortConnect=false,connectRetry=0",
        });
        var body = SignedDelivery.Fixture("push.with-new-branch.json");
        var delivery = Guid.NewGuid().ToString();
        using var response = await server.Client.SendAsync(SignedDelivery.Signed("push", body, "s", delivery));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("redeliver", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The record says why it is not running yet; a redelivery (same id) would queue it.
        var deployment = await server.Get<IDeploymentStore>().GetAsync(DeploymentIntake.IdFor("github:" + delivery), CancellationToken.None);
        Assert.NotNull(deployment);
        Assert.Contains(deployment.Events, e => e.Detail.StartsWith("could not be queued yet", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AConfiguredRepository_MapsItsBranches_AndIsFetchedFromItsSource()
    {
        await using var server = await DeployMindServerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["server:webhookSecret"] = "s",
            ["server:repositories:Codertocat/Hello-World:source"] = "/srv/git/hello.git",
            ["server:repositories:Codertocat/Hello-World:path"] = "services/web",
            ["server:repositories:Codertocat/Hello-World:branches:master"] = "staging",
        });
        using var response = await server.Client.SendAsync(SignedDelivery.Signed("push", SignedDelivery.Fixture("push.with-new-branch.json"), "s"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var lease = await server.Get<IJobQueue>().TakeAsync("staging", "test", TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.NotNull(lease);
        Assert.Equal(("/srv/git/hello.git", "services/web", "master"), (lease.Job.Repository, lease.Job.Path, lease.Job.Branch));
        Assert.Equal(0, (await server.Get<IJobQueue>().StatsAsync("production", CancellationToken.None)).Waiting);
    }

    [Fact]
    public async Task OnlyConfiguredRepositories_IgnoresTheOthers()
    {
        await using var server = await DeployMindServerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["server:webhookSecret"] = "s",
            ["server:onlyConfiguredRepositories"] = "true",
            ["server:repositories:acme/shop:source"] = "/srv/git/shop.git",
        });
        using var response = await server.Client.SendAsync(SignedDelivery.Signed("push", SignedDelivery.Fixture("push.with-new-branch.json"), "s"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains("not one of server.repositories", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await server.Get<IJobQueue>().StatsAsync("production", CancellationToken.None)).Waiting);
    }

    [Fact]
    public async Task TheEnvironmentsBranches_InTheServersConfiguration_DecideWhereAPushGoes()
    {
        await using var server = await DeployMindServerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["server:webhookSecret"] = "s",
            ["environments:staging:branch"] = "develop",
            ["environments:production:branch"] = "release",
        });
        var push = System.Text.Json.Nodes.JsonNode.Parse(SignedDelivery.Fixture("push.with-new-branch.json"))!;
        push["ref"] = "refs/heads/develop";
        using (var response = await server.Client.SendAsync(SignedDelivery.Signed("push", System.Text.Encoding.UTF8.GetBytes(push.ToJsonString()), "s")))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        // The default branch (master) is not one of them: nothing, and the answer lists the branches that deploy.
        using (var response = await server.Client.SendAsync(SignedDelivery.Signed("push", SignedDelivery.Fixture("push.with-new-branch.json"), "s")))
        {
            var detail = await response.Content.ReadAsStringAsync();
            Assert.Contains("develop → staging", detail, StringComparison.Ordinal);
            Assert.Contains("release → production", detail, StringComparison.Ordinal);
        }

        var queue = server.Get<IJobQueue>();
        Assert.Equal(1, (await queue.StatsAsync("staging", CancellationToken.None)).Waiting);
        Assert.Equal(0, (await queue.StatsAsync("production", CancellationToken.None)).Waiting);
    }
}
