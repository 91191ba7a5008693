using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Application.Webhooks;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.UnitTests.Jobs;

/// <summary>The intake every front door calls: idempotency, the request's mapping, rollbacks' preconditions and cancels.</summary>
public sealed class DeploymentIntakeTests
{
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeDeploymentStore _store = new();
    private readonly FakeJobQueue _queue = new();
    private readonly RecordingReporter _reporter = new();
    private readonly DeploymentIntake _intake;

    public DeploymentIntakeTests()
    {
        var options = Options.Create(new ServerOptions
        {
            Repositories = { ["acme/shop"] = new RepositoryOptions { Source = "/srv/git/shop.git", Path = "web" } },
        });
        _intake = new DeploymentIntake(_queue, _store, _reporter, options, _time);
    }

    [Fact]
    public void IdFor_SameKey_SameId_OtherKey_OtherId()
    {
        Assert.Equal(DeploymentIntake.IdFor("api:release-42"), DeploymentIntake.IdFor("api:release-42"));
        Assert.NotEqual(DeploymentIntake.IdFor("api:release-42"), DeploymentIntake.IdFor("cli:release-42"));
        Assert.Equal(8, DeploymentIntake.IdFor("api:release-42").Version);
    }

    [Fact]
    public async Task SubmitAsync_SameKeyTwice_OneDeploymentOneJob_TheSecondIsAReplay()
    {
        var request = Api("acme/shop") with { IdempotencyKey = "api:release-42" };

        var first = await _intake.SubmitAsync(request, CancellationToken.None);
        var second = await _intake.SubmitAsync(request, CancellationToken.None);

        Assert.Equal((true, false), (first.Added, first.Replayed));
        Assert.Equal((false, true), (second.Added, second.Replayed));
        Assert.Equal(DeploymentIntake.IdFor("api:release-42"), first.Deployment.Id);
        Assert.Equal(first.Deployment.Id, second.Deployment.Id);
        Assert.Equal(first.Deployment.Id, second.Job.Id);
        Assert.Equal(1, _store.Count);
        Assert.Single(_queue.Jobs);
        Assert.Equal((first.Deployment.Id, DeploymentState.Queued), (Assert.Single(_reporter.Reports).Id, _reporter.Reports[0].State));
    }

    [Fact]
    public async Task SubmitAsync_WithoutKey_RecordsANewDeploymentEachTime()
    {
        var first = await _intake.SubmitAsync(Api("acme/shop"), CancellationToken.None);
        var second = await _intake.SubmitAsync(Api("acme/shop"), CancellationToken.None);

        Assert.NotEqual(first.Deployment.Id, second.Deployment.Id);
        Assert.True(first.Added && second.Added && !first.Replayed && !second.Replayed);
        Assert.Equal(2, _store.Count);
        Assert.Equal(2, _queue.Jobs.Count);
    }

    [Theory]
    [InlineData("repository")]
    [InlineData("environment")]
    [InlineData("pull request")]
    [InlineData("teardown")]
    [InlineData("rollback")]
    public async Task SubmitAsync_KeyReusedForAnotherRequest_IsRefused_AndQueuesNothing(string change)
    {
        var request = Api("acme/shop") with { IdempotencyKey = "api:release-42" };
        var first = await _intake.SubmitAsync(request, CancellationToken.None);
        var other = change switch
        {
            "repository" => request with { Repository = "acme/billing" },
            "environment" => request with { Environment = "staging" },
            "pull request" => request with { PullRequest = 7 },
            "teardown" => request with { Teardown = true },
            _ => request with { RollbackOf = Guid.NewGuid() },
        };

        var refused = await Assert.ThrowsAsync<IdempotencyKeyReusedException>(() => _intake.SubmitAsync(other, CancellationToken.None));

        Assert.Equal(first.Deployment.Id, refused.Existing.Id);
        Assert.Equal("api:release-42", refused.Key);
        Assert.Equal(
            $"The idempotency key 'api:release-42' was used for another request: deployment {first.Deployment.ShortId()} (of acme/shop to production). Use a new key for a new request.",
            refused.Message);
        Assert.Equal(1, _store.Count);
        Assert.Single(_queue.Jobs);
    }

