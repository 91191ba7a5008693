using System.Globalization;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using DeployMind.Domain.Findings;
using DeployMind.Infrastructure.Persistence;

namespace DeployMind.IntegrationTests.Persistence;

/// <summary>The store's contract, run on a SQLite file and on a real PostgreSQL server.</summary>
public abstract class DeploymentStoreTests<TTarget> : IAsyncLifetime
    where TTarget : IStoreTarget, new()
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    protected TTarget Target { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Target.DisposeAsync();

    [Fact]
    public async Task AddThenGet_FromAnotherStore_RestoresEveryFieldAndTheTimeline()
    {
        var deployment = New("shop-api", "production", T0);
        Run(deployment, T0, succeed: true);
        await Target.Open().AddAsync(deployment, CancellationToken.None);

        var loaded = await Target.Open().GetAsync(deployment.Id, CancellationToken.None);

        Assert.NotNull(loaded);
        Assert.Equal(DeploymentState.Succeeded, loaded.State);
        Assert.Equal(deployment.Version, loaded.Version);
        Assert.Equal(("acme/shop-api", "main", "0123456789abcdef0123456789abcdef01234567"), (loaded.Repository, loaded.Branch, loaded.Commit));
        Assert.Equal(("shop-api:0123456789ab", 42.5, "BuildKit (docker buildx)"), (loaded.ImageTag, loaded.ImageSizeMb, loaded.ImageBuilder));
        Assert.Equal(("20261127-r1", "local", "http://127.0.0.1:8080/"), (loaded.ReleaseId, loaded.Target, loaded.Url));
        Assert.Equal((3, 3, 100), (loaded.HealthChecksPassed!.Value, loaded.HealthChecksRequired!.Value, loaded.CanaryPercentReached!.Value));
        Assert.Equal(Figures, loaded.CanaryFigures);
        Assert.Equal(StrategyKind.Canary, loaded.Strategy);
        Assert.Equal("cli:alice", loaded.TriggeredBy);
        Assert.Equal(deployment.CreatedAt, loaded.CreatedAt);
        Assert.Equal(deployment.Events, loaded.Events);
    }

    [Fact]
    public async Task Releases_OfOneAppAndEnvironment_NewestFirst_WithHowEachEnded_WithoutTeardownsOrUnreleased()
    {
        var store = Target.Open();
        var good = New("shop", "production", T0);
        Run(good, T0, succeed: true);
        var bad = New("shop", "production", T0.AddMinutes(1));
        Run(bad, T0.AddMinutes(1), succeed: false);
        var unreleased = New("shop", "production", T0.AddMinutes(2));
        var otherEnvironment = New("shop", "staging", T0.AddMinutes(3));
        Run(otherEnvironment, T0.AddMinutes(3), succeed: true);
        var teardown = new Deployment(Guid.NewGuid(), "shop", "production", StrategyKind.Rolling, "webhook", T0.AddMinutes(4)) { IsTeardown = true };
        teardown.MoveTo(DeploymentState.Deploying, "removing", T0.AddMinutes(4));
        teardown.RecordRelease("teardown", "local", null);
        foreach (var d in new[] { good, bad, unreleased, otherEnvironment, teardown })
        {
            await store.AddAsync(d, CancellationToken.None);
        }

        var releases = await Target.Open().ReleasesAsync("shop", "production", 10, CancellationToken.None);

        Assert.Equal(
            [("20261127-r1", DeploymentState.Failed), ("20261127-r1", DeploymentState.Succeeded)],
            releases.Select(r => (r.ReleaseId, r.State)));
        Assert.Equal(bad.UpdatedAt, releases[0].UpdatedAt);
        Assert.Single(await store.ReleasesAsync("shop", "production", 1, CancellationToken.None));
    }

    [Fact]
    public async Task Save_AppendsNewEventsAndFailure()
    {
        var store = Target.Open();
        var deployment = New("api", "staging", T0);
        await store.AddAsync(deployment, CancellationToken.None);
        deployment.MoveTo(DeploymentState.Scanning, "Scan started", T0.AddSeconds(1));
        await store.SaveAsync(deployment, CancellationToken.None);
        deployment.Fail(PipelineStage.Scan, "1 blocking finding(s): DMS001 at settings.env:1", T0.AddSeconds(2));
        await store.SaveAsync(deployment, CancellationToken.None);

        var loaded = (await Target.Open().GetAsync(deployment.Id, CancellationToken.None))!;

        Assert.Equal(DeploymentState.Failed, loaded.State);
        Assert.Equal(PipelineStage.Scan, loaded.FailedStage);
        Assert.Equal("1 blocking finding(s): DMS001 at settings.env:1", loaded.Reason);
        Assert.Equal([DeploymentState.Scanning, DeploymentState.Failed], loaded.Events.Select(e => e.To));
    }

    [Fact]
    public async Task Save_AfterAnotherWriterChangedIt_IsRefusedAndKeepsTheOtherWrite()
    {
        var deployment = New("api", "production", T0);
        await Target.Open().AddAsync(deployment, CancellationToken.None);
        var (storeA, storeB) = (Target.Open(), Target.Open());
        var a = (await storeA.GetAsync(deployment.Id, CancellationToken.None))!;
        var b = (await storeB.GetAsync(deployment.Id, CancellationToken.None))!;

        a.MoveTo(DeploymentState.Scanning, "worker A", T0.AddSeconds(1));
        await storeA.SaveAsync(a, CancellationToken.None);
        b.MoveTo(DeploymentState.Cancelled, "worker B", T0.AddSeconds(2));
        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => storeB.SaveAsync(b, CancellationToken.None));

        Assert.Contains(deployment.Id.ToString(), conflict.Message, StringComparison.Ordinal);
        var stored = (await Target.Open().GetAsync(deployment.Id, CancellationToken.None))!;
        Assert.Equal(DeploymentState.Scanning, stored.State);
        Assert.Equal(["worker A"], stored.Events.Select(e => e.Detail));
    }

    [Fact]
    public async Task List_FiltersByRepositoryEnvironmentAppAndState_NewestFirst_UpToTheLimit()
    {
        var store = Target.Open();
        for (var i = 0; i < 6; i++)
        {
            var d = New(i % 2 == 0 ? "shop-api" : "billing", i < 3 ? "production" : "staging", T0.AddMinutes(i), repository: i % 2 == 0 ? "acme/shop-api" : "acme/billing");
            Run(d, T0.AddMinutes(i), succeed: i != 4);
            await store.AddAsync(d, CancellationToken.None);
        }

        var all = await store.ListAsync(new DeploymentQuery { Limit = 100 }, CancellationToken.None);
        var shop = await store.ListAsync(new DeploymentQuery { Repository = "acme/shop-api" }, CancellationToken.None);
        var staging = await store.ListAsync(new DeploymentQuery { Environment = "staging", App = "shop-api" }, CancellationToken.None);
        var failed = await store.ListAsync(new DeploymentQuery { State = DeploymentState.Failed }, CancellationToken.None);
        var two = await store.ListAsync(new DeploymentQuery { Limit = 2 }, CancellationToken.None);
        var before = await store.ListAsync(new DeploymentQuery { Before = T0.AddMinutes(2) }, CancellationToken.None);

        Assert.Equal(6, all.Count);
        Assert.Equal(all.OrderByDescending(d => d.CreatedAt).Select(d => d.Id), all.Select(d => d.Id));
        Assert.Equal([4, 2, 0], shop.Select(d => d.CreatedAt.Minute));
        Assert.Equal([4], staging.Select(d => d.CreatedAt.Minute));
        Assert.Equal([4], failed.Select(d => d.CreatedAt.Minute));
        Assert.Equal([5, 4], two.Select(d => d.CreatedAt.Minute));
        Assert.Equal([1, 0], before.Select(d => d.CreatedAt.Minute));
    }

    [Fact]
    public async Task FindByPrefix_FindsByTheFirstCharacters_AndLookupExplainsMissesAndAmbiguity()
    {
        var store = Target.Open();
        var one = New("api", "production", T0, id: Guid.Parse("3f2a1b9c-0000-4000-8000-000000000001"));
        var two = New("api", "production", T0.AddSeconds(1), id: Guid.Parse("3f2a1b9d-0000-4000-8000-000000000002"));
        await store.AddAsync(one, CancellationToken.None);
        await store.AddAsync(two, CancellationToken.None);

        Assert.Equal(one.Id, (await store.FindAsync("3f2a1b9c", CancellationToken.None)).Id);
        Assert.Equal(two.Id, (await store.FindAsync("3F2A1B9D", CancellationToken.None)).Id);
        Assert.Equal(two.Id, (await store.FindAsync(two.Id.ToString(), CancellationToken.None)).Id);
        var ambiguous = await Assert.ThrowsAsync<DeploymentNotFoundException>(() => store.FindAsync("3f2a", CancellationToken.None));
        Assert.Contains("more than one", ambiguous.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<DeploymentNotFoundException>(() => store.FindAsync("abcdef12", CancellationToken.None));
        Assert.Contains("deploymind list", missing.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<DeploymentNotFoundException>(() => store.FindAsync("not-an-id!", CancellationToken.None));
    }

    [Fact]
    public async Task Log_IsReadInOrderAfterASequence_AndOnlyForItsDeployment()
    {
        var store = Target.Open();
        var (a, b) = (New("api", "production", T0), New("api", "production", T0.AddSeconds(1)));
        await store.AddAsync(a, CancellationToken.None);
        await store.AddAsync(b, CancellationToken.None);
        await store.AppendLogAsync(a.Id, [.. Enumerable.Range(1, 5).Select(i => new LogEntry(T0.AddSeconds(i), "build", $"Step {i}/5"))], CancellationToken.None);
        await store.AppendLogAsync(b.Id, [new LogEntry(T0, "deploy", "other deployment")], CancellationToken.None);
        await store.AppendLogAsync(a.Id, [new LogEntry(T0.AddSeconds(9), "deploy", "local: switched")], CancellationToken.None);

        var first = await Target.Open().ReadLogAsync(a.Id, 0, 3, CancellationToken.None);
        var rest = await Target.Open().ReadLogAsync(a.Id, first[^1].Sequence, 100, CancellationToken.None);

        Assert.Equal(["Step 1/5", "Step 2/5", "Step 3/5"], first.Select(l => l.Text));
        Assert.Equal(["Step 4/5", "Step 5/5", "local: switched"], rest.Select(l => l.Text));
        Assert.Equal("deploy", rest[^1].Stage);
        Assert.Equal(T0.AddSeconds(9), rest[^1].At);
        Assert.Empty(await store.ReadLogAsync(a.Id, rest[^1].Sequence, 100, CancellationToken.None));
    }

    [Fact]
    public async Task Findings_AreReplacedPerSource()
    {
        var store = Target.Open();
        var d = New("api", "production", T0);
        await store.AddAsync(d, CancellationToken.None);
        var secret = new RecordedFinding("repository", "DMS001", "AWS access key id", Severity.Critical, SecurityFindingKind.Secret, "settings.env", 3, 19, "AWS_ACCESS_KEY_ID=AKIA****************", true);
        var cve = new RecordedFinding("image", "CVE-2026-0001", "openssl 3.0.1 → fixed in 3.0.2", Severity.High, SecurityFindingKind.Vulnerability, "debian 12", 0, 0, "openssl@3.0.1", false);

        await store.SaveFindingsAsync(d.Id, "repository", [secret, secret with { Line = 4 }], CancellationToken.None);
        await store.SaveFindingsAsync(d.Id, "image", [cve], CancellationToken.None);
        await store.SaveFindingsAsync(d.Id, "repository", [secret], CancellationToken.None);

        var findings = await Target.Open().GetFindingsAsync(d.Id, CancellationToken.None);
        Assert.Equal(2, findings.Count);
        Assert.Contains(secret, findings);
        Assert.Contains(cve, findings);
    }

    [Fact]
    public async Task Explanations_KeepTheirOrderAndFieldsAndAreReplacedWhole()
    {
        var store = Target.Open();
        var d = New("api", "production", T0);
        await store.AddAsync(d, CancellationToken.None);
        var scan = new RecordedExplanation("scan", "security-agent", "The scan read 12 file(s) and found nothing.", [], "none", "rules");
        var build = new RecordedExplanation("build", "build-agent", "Built in 31s.", ["Use a slim base image.", "Pin apt versions."], "halt", "llama-3.3-70b-versatile");

        await store.SaveExplanationsAsync(d.Id, [scan], CancellationToken.None);
        await store.SaveExplanationsAsync(d.Id, [scan, build], CancellationToken.None);

        var explanations = await Target.Open().GetExplanationsAsync(d.Id, CancellationToken.None);
        Assert.Equal(2, explanations.Count);
        Assert.Equal((scan.Stage, scan.Agent, scan.Text, scan.Verdict, scan.Model), (explanations[0].Stage, explanations[0].Agent, explanations[0].Text, explanations[0].Verdict, explanations[0].Model));
        Assert.Empty(explanations[0].Recommendations);
        Assert.Equal(build.Recommendations, explanations[1].Recommendations);
        Assert.Equal(("halt", "llama-3.3-70b-versatile"), (explanations[1].Verdict, explanations[1].Model));
        Assert.Empty(await store.GetExplanationsAsync(Guid.NewGuid(), CancellationToken.None));
    }

    [Fact]
    public async Task CanarySteps_KeepTheirFiguresAndOrderAndAreReplacedWhole()
    {
        var store = Target.Open();
        var d = New("api", "production", T0);
        await store.AddAsync(d, CancellationToken.None);
        var first = new RecordedCanaryStep(10, "insufficient_data", "canary.minRequests", "need 412 more canary requests, about 3 min",
            new RecordedUpstream(88, 1, 41.5), new RecordedUpstream(912, 9, 39), 0.088, 0.05, 0.01, null, 0.2);
        var second = first with { Verdict = "healthy", Rule = "comparison", Canary = new RecordedUpstream(500, 2, 40), ObservedShare = 0.1, MaxP95Milliseconds = 800 };
        var third = first with { Percent = 50, Verdict = "unhealthy", Rule = "canary.maxErrorRateIncrease", Canary = new RecordedUpstream(700, 70, 45), ObservedShare = 0.5 };

        await store.SaveCanaryStepsAsync(d.Id, [first], CancellationToken.None);
        await store.SaveCanaryStepsAsync(d.Id, [first, second, third], CancellationToken.None);

        var steps = await Target.Open().GetCanaryStepsAsync(d.Id, CancellationToken.None);
        Assert.Equal([first, second, third], steps);
        Assert.Equal(0.1, steps[2].Canary.ErrorRate, 6);
        Assert.Empty(await store.GetCanaryStepsAsync(Guid.NewGuid(), CancellationToken.None));
    }

    [Fact]
    public async Task List_FiltersByBranchAndWhoTriggered_AndCanLeaveTheTimelinesOut()
    {
        var store = Target.Open();
        var main = New("web", "production", T0);
        main.Note("queued by hand", T0);
        var feature = new Deployment(Guid.NewGuid(), "web", "production", StrategyKind.Rolling, "dashboard:alice", T0.AddMinutes(1)) { Branch = "feature/x" };
        await store.AddAsync(main, CancellationToken.None);
        await store.AddAsync(feature, CancellationToken.None);

        Assert.Equal([main.Id], (await store.ListAsync(new DeploymentQuery { App = "web", Branch = "main" }, CancellationToken.None)).Select(x => x.Id));
        Assert.Equal([feature.Id], (await store.ListAsync(new DeploymentQuery { App = "web", TriggeredBy = "dashboard:" }, CancellationToken.None)).Select(x => x.Id));
        Assert.Empty(await store.ListAsync(new DeploymentQuery { App = "web", TriggeredBy = "dashboard:%" }, CancellationToken.None));
        var rows = await store.ListAsync(new DeploymentQuery { App = "web", WithTimeline = false }, CancellationToken.None);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Empty(r.Events));
        Assert.NotEmpty((await store.ListAsync(new DeploymentQuery { App = "web" }, CancellationToken.None)).Single(x => x.Id == main.Id).Events);
    }

    [Fact]
    public async Task ParallelWriters_OnSeparateStores_LoseNothing()
    {
        // Four stores (separate connection pools, as separate processes would have) each run 15 deployments through
        // every state with log lines, all at once.
        const int writers = 4, each = 15;
        await Target.Open().EnsureReadyAsync(CancellationToken.None);
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var store = Target.Open();
            for (var i = 0; i < each; i++)
            {
                var at = T0.AddSeconds((w * each) + i);
                var d = New($"app-{w}", "production", at);
                await store.AddAsync(d, CancellationToken.None);
                foreach (var (state, detail) in new[] { (DeploymentState.Scanning, "scan"), (DeploymentState.Building, "build"), (DeploymentState.Deploying, "deploy"), (DeploymentState.Verifying, "verify"), (DeploymentState.Succeeded, "done") })
                {
                    d.MoveTo(state, detail, at);
                    await store.AppendLogAsync(d.Id, [new LogEntry(at, "pipeline", string.Create(CultureInfo.InvariantCulture, $"{w}/{i} {detail}"))], CancellationToken.None);
                    await store.SaveAsync(d, CancellationToken.None);
                }
            }
        })));

        var all = await Target.Open().ListAsync(new DeploymentQuery { Limit = 1000 }, CancellationToken.None);
        Assert.Equal(writers * each, all.Count);
        Assert.All(all, d => Assert.Equal(DeploymentState.Succeeded, d.State));
        Assert.All(all, d => Assert.Equal(5, d.Events.Count));
        foreach (var d in all.Take(5))
        {
            Assert.Equal(5, (await Target.Open().ReadLogAsync(d.Id, 0, 100, CancellationToken.None)).Count);
        }
    }

    [Fact]
    public async Task TryAdd_ManyAtOnce_WithRepeatedIds_StoresEachIdOnce_AndOnlyTheFirstOfEachIsAdded()
    {
        // 60 adds at once (they are written in batches), 20 ids three times each: one of each id is added, the others
        // are told it exists; an id recorded before the burst is never added again; AddAsync of an existing id throws.
        var store = Target.Open();
        await store.EnsureReadyAsync(CancellationToken.None);
        var before = New("shop", "production", T0);
        await store.AddAsync(before, CancellationToken.None);
        var ids = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).Append(before.Id).ToList();
        var adds = ids.SelectMany(id => Enumerable.Range(0, 3).Select(copy => (Id: id, Copy: copy))).ToList();

        var results = await Task.WhenAll(adds.Select(a => Task.Run(() => store.TryAddAsync(New("shop", "production", T0.AddSeconds(a.Copy), a.Id), CancellationToken.None))));

        var added = adds.Zip(results).Where(x => x.Second).Select(x => x.First.Id).ToList();
        Assert.Equal(ids.Take(20).Order(), added.Order());
        var all = await Target.Open().ListAsync(new DeploymentQuery { Limit = 1000 }, CancellationToken.None);
        Assert.Equal(21, all.Count);
        await Assert.ThrowsAsync<DeploymentExistsException>(() => store.AddAsync(New("shop", "production", T0, before.Id), CancellationToken.None));

        // What was added is saved like any other deployment (the store knows its version).
        var one = await store.GetAsync(ids[0], CancellationToken.None);
        one!.MoveTo(DeploymentState.Scanning, "scan", T0.AddMinutes(1));
        await store.SaveAsync(one, CancellationToken.None);
        Assert.Equal(DeploymentState.Scanning, (await Target.Open().GetAsync(ids[0], CancellationToken.None))!.State);
    }

    [Fact]
    public async Task BatchedWrites_ABatchWithABadWrite_IsWrittenAgainOneByOne_SoOnlyTheBadOneFails()
    {
        // The first write holds its batch open, so the next ones queue and become one batch; one of them breaks a
        // foreign key (an event of no deployment). The others are stored, the bad one fails with the database's error.
        using var database = new DeployMindDatabase(Target.Database());
        var store = new EfDeploymentStore(database);
        await store.EnsureReadyAsync(CancellationToken.None);
        var hold = new TaskCompletionSource();
        var holding = new TaskCompletionSource();
        var first = database.WriteBatchedAsync(
            async batch =>
            {
                holding.TrySetResult();
                await hold.Task;
                return 0;
            },
            CancellationToken.None);
        await holding.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var good = Enumerable.Range(0, 5).Select(i => store.TryAddAsync(New("shop", "production", T0.AddSeconds(i)), CancellationToken.None)).ToList();
        var bad = database.WriteBatchedAsync(
            async batch =>
            {
                await batch.InsertAsync(new EventRow { DeploymentId = Guid.NewGuid().ToString("D"), Sequence = 0, AtMs = 1, From = DeploymentState.Queued, To = DeploymentState.Queued, Detail = "orphan" });
                return 1;
            },
            CancellationToken.None);

        hold.SetResult();

        Assert.Equal(0, await first.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.All(await Task.WhenAll(good).WaitAsync(TimeSpan.FromSeconds(30)), Assert.True);
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => bad.WaitAsync(TimeSpan.FromSeconds(30)));
        var all = await Target.Open().ListAsync(new DeploymentQuery { Limit = 100 }, CancellationToken.None);
        Assert.Equal(5, all.Count);
        Assert.All(all, d => Assert.Equal((DeploymentState.Queued, StrategyKind.Canary), (d.State, d.Strategy)));
    }

    [Fact]
    public async Task EnsureReady_OnAnExistingDatabase_KeepsItsRecords()
    {
        var d = New("api", "production", T0);
        await Target.Open().AddAsync(d, CancellationToken.None);

        var again = Target.Open();
        await again.EnsureReadyAsync(CancellationToken.None);

        Assert.NotNull(await again.GetAsync(d.Id, CancellationToken.None));
    }

    private static Deployment New(string app, string environment, DateTimeOffset at, Guid? id = null, string repository = "acme/shop-api") =>
        new(id ?? Guid.NewGuid(), app, environment, StrategyKind.Canary, "cli:alice", at)
        {
            Repository = repository,
            Branch = "main",
            Commit = "0123456789abcdef0123456789abcdef01234567",
        };

    /// <summary>A promoted canary's last step, with every optional figure set (and text that JSON must escape).</summary>
    private static readonly CanaryFigures Figures = new(50, "Healthy", "comparison", 1_012, 5, 41.5, 9_107, 46, 39)
    {
        Errors = "5xx increase −0.01 pts, interval [−0.61, +0.59] vs tolerance +1.00 (Λ 142.1 of 100): within tolerance",
        Latency = "latency p95 42 vs 39 ms; share of pairs where the canary ÷ 1.2 is slower 0.47 [0.44, 0.50] vs 0.5 (z -2.1, Λ 120 of 100): within tolerance",
        Split = "split 10.0% canary of 10119 requests (expected 10%; χ² 0.01, p 0.92, threshold 19.3): matches",
        SplitNotChecked = "\"quoted\" and a\nnewline",
        DecidedOnProbes = true,
        Probes = "Healthy: canary 110 requests, 0 5xx, p95 13 ms; stable 111 requests, 0 5xx, p95 18 ms",
    };

    private static void Run(Deployment d, DateTimeOffset at, bool succeed)
    {
        d.MoveTo(DeploymentState.Scanning, "Scan started", at.AddSeconds(1));
        d.Note("scan passed: 0 finding(s)", at.AddSeconds(2));
        d.MoveTo(DeploymentState.Building, "Build started", at.AddSeconds(2));
        d.RecordImage("shop-api:0123456789ab", 42.5, "BuildKit (docker buildx)");
        d.MoveTo(DeploymentState.Deploying, "Deploy started", at.AddSeconds(10));
        d.RecordRelease("20261127-r1", "local", "http://127.0.0.1:8080/");
        d.RecordDeploy(3, 3, 100, Figures);
        if (!succeed)
        {
            d.Fail(PipelineStage.Deploy, "the new release never got healthy; the previous one still serves", at.AddSeconds(20));
            return;
        }

        d.MoveTo(DeploymentState.Verifying, "Verify started", at.AddSeconds(20));
        d.MoveTo(DeploymentState.Succeeded, "all stages passed", at.AddSeconds(21));
    }
}

/// <summary>The contract on a SQLite file (the default store).</summary>
public sealed class SqliteDeploymentStoreTests : DeploymentStoreTests<SqliteTarget>
{
    [Fact]
    public async Task FirstUse_CreatesTheFolderAndTheFile_InWalMode()
    {
        await Target.Open().EnsureReadyAsync(CancellationToken.None);

        Assert.True(File.Exists(Target.File));
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Target.File}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        command.CommandText = "PRAGMA integrity_check;";
        Assert.Equal("ok", (string?)await command.ExecuteScalarAsync());
    }
}

/// <summary>The same contract on a real PostgreSQL server.</summary>
public sealed class PostgresDeploymentStoreTests : DeploymentStoreTests<PostgresTarget>;
