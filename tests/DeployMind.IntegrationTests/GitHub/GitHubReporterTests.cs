using DeployMind.Application.Records;
using DeployMind.Application.Reporting;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.GitHub;
using DeployMind.IntegrationTests.Persistence;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DeployMind.IntegrationTests.GitHub;

/// <summary>The GitHub reporter with the real Octokit client against a loopback fake GitHub API, recording into a real SQLite store.</summary>
public sealed class GitHubReporterTests : IAsyncLifetime, IDisposable
{
    private const string Owner = "acme";
    private const string Repo = "shop";
    private const string Sha = "abc1234def5678abc1234def5678abc1234def56";
    private const string LinkBase = "https://deploy.example.com";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly SqliteTarget _database = new();
    private readonly string _tokenVariable = "DEPLOYMIND_TEST_GITHUB_TOKEN_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private readonly string _token = "ghp_" + Guid.NewGuid().ToString("N") + "Zq9";
    private readonly List<GitHubReporter> _reporters = [];
    private FakeGitHubApi _github = null!;
    private IDeploymentStore _store = null!;

    public async Task InitializeAsync()
    {
        _github = await FakeGitHubApi.StartAsync();
        _github.ExpectedToken = _token;
        Environment.SetEnvironmentVariable(_tokenVariable, _token);
        _store = _database.Open();
        await _store.EnsureReadyAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var reporter in _reporters)
        {
            await reporter.DisposeAsync();
        }