    [Fact]
    public async Task SubmitAsync_SameKeyRecordedMeanwhile_GivesTheFirstRecord_AndOneJob()
    {
        var request = Webhook() with { IdempotencyKey = "github:delivery-1" };
        _store.BeforeNextAdd = async () => await _intake.SubmitAsync(request, CancellationToken.None);

        var second = await _intake.SubmitAsync(request, CancellationToken.None);

        Assert.True(second.Replayed);
        Assert.False(second.Added);
        Assert.Equal(DeploymentIntake.IdFor("github:delivery-1"), second.Deployment.Id);
        Assert.Equal(1, _store.Count);
        Assert.Single(_queue.Jobs);
    }

    [Fact]
    public async Task SubmitAsync_MapsARequest_ToItsDeploymentAndJob_InOnePlace()
    {
        var request = Webhook() with { IdempotencyKey = "github:delivery-1" };

        var result = await _intake.SubmitAsync(request, CancellationToken.None);

        var recorded = await _store.GetAsync(result.Deployment.Id, CancellationToken.None);
        Assert.NotNull(recorded);
        Assert.Equal(
            ("shop", "production", StrategyKind.Rolling, "webhook:push by octocat", "acme/shop", "main", Commit, DeploymentState.Queued, _time.GetUtcNow()),
            (recorded.App, recorded.Environment, recorded.Strategy, recorded.TriggeredBy, recorded.Repository, recorded.Branch, recorded.Commit, recorded.State, recorded.CreatedAt));
        var job = Assert.Single(_queue.Jobs);
        Assert.Equal(result.Job, job);
        Assert.Equal(
            (recorded.Id, "production", JobPriority.Webhook, "github:delivery-1", "/srv/git/shop.git", Commit, "web", "main", "webhook:push by octocat", _time.GetUtcNow()),
            (job.Id, job.Environment, job.Priority, job.IdempotencyKey, job.Repository, job.Ref, job.Path, job.Branch, job.TriggeredBy, job.EnqueuedAt));
        Assert.Empty(job.Targets);
        Assert.Null(job.Strategy);
    }

    [Fact]
    public async Task SubmitAsync_SourceAndFolder_TheRequestsFirst_ThenServerRepositories_ThenTheCloneUrl_ThenTheRepository()
    {
        var explicitly = await _intake.SubmitAsync(Api("acme/shop") with { Source = "/home/me/shop", Path = "api" }, CancellationToken.None);
        var configured = await _intake.SubmitAsync(Webhook() with { CloneUrl = "https://github.com/acme/shop.git" }, CancellationToken.None);
        var cloneUrl = await _intake.SubmitAsync(Webhook() with { Repository = "acme/blog", CloneUrl = "https://github.com/acme/blog.git" }, CancellationToken.None);
        var asRecorded = await _intake.SubmitAsync(Api("acme/blog"), CancellationToken.None);

        Assert.Equal(("/home/me/shop", "api"), (explicitly.Job.Repository, explicitly.Job.Path));
        Assert.Equal(("/srv/git/shop.git", "web"), (configured.Job.Repository, configured.Job.Path));
        Assert.Equal(("https://github.com/acme/blog.git", "."), (cloneUrl.Job.Repository, cloneUrl.Job.Path));
        Assert.Equal(("acme/blog", "."), (asRecorded.Job.Repository, asRecorded.Job.Path));
        Assert.Equal("acme/shop", explicitly.Deployment.Repository);
    }

