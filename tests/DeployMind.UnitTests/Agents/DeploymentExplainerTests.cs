using System.Text.Json.Nodes;
using DeployMind.Application.Agents;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Persistence;
using DeployMind.UnitTests.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DeployMind.UnitTests.Agents;

/// <summary>
/// <c>deploymind explain</c>'s engine on a real SQLite store and the real OpenAI-compatible client against the loopback
/// model server: the records' own account without a model, the model's answer (with the records as its tools and the
/// figures it used) with one, nothing secret in any request, and the stored answer cache shared across processes.
/// </summary>
public sealed class DeploymentExplainerTests : IAsyncLifetime, IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dm-explain-");
    private FakeChatServer _server = null!;
    private EfDeploymentStore _store = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeChatServer.StartAsync();
        _store = new EfDeploymentStore(Options.Create(new DatabaseOptions { Path = Path.Combine(_dir.FullName, "deploymind.db") }));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose()
    {
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Explain_RolledBack_WithoutAModel_TheRecordsAccountNamesTheCauseAndThePreviousRelease()
    {
        var (previous, rolledBack) = await RecordRollbackAsync("/health answered 500 three times on web-1");

        var answer = await Explainer(new AiOptions(), endpoint: null).ExplainAsync(rolledBack, null, CancellationToken.None);

        Assert.Equal("rules", answer.Model);
        Assert.Null(answer.Problem);
        Assert.Equal(DeploymentExplainer.DefaultQuestion, answer.Question);
        Assert.Contains($"Deployment {rolledBack.ShortId()} of shop to production was rolled back", answer.Answer, StringComparison.Ordinal);
        Assert.Contains("/health answered 500 three times on web-1", answer.Answer, StringComparison.Ordinal);
        Assert.Contains($"the previous release 20261201-0900-aaa (deployment {previous.ShortId()})", answer.Answer, StringComparison.Ordinal);
        Assert.Contains("The deploy-agent said after verify: The new release failed verification.", answer.Answer, StringComparison.Ordinal);
        Assert.Contains("Fix the /health handler.", answer.Recommendations);
        Assert.Contains("state: rolled_back", answer.Figures);
        Assert.Contains("health checks: 1/3 passed", answer.Figures);
        Assert.Contains("canary reached: 10%", answer.Figures);
        Assert.Contains($"previous release: 20261201-0900-aaa (deployment {previous.ShortId()})", answer.Figures);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Explain_Failed_WithoutAModel_SaysNothingWasDeployedAndWhereToRead()
    {
        var deployment = NewDeployment(DateTimeOffset.UtcNow);
        await _store.AddAsync(deployment, CancellationToken.None);
        deployment.MoveTo(DeploymentState.Scanning, "Scan started", deployment.CreatedAt);
        deployment.MoveTo(DeploymentState.Building, "Build started", deployment.CreatedAt.AddSeconds(1));
        deployment.Fail(Domain.Deploy.PipelineStage.Build, "step 4/9 RUN go build failed: exit code 1", deployment.CreatedAt.AddSeconds(9));
        await _store.SaveAsync(deployment, CancellationToken.None);

        var answer = await Explainer(new AiOptions(), endpoint: null).ExplainAsync(deployment, "why?", CancellationToken.None);

        Assert.Equal("why?", answer.Question);
        Assert.Contains("failed at the build stage: step 4/9 RUN go build failed: exit code 1. Nothing was deployed. No earlier deployment of this app and environment succeeded.", answer.Answer, StringComparison.Ordinal);
        Assert.Contains($"Read the build log: deploymind logs {deployment.ShortId()} --stage build.", answer.Recommendations);
        Assert.Contains("failed stage: build", answer.Figures);
        Assert.Contains("time building: 8 s", answer.Figures);
    }

    [Fact]
    public async Task Explain_WithAModel_ItReadsTheRecordsThroughTools_AnswersWithFigures_AndNoSecretLeaves()
    {
        var jobSecret = "s3cr3t-" + Guid.NewGuid().ToString("N");
        var token = FakeSecrets.GitHubClassic;
        var (_, rolledBack) = await RecordRollbackAsync($"/health answered 500; the app printed DATABASE_URL=postgres://app:{jobSecret}@db and {token}");
        await _store.AppendLogAsync(rolledBack.Id, [new LogEntry(DateTimeOffset.UtcNow, "verify", $"web-1: GET /health -> 500 password={jobSecret} token={token}")], CancellationToken.None);
        _server.Then(
            FakeChatServer.Reply.Tools(("timeline", """{"state":"rolled_back"}"""), ("search_log", """{"text":"health"}""")),
            FakeChatServer.Reply.Text("""{"explanation": "The canary at 10% failed its health checks (1/3) and traffic went back.", "recommendations": ["Fix /health."], "figures": ["health checks: 1/3 passed", "canary reached: 10%"], "halt": true, "haltReason": "ignored here"}"""));
        var values = new Application.Security.SecretValues();
        values.Add(jobSecret);

        var answer = await Explainer(new AiOptions(), _server.Endpoint, values).ExplainAsync(rolledBack, "Why did this roll back?", CancellationToken.None);

        Assert.Equal("llama-test", answer.Model);
        Assert.Null(answer.Problem);
        Assert.Equal("The canary at 10% failed its health checks (1/3) and traffic went back.", answer.Answer);
        Assert.Equal(["Fix /health."], answer.Recommendations);
        Assert.Equal(["health checks: 1/3 passed", "canary reached: 10%"], answer.Figures);
        Assert.Equal(2, _server.Requests.Count);
        var first = JsonNode.Parse(_server.Requests.First())!;
        Assert.Contains("Why did this roll back?", first.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("previous_release", first.ToJsonString(), StringComparison.Ordinal);
        var toolResults = _server.Requests.Last();
        Assert.Contains("web-1: GET /health", toolResults, StringComparison.Ordinal);
        Assert.All(_server.Requests, request =>
        {
            Assert.DoesNotContain(jobSecret, request, StringComparison.Ordinal);
            Assert.DoesNotContain(token, request, StringComparison.Ordinal);
        });
        Assert.DoesNotContain(jobSecret, answer.Answer + string.Join(' ', answer.Figures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_ModelAnswersGarbage_TheRecordsAccountStandsWithTheProblem()
    {
        var (_, rolledBack) = await RecordRollbackAsync("/health answered 500");
        _server.Default = FakeChatServer.Reply.Text("Sure! It rolled back because of reasons.");

        var answer = await Explainer(new AiOptions(), _server.Endpoint).ExplainAsync(rolledBack, null, CancellationToken.None);

        Assert.Equal("rules", answer.Model);
        Assert.Contains("was rolled back", answer.Answer, StringComparison.Ordinal);
        Assert.Equal("the model (llama-test) did not answer with the JSON asked for; the records' own account instead", answer.Problem);
    }

    [Fact]
    public async Task Explain_QuestionTooLong_IsRefusedNamingTheLimit()
    {
        var (_, rolledBack) = await RecordRollbackAsync("x");

        var error = await Assert.ThrowsAsync<Domain.InvalidInputException>(() => Explainer(new AiOptions(), null).ExplainAsync(rolledBack, new string('?', 501), CancellationToken.None));

        Assert.Contains("at most 500", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnswerCache_InTheDatabase_AnotherProcessIsAnsweredWithoutAskingAgain()
    {
        using var database = new DeployMindDatabase(new DatabaseOptions { Path = Path.Combine(_dir.FullName, "answers.db") });
        var reports = StageAgentTests.Passing();
        AgentAnswerCache Cache() => new(new EfAgentAnswers(database, TimeProvider.System), NullLogger<AgentAnswerCache>.Instance);

        var first = new AgentHarness(new AiOptions(), _server.Endpoint, cache: Cache());
        var firstRun = await first.RunAsync(reports);
        var asked = _server.Requests.Count;

        // A new process: its own memory, the same database.
        var second = new AgentHarness(new AiOptions(), _server.Endpoint, cache: Cache());
        var secondRun = await second.RunAsync(reports);

        Assert.Equal(4, asked);
        Assert.Equal(asked, _server.Requests.Count);
        Assert.Equal(AgentHarness.Explanations(firstRun), AgentHarness.Explanations(secondRun), new ExplanationComparer());
        Assert.All(AgentHarness.Explanations(secondRun), x => Assert.Equal("llama-test", x.Model));
    }

    [Fact]
    public async Task AnswerCache_StoreFails_TheModelIsAskedAndNothingBreaks()
    {
        var reports = StageAgentTests.Passing();
        var harness = new AgentHarness(new AiOptions(), _server.Endpoint, cache: new AgentAnswerCache(new BrokenStore(), NullLogger<AgentAnswerCache>.Instance));

        var context = await harness.RunAsync(reports);

        Assert.Equal(4, _server.Requests.Count);
        Assert.All(AgentHarness.Explanations(context), x => Assert.Equal("llama-test", x.Model));
    }

    private DeploymentExplainer Explainer(AiOptions ai, string? endpoint, Application.Security.SecretValues? values = null)
    {
        var harness = new AgentHarness(ai, endpoint, values);
        return new DeploymentExplainer(_store, harness.Model, harness.Redactor, Options.Create(harness.Options), harness.Cache, harness.Budgets, TimeProvider.System);
    }

    private static Deployment NewDeployment(DateTimeOffset at) =>
        new(Guid.NewGuid(), "shop", "production", StrategyKind.Canary, "cli:test", at) { Repository = "acme/shop", Branch = "main", Commit = "3f2a1bc9d0e4" };

    /// <summary>A succeeded deployment, then one that rolled back at verify with a recorded explanation and log.</summary>
    private async Task<(Deployment Previous, Deployment RolledBack)> RecordRollbackAsync(string why)
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        var previous = NewDeployment(start);
        await _store.AddAsync(previous, CancellationToken.None);
        foreach (var state in new[] { DeploymentState.Scanning, DeploymentState.Building, DeploymentState.Deploying, DeploymentState.Verifying, DeploymentState.Succeeded })
        {
            previous.MoveTo(state, $"{state.Name()} ok", start.AddSeconds(1));
            if (state == DeploymentState.Deploying)
            {
                previous.RecordRelease("20261201-0900-aaa", "docker:local", null);
            }
        }

        await _store.SaveAsync(previous, CancellationToken.None);

        var at = start.AddMinutes(10);
        var deployment = NewDeployment(at);
        await _store.AddAsync(deployment, CancellationToken.None);
        deployment.MoveTo(DeploymentState.Scanning, "Scan started", at);
        deployment.MoveTo(DeploymentState.Building, "Build started", at.AddSeconds(2));
        deployment.RecordImage("shop:3f2a1bc", 41.5);
        deployment.MoveTo(DeploymentState.Deploying, "Deploy started", at.AddSeconds(20));
        deployment.RecordRelease("20261201-0910-bbb", "docker:local", null);
        deployment.RecordDeploy(1, 3, 10);
        deployment.MoveTo(DeploymentState.Verifying, "Verify started", at.AddSeconds(40));
        deployment.MoveTo(DeploymentState.RolledBack, $"verify failed: {why}; traffic back on 20261201-0900-aaa", at.AddSeconds(55));
        await _store.SaveAsync(deployment, CancellationToken.None);
        await _store.AppendLogAsync(deployment.Id, [new LogEntry(at.AddSeconds(45), "verify", "web-1: GET /health -> 500")], CancellationToken.None);
        await _store.SaveExplanationsAsync(
            deployment.Id,
            [new RecordedExplanation("verify", "deploy-agent", "The new release failed verification.", ["Fix the /health handler."], "none", "rules")],
            CancellationToken.None);
        return (previous, deployment);
    }

    private sealed class ExplanationComparer : IEqualityComparer<Application.Pipeline.StageExplanation>
    {
        public bool Equals(Application.Pipeline.StageExplanation? x, Application.Pipeline.StageExplanation? y) =>
            x is not null && y is not null && x.Text == y.Text && x.Model == y.Model && x.Verdict == y.Verdict && x.Recommendations.SequenceEqual(y.Recommendations);

        public int GetHashCode(Application.Pipeline.StageExplanation obj) => obj.Text.GetHashCode(StringComparison.Ordinal);
    }

    private sealed class BrokenStore : IAgentAnswerStore
    {
        public Task<string?> GetAsync(string key, CancellationToken cancellationToken) => throw new InvalidOperationException("the database is gone");

        public Task SaveAsync(string key, string answer, CancellationToken cancellationToken) => throw new InvalidOperationException("the database is gone");
    }
}
