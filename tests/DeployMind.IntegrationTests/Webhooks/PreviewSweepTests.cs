using DeployMind.Application.Jobs;
using DeployMind.Application.Reporting;
using DeployMind.Application.Webhooks;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Persistence;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.IntegrationTests.Webhooks;

/// <summary>The preview sweep on a real store and queue: expired previews get one teardown each; fresh or removed ones none.</summary>
public sealed class PreviewSweepTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
    private readonly EfDeploymentStore _store;
    private readonly EmbeddedJobQueue _queue;
    private readonly PreviewSweep _sweep;

    public PreviewSweepTests()
    {
        var database = Options.Create(new DatabaseOptions { Path = Path.Combine(_folder.Path, "deploymind.db") });
        _store = new EfDeploymentStore(database);
        _queue = new EmbeddedJobQueue(database, Options.Create(new QueueOptions()), _time);
        var options = Options.Create(new ServerOptions
        {
            Previews = { Ttl = "72h" },
            Repositories = { ["acme/shop"] = new RepositoryOptions { Source = "/srv/git/shop.git", Path = "web" } },
        });
        _sweep = new PreviewSweep(_store, new DeploymentIntake(_queue, _store, new NoReporter(), options, _time), options, _time);
    }

    public void Dispose()
    {
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task AnExpiredPreview_GetsOneTeardown_FreshAndRemovedOnesNone()
    {
        await PreviewAsync("acme/shop", 1, hoursAgo: 100);                   // expired
        await PreviewAsync("acme/shop", 2, hoursAgo: 10);                    // fresh
        await PreviewAsync("acme/shop", 3, hoursAgo: 200);
        await PreviewAsync("acme/shop", 3, hoursAgo: 150, teardown: true);   // removed already
        await PreviewAsync("acme/shop", 4, hoursAgo: 200);
        await PreviewAsync("acme/shop", 4, hoursAgo: 1);                     // deployed again since

        var queued = await _sweep.SweepAsync(CancellationToken.None);

        var id = Assert.Single(queued);
        var teardown = await _store.GetAsync(id, CancellationToken.None);
        Assert.Equal((1, true, "preview"), (teardown!.PullRequest, teardown.IsTeardown, teardown.Environment));
        Assert.StartsWith("sweeper: no deploy for 72h", teardown.TriggeredBy, StringComparison.Ordinal);
        var lease = await _queue.TakeAsync("preview", "test", TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.Equal((1, true, "/srv/git/shop.git", "web"), (lease!.Job.PullRequest, lease.Job.Teardown, lease.Job.Repository, lease.Job.Path));
        await _queue.AckAsync(lease, CancellationToken.None);

        // Swept again before the teardown ran: nothing new (the key names the expired deployment).
        Assert.Empty(await _sweep.SweepAsync(CancellationToken.None));
    }

    private async Task PreviewAsync(string repository, int number, int hoursAgo, bool teardown = false)
    {
        var at = _time.GetUtcNow() - TimeSpan.FromHours(hoursAgo);
        var deployment = new Deployment(Guid.NewGuid(), $"shop-pr-{number}", "preview", StrategyKind.Rolling, "webhook:test", at)
        {
            Repository = repository,
            Branch = "feature",
            Commit = new string('a', 40),
            PullRequest = number,
            IsTeardown = teardown,
        };
        foreach (var state in new[] { DeploymentState.Scanning, DeploymentState.Building, DeploymentState.Deploying, DeploymentState.Verifying, DeploymentState.Succeeded })
        {
            deployment.MoveTo(state, "test", at);
        }

        await _store.AddAsync(deployment, CancellationToken.None);
    }
}