    [Fact]
    public async Task SubmitAsync_APersonsRequest_CarriesItsChoices_AndNoBranchToCheck()
    {
        var request = Api("https://git.example.com/acme/web.shop.git") with
        {
            Ref = "v1.4.2",
            Branch = "v1.4.2",
            Strategy = StrategyKind.BlueGreen,
            Host = "ssh://deploy@web-1:22",
            Port = 8081,
            Tag = "shop:1.4.2",
            NoCache = true,
            AllowFindings = true,
            Targets = ["docker:web-1"],
        };

        var result = await _intake.SubmitAsync(request, CancellationToken.None);

        Assert.Equal(("web-shop", StrategyKind.BlueGreen, "v1.4.2", (string?)null), (result.Deployment.App, result.Deployment.Strategy, result.Deployment.Branch, result.Deployment.Commit));
        var job = result.Job;
        Assert.Equal(("v1.4.2", "blue-green", "ssh://deploy@web-1:22", 8081, "shop:1.4.2", true, true), (job.Ref, job.Strategy, job.Host, job.Port, job.Tag, job.NoCache, job.AllowFindings));
        Assert.Equal(["docker:web-1"], job.Targets);
        Assert.Equal(JobPriority.Manual, job.Priority);
        Assert.Null(job.Branch);
    }

    [Fact]
    public async Task SubmitAsync_RecordedStrategy_IsWhatTheFrontDoorKnows_TheJobOnlyCarriesTheOverride()
    {
        var result = await _intake.SubmitAsync(Api("acme/shop") with { App = "shop-web", RecordedStrategy = StrategyKind.Canary }, CancellationToken.None);

        Assert.Equal(("shop-web", StrategyKind.Canary), (result.Deployment.App, result.Deployment.Strategy));
        Assert.Null(result.Job.Strategy);
    }

    [Fact]
    public async Task SubmitAsync_RecordsUnreachable_IsQueueUnavailable_AndQueuesNothing()
    {
        _store.Unreachable = new InvalidOperationException("connection refused");

        var ex = await Assert.ThrowsAsync<QueueUnavailableException>(() => _intake.SubmitAsync(Api("acme/shop") with { IdempotencyKey = "api:k" }, CancellationToken.None));

        Assert.Equal("the deployment records (memory) are not reachable: connection refused", ex.Message);
        Assert.Equal(DeploymentIntake.IdFor("api:k"), ex.DeploymentId);
        Assert.Empty(_queue.Jobs);
        Assert.Empty(_reporter.Reports);
    }

    [Fact]
    public async Task SubmitAsync_QueueDown_IsQueueUnavailable_TheRecordSaysSo_AndTheSameKeyLaterQueuesIt()
    {
        var request = Api("acme/shop") with { IdempotencyKey = "api:k" };
        _queue.Unreachable = new InvalidOperationException("redis: connection refused");

        var ex = await Assert.ThrowsAsync<QueueUnavailableException>(() => _intake.SubmitAsync(request, CancellationToken.None));

        Assert.Equal("the job queue is not reachable: redis: connection refused", ex.Message);
        var recorded = await _store.GetAsync(DeploymentIntake.IdFor("api:k"), CancellationToken.None);
        Assert.Equal("could not be queued yet: redis: connection refused", recorded!.Events[^1].Detail);
        Assert.Empty(_reporter.Reports);

        _queue.Unreachable = null;
        var retried = await _intake.SubmitAsync(request, CancellationToken.None);

        Assert.Equal((true, true), (retried.Added, retried.Replayed));
        Assert.Single(_queue.Jobs);
        Assert.Single(_reporter.Reports);
    }