        Environment.SetEnvironmentVariable(_tokenVariable, null);
        await _github.DisposeAsync();
    }

    // After DisposeAsync (xunit calls both): the database goes last.
    public void Dispose() => _database.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Fact]
    public async Task Report_EachStage_SetsTheCommitStatusOfTheEnvironment()
    {
        var reporter = Reporter();
        var id = Guid.NewGuid();
        DeploymentState[] stages = [DeploymentState.Queued, DeploymentState.Scanning, DeploymentState.Building, DeploymentState.Deploying, DeploymentState.Verifying, DeploymentState.Succeeded];

        foreach (var state in stages)
        {
            reporter.Report(Report(id, state) with { Url = "https://shop.example.com" });
            await FlushAsync(reporter);
        }

        var statuses = _github.Statuses(Owner, Repo, Sha);
        Assert.Equal(["pending", "pending", "pending", "pending", "pending", "success"], statuses.Select(s => s.State));
        Assert.All(statuses, s => Assert.Equal("deploymind/production", s.Context));
        Assert.All(statuses, s => Assert.Equal($"{LinkBase}/api/deployments/{id}", s.TargetUrl));
        Assert.Equal(["queued", "scanning the source", "building the image", "deploying (rolling)", "verifying health", "deployed in 47s"], statuses.Select(s => s.Description));
        Assert.All(_github.Requests, r => Assert.EndsWith(" " + _token, r.Authorization, StringComparison.Ordinal));
        Assert.DoesNotContain(_github.Requests, r => r.Path.Contains("/comments", StringComparison.Ordinal));

        // The Deployments API: one GitHub deployment, a status per change of GitHub state.
        var deployment = Assert.Single(_github.Deployments(Owner, Repo));
        Assert.Equal(Sha, deployment.Ref);
        Assert.Equal("production", deployment.Environment);
        Assert.False(deployment.TransientEnvironment);
        Assert.False(deployment.AutoMerge);
        Assert.Equal([], deployment.RequiredContexts);
        Assert.Equal(["queued", "in_progress", "success"], deployment.Statuses.Select(s => s.State));
        Assert.Equal("https://shop.example.com", deployment.Statuses[^1].EnvironmentUrl);
        Assert.Equal($"{LinkBase}/api/deployments/{id}", deployment.Statuses[^1].LogUrl);
    }

    [Theory]
    [InlineData(DeploymentState.Failed, "failure", "failure")]
    [InlineData(DeploymentState.RolledBack, "failure", "failure")]
    [InlineData(DeploymentState.Cancelled, "error", "error")]
    public async Task Report_UnsuccessfulEnd_SetsFailureOrError_WithTheReasonCut(DeploymentState state, string commitState, string deploymentState)
    {
        var reporter = Reporter();
        var reason = "health check failed: " + new string('x', 200);

        reporter.Report(Report(Guid.NewGuid(), state) with { FailedStage = PipelineStage.Verify, Reason = reason });
        await FlushAsync(reporter);

        var status = Assert.Single(_github.Statuses(Owner, Repo, Sha));
        Assert.Equal(commitState, status.State);
        Assert.Equal(140, status.Description!.Length);
        Assert.Contains("health check failed: xxx", status.Description, StringComparison.Ordinal);
        Assert.Equal(deploymentState, Assert.Single(_github.Deployments(Owner, Repo)).Statuses[^1].State);
    }

    [Fact]
    public async Task Report_TwoDeploymentsOfOnePullRequest_KeepOneCommentUpdatedInPlace()
    {
        var reporter = Reporter();
        var someoneElses = _github.AddComment(Owner, Repo, 12, "Looks good to me");
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        const string secondSha = "fedcba9876543210fedcba9876543210fedcba98";

        reporter.Report(Preview(first, DeploymentState.Queued));
        await FlushAsync(reporter);
        var queued = Ours();
        Assert.Contains("| Status | ⏳ Queued |", queued.Body, StringComparison.Ordinal);

        reporter.Report(Preview(first, DeploymentState.Building));
        await FlushAsync(reporter);
        Assert.Equal(queued, Ours()); // intermediate stages only set the commit status

        reporter.Report(Preview(first, DeploymentState.Succeeded));
        await FlushAsync(reporter);
        Assert.Contains("| Status | ✅ Deployed |", Ours().Body, StringComparison.Ordinal);

        reporter.Report(Preview(second, DeploymentState.Queued) with { Commit = secondSha });
        await FlushAsync(reporter);
        reporter.Report(Preview(second, DeploymentState.Failed) with { Commit = secondSha, FailedStage = PipelineStage.Build, Reason = "npm ci failed" });
        await FlushAsync(reporter);

        var comments = _github.Comments(Owner, Repo, 12);
        Assert.Equal(2, comments.Count);
        Assert.Equal(someoneElses, comments[0]);
        var ours = Ours();
        Assert.Equal(queued.Id, ours.Id);
        Assert.Contains("| Status | ❌ Failed |", ours.Body, StringComparison.Ordinal);
        Assert.Contains("| Commit | `fedcba9` |", ours.Body, StringComparison.Ordinal);
        Assert.Contains("| Failed stage | build |", ours.Body, StringComparison.Ordinal);
        Assert.Contains("| Reason | npm ci failed |", ours.Body, StringComparison.Ordinal);
        Assert.Single(_github.Requests, r => r.Method == "POST" && r.Path.EndsWith("/issues/12/comments", StringComparison.Ordinal));
        Assert.Equal(3, _github.Requests.Count(r => r.Method == "PATCH" && r.Path == $"/repos/{Owner}/{Repo}/issues/comments/{queued.Id}"));
        Assert.All(_github.Deployments(Owner, Repo), d => Assert.True(d.TransientEnvironment));
        Assert.Equal(2, _github.Deployments(Owner, Repo).Count);
    }

    [Fact]
    public async Task Report_SucceededPreview_CommentHasTheTableFields()
    {
        var reporter = Reporter();
        var id = Guid.NewGuid();

        reporter.Report(Preview(id, DeploymentState.Succeeded) with
        {
            Strategy = StrategyKind.Canary,
            CanaryPercentReached = 100,
        });
        await FlushAsync(reporter);

        var body = Ours().Body;
        Assert.StartsWith("<!-- deploymind:report app=shop env=pr-12 -->", body, StringComparison.Ordinal);
        Assert.Contains("## DeployMind Deployment Report", body, StringComparison.Ordinal);
        Assert.Contains("| Status | ✅ Deployed |", body, StringComparison.Ordinal);
        Assert.Contains("| Commit | `abc1234` |", body, StringComparison.Ordinal);
        Assert.Contains("| Branch | `feature/auth` |", body, StringComparison.Ordinal);
        Assert.Contains("| Image | `shop:abc1234` (142.5 MB) |", body, StringComparison.Ordinal);
        Assert.Contains("| Duration | 47s |", body, StringComparison.Ordinal);
        Assert.Contains("| Health | 12/12 checks passed |", body, StringComparison.Ordinal);
        Assert.Contains("| Strategy | Canary (reached 100%) |", body, StringComparison.Ordinal);
        Assert.Contains("| Preview | https://pr-12.example.com |", body, StringComparison.Ordinal);
        Assert.Contains($"[View deployment logs →]({LinkBase}/api/deployments/{id})", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_Teardown_MarksTheGitHubDeploymentInactiveAndEditsTheComment()
    {
        var reporter = Reporter();
        reporter.Report(Preview(Guid.NewGuid(), DeploymentState.Succeeded));
        await FlushAsync(reporter);
        var statusesBefore = _github.Statuses(Owner, Repo, Sha).Count;
        var comment = Ours();

        reporter.Report(Preview(Guid.NewGuid(), DeploymentState.Queued) with { IsTeardown = true, Url = null });
        reporter.Report(Preview(Guid.NewGuid(), DeploymentState.Succeeded) with { IsTeardown = true, Url = null });
        await FlushAsync(reporter);

        var deployment = Assert.Single(_github.Deployments(Owner, Repo));
        Assert.Equal(["success", "inactive"], deployment.Statuses.Select(s => s.State));
        Assert.Equal(statusesBefore, _github.Statuses(Owner, Repo, Sha).Count);
        var edited = Ours();
        Assert.Equal(comment.Id, edited.Id);
        Assert.Contains("| Status | 🧹 Preview removed |", edited.Body, StringComparison.Ordinal);
        Assert.Single(_github.Comments(Owner, Repo, 12));
    }

    [Fact]
    public async Task Report_TeardownAfterARestart_FindsTheEnvironmentsDeploymentOnGitHub()
    {
        var before = Reporter();
        before.Report(Preview(Guid.NewGuid(), DeploymentState.Succeeded));
        await FlushAsync(before);
        before.Report(Report(Guid.NewGuid(), DeploymentState.Succeeded)); // another environment, newer
        await FlushAsync(before);

        var after = Reporter(); // a new process: nothing in memory
        after.Report(Preview(Guid.NewGuid(), DeploymentState.Succeeded) with { IsTeardown = true });
        await FlushAsync(after);

        var deployments = _github.Deployments(Owner, Repo);
        Assert.Equal("inactive", deployments.Single(d => d.Environment == "pr-12").Statuses[^1].State);
        Assert.Equal("success", deployments.Single(d => d.Environment == "production").Statuses[^1].State);
    }

    [Fact]
    public async Task Report_RateLimit403_IsWaitedOutUntilTheReset_ThenSent()
    {
        var reporter = Reporter();
        _github.FailNext(1, FakeGitHubFailure.RateLimit403, seconds: 1, pathContains: "/statuses/");
        var id = await AddDeploymentAsync();

        reporter.Report(Report(id, DeploymentState.Building));
        await FlushAsync(reporter);

        var calls = _github.Requests.Where(r => r.Path.Contains("/statuses/", StringComparison.Ordinal)).ToList();
        Assert.Equal([403, 201], calls.Select(c => c.StatusCode));
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromMilliseconds(900), $"retried after {(calls[1].At - calls[0].At).TotalMilliseconds} ms");
        Assert.Equal("pending", Assert.Single(_github.Statuses(Owner, Repo, Sha)).State);
        Assert.Empty(await _store.ReadLogAsync(id, 0, 100, CancellationToken.None));
    }

    [Fact]
    public async Task Report_TooManyRequests429_HonoursRetryAfter_ThenSent()
    {
        var reporter = Reporter();
        _github.FailNext(2, FakeGitHubFailure.TooManyRequests429, seconds: 1, pathContains: "/issues/12/comments");

        reporter.Report(Preview(Guid.NewGuid(), DeploymentState.Queued));
        await FlushAsync(reporter);

        var calls = _github.Requests.Where(r => r.Path.EndsWith("/issues/12/comments", StringComparison.Ordinal)).ToList();
        Assert.Equal([429, 429, 200, 201], calls.Select(c => c.StatusCode));
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromMilliseconds(900), $"first retry after {(calls[1].At - calls[0].At).TotalMilliseconds} ms");
        Assert.True(calls[2].At - calls[1].At >= TimeSpan.FromMilliseconds(900), $"second retry after {(calls[2].At - calls[1].At).TotalMilliseconds} ms");
        Assert.Single(_github.Comments(Owner, Repo, 12));
    }

    [Fact]
    public async Task Report_RateLimitWait_IsCappedByMaxRateLimitWait()
    {
        var reporter = Reporter(o => o.MaxRateLimitWait = "200ms");
        _github.FailNext(1, FakeGitHubFailure.TooManyRequests429, seconds: 3600, pathContains: "/statuses/");

        reporter.Report(Report(Guid.NewGuid(), DeploymentState.Queued));
        await FlushAsync(reporter);

        var calls = _github.Requests.Where(r => r.Path.Contains("/statuses/", StringComparison.Ordinal)).ToList();
        Assert.Equal([429, 201], calls.Select(c => c.StatusCode));
        Assert.True(calls[1].At - calls[0].At < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Report_ServerErrorEveryTime_IsRetriedMaxAttemptsTimes_ThenRecordedInTheDeploymentsLog()
    {
        var logger = new CapturingLogger<GitHubReporter>();
        var reporter = Reporter(logger: logger);
        _github.EchoAuthorizationInErrors = true;
        _github.FailNext(3, FakeGitHubFailure.ServerError500, pathContains: "/statuses/");
        var id = await AddDeploymentAsync();
        var before = await _store.GetAsync(id, CancellationToken.None);

        reporter.Report(Report(id, DeploymentState.Building));
        await FlushAsync(reporter);

        Assert.Equal(3, _github.Requests.Count(r => r.Path.Contains("/statuses/", StringComparison.Ordinal)));
        Assert.Empty(_github.Statuses(Owner, Repo, Sha));
        Assert.Single(_github.Deployments(Owner, Repo)); // the other calls of the report went through
        var line = Assert.Single(await _store.ReadLogAsync(id, 0, 100, CancellationToken.None));
        Assert.Equal("report", line.Stage);
        Assert.Contains("commit status deploymind/production was not sent after 3 attempts", line.Text, StringComparison.Ordinal);
        Assert.Contains("HTTP 500: Server Error", line.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(_token, line.Text, StringComparison.Ordinal);
        Assert.Contains("***", line.Text, StringComparison.Ordinal);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("not sent after 3 attempts", StringComparison.Ordinal));
        Assert.DoesNotContain(_token, logger.Text, StringComparison.Ordinal);
        var after = await _store.GetAsync(id, CancellationToken.None);
        Assert.Equal(before!.State, after!.State);
        Assert.Equal(before.Version, after.Version);
    }

    [Fact]
    public async Task Report_RejectedToken_IsNotRetried_AndTheTokenNeverReachesLogsOrRecords()
    {
        var logger = new CapturingLogger<GitHubReporter>();
        var reporter = Reporter(logger: logger);
        _github.ExpectedToken = "another-token";
        _github.EchoAuthorizationInErrors = true;
        var id = await AddDeploymentAsync();

        reporter.Report(Preview(id, DeploymentState.Failed) with { FailedStage = PipelineStage.Scan, Reason = "a secret was committed" });
        await FlushAsync(reporter);

        // One request per call (status, deployment, comment list): a 401 is not retried.
        Assert.Equal(3, _github.Requests.Count);
        Assert.All(_github.Requests, r => Assert.Equal(401, r.StatusCode));
        Assert.All(_github.Requests, r => Assert.EndsWith(" " + _token, r.Authorization, StringComparison.Ordinal));
        var lines = await _store.ReadLogAsync(id, 0, 100, CancellationToken.None);
        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.Matches(@"HTTP 401: Bad credentials \(request sent Authorization: \w+ \*\*\*\)", l.Text));
        Assert.All(lines, l => Assert.DoesNotContain(_token, l.Text, StringComparison.Ordinal));
        Assert.NotEmpty(logger.Entries);
        Assert.DoesNotContain(_token, logger.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_WithoutAToken_SendsNothing_AndWarnsOnceWhichVariableToSet()
    {
        var logger = new CapturingLogger<GitHubReporter>();
        var reporter = Reporter(o => o.TokenVariable = "DEPLOYMIND_TEST_UNSET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant(), logger);

        reporter.Report(Preview(Guid.NewGuid(), DeploymentState.Queued));
        reporter.Report(Preview(Guid.NewGuid(), DeploymentState.Succeeded));
        await FlushAsync(reporter);

        Assert.False(reporter.IsActive);
        Assert.Empty(_github.Requests);
        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("DEPLOYMIND_TEST_UNSET_", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_ReportingSwitchedOff_SendsNothing()
    {
        var reporter = Reporter(o => o.Report = false);

        reporter.Report(Preview(Guid.NewGuid(), DeploymentState.Succeeded));
        await FlushAsync(reporter);

        Assert.Empty(_github.Requests);
    }

    [Theory]
    [InlineData("/srv/apps/shop")]
    [InlineData("./shop")]
    [InlineData("https://gitlab.example.com/acme/shop.git")]
    [InlineData(null)]
    public async Task Report_NotAGitHubRepository_SendsNothing(string? repository)
    {
        var logger = new CapturingLogger<GitHubReporter>();
        var reporter = Reporter(logger: logger);
        var id = Guid.NewGuid();

        reporter.Report(Preview(id, DeploymentState.Queued) with { Repository = repository });
        await FlushAsync(reporter);
        reporter.Report(Preview(id, DeploymentState.Succeeded) with { Repository = repository });
        await FlushAsync(reporter);

        Assert.Empty(_github.Requests);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Debug, entry.Level);
    }

    [Fact]
    public async Task Report_SeveralWhileOneIsSending_OnlyTheLatestIsSent()
    {
        var reporter = Reporter();
        var id = Guid.NewGuid();
        _github.FailNext(1, FakeGitHubFailure.TooManyRequests429, seconds: 1, pathContains: "/statuses/");

        reporter.Report(Report(id, DeploymentState.Queued));
        await _github.WaitForRequestsAsync(r => r.Any(x => x.StatusCode == 429), Deadline);
        reporter.Report(Report(id, DeploymentState.Scanning));
        reporter.Report(Report(id, DeploymentState.Building));
        reporter.Report(Report(id, DeploymentState.Deploying));
        await FlushAsync(reporter);

        Assert.Equal(["queued", "deploying (rolling)"], _github.Statuses(Owner, Repo, Sha).Select(s => s.Description));
        Assert.Equal(["queued", "in_progress"], Assert.Single(_github.Deployments(Owner, Repo)).Statuses.Select(s => s.State));
    }

    [Fact]
    public async Task FlushAsync_PastItsDeadline_ReturnsWithoutThrowing()
    {
        var reporter = Reporter();
        _github.FailNext(1, FakeGitHubFailure.TooManyRequests429, seconds: 5, pathContains: "/statuses/");
        reporter.Report(Report(Guid.NewGuid(), DeploymentState.Queued));

        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = DateTimeOffset.UtcNow;
        await reporter.FlushAsync(deadline.Token);

        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(4));
        Assert.Empty(_github.Statuses(Owner, Repo, Sha));
    }

    private GitHubReporter Reporter(Action<GitHubOptions>? configure = null, CapturingLogger<GitHubReporter>? logger = null)
    {
        var options = new GitHubOptions
        {
            ApiUrl = _github.BaseUrl.ToString(),
            TokenVariable = _tokenVariable,
            LinkBase = LinkBase + "/",
            MaxAttempts = 3,
            Backoff = "50ms",
            MaxBackoff = "200ms",
            MaxRateLimitWait = "10s",
        };
        configure?.Invoke(options);
        var reporter = new GitHubReporter(Options.Create(options), _store, TimeProvider.System, logger ?? new CapturingLogger<GitHubReporter>());
        _reporters.Add(reporter);
        return reporter;
    }

    private static async Task FlushAsync(GitHubReporter reporter)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        await reporter.FlushAsync(deadline.Token);
        Assert.False(deadline.IsCancellationRequested, "the reports were not sent within the deadline");
    }

    private async Task<Guid> AddDeploymentAsync()
    {
        var deployment = new Deployment(Guid.NewGuid(), "shop", "production", StrategyKind.Rolling, "test", DateTimeOffset.UtcNow)
        {
            Repository = $"{Owner}/{Repo}",
            Commit = Sha,
            Branch = "main",
        };
        deployment.MoveTo(DeploymentState.Scanning, "scan", DateTimeOffset.UtcNow);
        await _store.AddAsync(deployment, CancellationToken.None);
        return deployment.Id;
    }

    private FakeGitHubComment Ours() =>
        Assert.Single(_github.Comments(Owner, Repo, 12), c => c.Body.StartsWith("<!-- deploymind:report app=shop env=pr-12 -->", StringComparison.Ordinal));

    private static DeploymentReport Report(Guid id, DeploymentState state) => new()
    {
        Id = id,
        App = "shop",
        Environment = "production",
        Repository = $"https://github.com/{Owner}/{Repo}.git",
        Commit = Sha,
        Branch = "main",
        State = state,
        Strategy = StrategyKind.Rolling,
        Duration = TimeSpan.FromSeconds(47),
        TriggeredBy = "test",
        At = DateTimeOffset.UtcNow,
    };

    private static DeploymentReport Preview(Guid id, DeploymentState state) => Report(id, state) with
    {
        Environment = "pr-12",
        Repository = $"{Owner}/{Repo}",
        Branch = "feature/auth",
        PullRequest = 12,
        ImageTag = "shop:abc1234",
        ImageSizeMb = 142.46,
        HealthChecksPassed = 12,
        HealthChecksRequired = 12,
        Url = "https://pr-12.example.com",
    };
}
