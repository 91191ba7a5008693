using DeployMind.Application.Agents;
using DeployMind.Application.Security;
using DeployMind.Domain.Build;
using DeployMind.Domain.Deploy;
using DeployMind.Domain.Findings;
using DeployMind.UnitTests.Security;

namespace DeployMind.UnitTests.Agents;

/// <summary>
/// No secret reaches the model: a job's resolved secret, a value the scanner found (read back from its file) and a token
/// any rule matches are planted in every report and in what the tools return; the loopback server records every request
/// and none contains them.
/// </summary>
public sealed class AgentRedactionTests : IAsyncLifetime, IDisposable
{
    private readonly DirectoryInfo _workspace = Directory.CreateTempSubdirectory("deploymind-agents-");
    private FakeChatServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeChatServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _workspace.Delete(recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_SecretsPlantedEverywhere_NoRequestToTheModelContainsAny(bool stream)
    {
        // A value only the job knows (env.secret), a value the scanner found in a file, and a token its rules match anywhere.
        const string jobSecret = "pg-Pa55word-for-shop-2026";
        const string foundValue = "zq8Rk2Lm9Xv4Tn7Wp3Yb6Hc1";
        var token = FakeSecrets.GitHubClassic;
        Directory.CreateDirectory(Path.Combine(_workspace.FullName, "config"));
        await File.WriteAllLinesAsync(Path.Combine(_workspace.FullName, "config", "app.env"), ["# settings", "PORT=8080", $"API_KEY={foundValue}"]);
        var values = new SecretValues();
        values.Add(jobSecret);
        var everything = $"{jobSecret} {foundValue} {token}";

        var finding = AgentHarness.Finding(file: "config/app.env", line: 3, column: 9, excerpt: "API_KEY=zq8R…[REDACTED]", severity: Severity.Medium);
        var reports = new Dictionary<PipelineStage, Application.Pipeline.StageReport>
        {
            [PipelineStage.Scan] = AgentHarness.Scan([finding]),
            [PipelineStage.Build] = AgentHarness.Build(
                log: ["#7 [4/6] RUN npm ci", $"#7 echo {everything}", "npm ERR! code E401"],
                lint: [new LintFinding("DL3000", Severity.Low, LintCategory.Security, 4, $"ENV holds {foundValue}", $"move {jobSecret} to env.secret")]),
            [PipelineStage.Deploy] = AgentHarness.Deploy() with { Reason = $"health said {everything}" },
            [PipelineStage.Verify] = AgentHarness.Verify() with
            {
                Hosts = [new("web-1", [new("/health", true, 3, 0, $"body {everything}", null)], null)],
            },
        };
        var answer = FakeChatServer.Reply.Text("""{"explanation": "fine", "halt": false}""");
        _server.Then(
            FakeChatServer.Reply.Tools(("findings_in_file", """{"file": "config/app.env"}""")),
            answer,
            FakeChatServer.Reply.Tools(("build_log_tail", """{"lines": "40"}"""), ("lint_results", "{}")),
            answer,
            answer,
            FakeChatServer.Reply.Tools(("verify_host", """{"host": "web-1"}""")),
            answer);
        var harness = new AgentHarness(new AiOptions { Stream = stream }, _server.Endpoint, values);

        var context = await harness.RunAsync(reports, deployment: AgentHarness.NewDeployment(branch: $"fix/{foundValue}"), workspace: _workspace.FullName);

        Assert.Equal(DeploymentState.Succeeded, context.Deployment.State);
        var requests = _server.Requests.ToList();
        Assert.Equal(7, requests.Count);
        foreach (var secret in new[] { jobSecret, foundValue, token })
        {
            Assert.All(requests, r => Assert.DoesNotContain(secret, r, StringComparison.Ordinal));
        }

        // The text around them did go: the tools answered and the reports were sent, masked.
        Assert.Contains("npm ERR! code E401", requests[3], StringComparison.Ordinal);
        Assert.Contains("ENV holds ***", requests[3], StringComparison.Ordinal);
        Assert.Contains("fix/***", requests[0], StringComparison.Ordinal);
        Assert.Contains("body *** *** ", requests[6], StringComparison.Ordinal);
        Assert.All(context.Deployment.Events, e => Assert.DoesNotContain(jobSecret, e.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public void Token_ValueAtAFindingsColumn_EndsAtAQuoteOrSpace()
    {
        Assert.Equal("abc123", FindingValues.Token("\"abc123\", next"));
        Assert.Equal("abc123", FindingValues.Token("abc123 # comment"));
        Assert.Equal("abc123", FindingValues.Token("abc123"));
    }
}