    [Theory]
    [InlineData(DeploymentState.Failed, false, RollbackRefusal.NeverReachedHosts, "never reached its hosts (failed: the build failed)")]
    [InlineData(DeploymentState.Succeeded, false, RollbackRefusal.NeverReachedHosts, "never reached its hosts (succeeded)")]
    [InlineData(DeploymentState.Verifying, true, RollbackRefusal.StillRunning, "is verifying: cancel it or wait until it is finished")]
    [InlineData(DeploymentState.Succeeded, true, RollbackRefusal.NoRepository, "was deployed from a folder, not a repository")]
    public async Task RollbackAsync_Preconditions_AreRefusedWithWhy_AndQueueNothing(DeploymentState state, bool withRelease, RollbackRefusal refusal, string why)
    {
        var of = await RecordAsync(state, withRelease, repository: refusal == RollbackRefusal.NoRepository ? null : "acme/shop");

        var refused = await Assert.ThrowsAsync<RollbackRefusedException>(() => _intake.RollbackAsync(of, "api:ops", null, CancellationToken.None));

        Assert.Equal(refusal, refused.Refusal);
        Assert.Equal(of.Id, refused.Of.Id);
        Assert.Contains($"Deployment {of.ShortId()} {why}", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, _store.Count);
        Assert.Empty(_queue.Jobs);
    }

    [Fact]
    public async Task RollbackAsync_OfAFinishedDeployment_QueuesARollback_WithItsAppEnvironmentAndStrategy()
    {
        var of = await RecordAsync(DeploymentState.Succeeded, withRelease: true, strategy: StrategyKind.Canary, environment: "staging");

        var result = await _intake.RollbackAsync(of, "api:ops", "api:undo-1", CancellationToken.None);

        var rollback = result.Deployment;
        Assert.Equal(
            (DeploymentIntake.IdFor("api:undo-1"), (Guid?)of.Id, "shop", "staging", StrategyKind.Canary, "api:ops", "acme/shop", "main", (string?)null),
            (rollback.Id, rollback.RollbackOf, rollback.App, rollback.Environment, rollback.Strategy, rollback.TriggeredBy, rollback.Repository, rollback.Branch, rollback.Commit));
        var job = Assert.Single(_queue.Jobs);
        Assert.Equal(
            ((Guid?)of.Id, "/srv/git/shop.git", Commit, "web", JobPriority.Manual, (string?)null, (string?)null),
            (job.RollbackOf, job.Repository, job.Ref, job.Path, job.Priority, job.Strategy, job.Branch));
    }

    [Fact]
    public async Task RollbackAsync_SameKeyTwice_OneRollback_TheKeyOfADeployment_IsRefused()
    {
        var of = await RecordAsync(DeploymentState.Succeeded, withRelease: true);
        await _intake.SubmitAsync(Api("acme/shop") with { IdempotencyKey = "api:deploy-1" }, CancellationToken.None);

        var first = await _intake.RollbackAsync(of, "api:ops", "api:undo-1", CancellationToken.None);
        var again = await _intake.RollbackAsync(of, "api:ops", "api:undo-1", CancellationToken.None);
        var reused = await Assert.ThrowsAsync<IdempotencyKeyReusedException>(() => _intake.RollbackAsync(of, "api:ops", "api:deploy-1", CancellationToken.None));

        Assert.Equal((first.Deployment.Id, false, true), (again.Deployment.Id, again.Added, again.Replayed));
        Assert.Null(reused.Existing.RollbackOf);
        Assert.Equal(3, _store.Count);
        Assert.Equal(2, _queue.Jobs.Count);
    }

    [Fact]
    public async Task CancelAsync_Queued_IsCancelledAtOnce()
    {
        var queued = await RecordAsync(DeploymentState.Queued);

        var result = await _intake.CancelAsync(queued.Id, "api:ops", CancellationToken.None);

        Assert.False(result.Requested);
        Assert.Equal(DeploymentState.Cancelled, result.Deployment.State);
        var recorded = await _store.GetAsync(queued.Id, CancellationToken.None);
        Assert.Equal((DeploymentState.Cancelled, "cancelled by api:ops"), (recorded!.State, recorded.Events[^1].Detail));
        Assert.False(await _store.IsCancelRequestedAsync(queued.Id, CancellationToken.None));
    }

