using DeployMind.Application.Webhooks;

namespace DeployMind.UnitTests.Webhooks;

public sealed class ServerOptionsValidatorTests
{
    [Fact]
    public void TheDefaults_AreValid() => Assert.Empty(ServerOptionsValidator.Problems(new ServerOptions()));

    [Fact]
    public void EveryProblem_IsReported_NamingItsKey()
    {
        var options = new ServerOptions
        {
            Urls = "tcp://0:1",
            MaxWebhookBytes = 10,
            Previews = { Ttl = "soon", SweepInterval = "0s", Environment = "pre view" },
            Workers = { Concurrency = 0, Environments = ["prod;uction"] },
            Repositories = { ["no-slash"] = new RepositoryOptions { Branches = new() { ["main"] = "prod uction" } } },
        };

        var problems = ServerOptionsValidator.Problems(options);

        Assert.Collection(
            problems,
            p => Assert.StartsWith("server.urls: 'tcp://0:1'", p, StringComparison.Ordinal),
            p => Assert.StartsWith("server.maxWebhookBytes: 10", p, StringComparison.Ordinal),
            p => Assert.StartsWith("server.previews.ttl: 'soon' is not a duration", p, StringComparison.Ordinal),
            p => Assert.Equal("server.previews.sweepInterval: must be longer than zero.", p),
            p => Assert.StartsWith("server.previews.environment: 'pre view'", p, StringComparison.Ordinal),
            p => Assert.StartsWith("server.workers.environments: 'prod;uction'", p, StringComparison.Ordinal),
            p => Assert.StartsWith("server.workers.concurrency: 0", p, StringComparison.Ordinal),
            p => Assert.StartsWith("server.repositories.\"no-slash\": repositories are named owner/name", p, StringComparison.Ordinal),
            p => Assert.StartsWith("server.repositories.\"no-slash\".branches.main: 'prod uction'", p, StringComparison.Ordinal));
    }

    [Fact]
    public void RotationSecrets_ComeFromTheVariablesFirst_ThenTheSettings_WithoutDuplicates()
    {
        var options = new ServerOptions { WebhookSecret = "from-settings", PreviousWebhookSecret = "old" };
        var variables = new Dictionary<string, string?> { ["GITHUB_WEBHOOK_SECRET"] = "from-variable", ["GITHUB_WEBHOOK_SECRET_PREVIOUS"] = "from-variable" };

        Assert.Equal(["from-variable"], options.WebhookSecrets(v => variables.GetValueOrDefault(v)));
        Assert.Equal(["from-settings", "old"], options.WebhookSecrets(_ => null));
        Assert.Empty(new ServerOptions().WebhookSecrets(_ => null));
    }
}