    [Fact]
    public async Task CancelAsync_Running_AsksItsWorkerToStopIt()
    {
        var running = await RecordAsync(DeploymentState.Building);

        var result = await _intake.CancelAsync(running.Id, "api:ops", CancellationToken.None);

        Assert.True(result.Requested);
        Assert.Equal(DeploymentState.Building, result.Deployment.State);
        Assert.True(await _store.IsCancelRequestedAsync(running.Id, CancellationToken.None));
        Assert.Equal(DeploymentState.Building, (await _store.GetAsync(running.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task CancelAsync_QueuedButTakenByAWorkerMeanwhile_AsksThatWorkerToStopIt()
    {
        var queued = await RecordAsync(DeploymentState.Queued);
        _store.BeforeNextSave = async () =>
        {
            var taken = await _store.GetAsync(queued.Id, CancellationToken.None);
            taken!.MoveTo(DeploymentState.Scanning, "taken by worker-1", _time.GetUtcNow());
            await _store.SaveAsync(taken, CancellationToken.None);
        };

        var result = await _intake.CancelAsync(queued.Id, "api:ops", CancellationToken.None);

        Assert.True(result.Requested);
        Assert.Equal(DeploymentState.Scanning, result.Deployment.State);
        Assert.True(await _store.IsCancelRequestedAsync(queued.Id, CancellationToken.None));
    }

    [Fact]
    public async Task CancelAsync_Finished_IsRefused_AndRequestsNothing()
    {
        var finished = await RecordAsync(DeploymentState.Succeeded);

        var refused = await Assert.ThrowsAsync<CancelRefusedException>(() => _intake.CancelAsync(finished.Id, "api:ops", CancellationToken.None));

        Assert.Equal($"Deployment {finished.ShortId()} is already succeeded: there is nothing to cancel.", refused.Message);
        Assert.False(await _store.IsCancelRequestedAsync(finished.Id, CancellationToken.None));
    }

    [Fact]
    public async Task CancelAsync_Unknown_IsNotFound() =>
        await Assert.ThrowsAsync<DeploymentNotFoundException>(() => _intake.CancelAsync(Guid.NewGuid(), "api:ops", CancellationToken.None));

    private static DeploymentRequest Api(string repository) => new()
    {
        Environment = "production",
        TriggeredBy = "api:ci",
        Repository = repository,
        Ref = "main",
        Branch = "main",
    };

    private static DeploymentRequest Webhook() => new()
    {
        Environment = "production",
        TriggeredBy = "webhook:push by octocat",
        Repository = "acme/shop",
        Commit = Commit,
        Branch = "main",
        Priority = JobPriority.Webhook,
    };

    /// <summary>A deployment recorded straight in the store and moved along the happy path up to <paramref name="state"/> (or failed at the build).</summary>
    private async Task<Deployment> RecordAsync(
        DeploymentState state, bool withRelease = false, string? repository = "acme/shop", StrategyKind strategy = StrategyKind.Rolling, string environment = "production")
    {
        var now = _time.GetUtcNow();
        var deployment = new Deployment(Guid.NewGuid(), "shop", environment, strategy, "cli:test", now)
        {
            Repository = repository,
            Branch = "main",
            Commit = Commit,
        };
        await _store.AddAsync(deployment, CancellationToken.None);
        if (state == DeploymentState.Failed)
        {
            deployment.MoveTo(DeploymentState.Scanning, "scanning", now);
            deployment.MoveTo(DeploymentState.Building, "building", now);
            deployment.Fail(PipelineStage.Build, "the build failed", now);
        }
        else
        {
            foreach (var next in new[] { DeploymentState.Scanning, DeploymentState.Building, DeploymentState.Deploying, DeploymentState.Verifying, DeploymentState.Succeeded }.TakeWhile(s => s <= state))
            {
                deployment.MoveTo(next, $"entered {next.Name()}", now);
                if (next == DeploymentState.Deploying && withRelease)
                {
                    deployment.RecordRelease("20261206-0800-abc", "docker:local", null);
                }
            }
        }

        await _store.SaveAsync(deployment, CancellationToken.None);
        return deployment;
    }
}
