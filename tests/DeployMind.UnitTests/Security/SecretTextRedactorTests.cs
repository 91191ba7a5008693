using DeployMind.Application;
using DeployMind.Application.Pipeline;
using DeployMind.Application.Security;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure;
using DeployMind.Infrastructure.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using static DeployMind.UnitTests.Security.FakeSecrets;

namespace DeployMind.UnitTests.Security;

public sealed class SecretTextRedactorTests
{
    [Fact]
    public void Redact_SecretsTheRulesMatch_AreMaskedLikeFindingsAndTheRestStays()
    {
        var token = GitHubClassic;
        var key = AwsAccessKeyId;
        var text = $"the build log shows {token} in step 4\nand aws_access_key_id={key} below";

        var redacted = new SecretTextRedactor().Redact(text);

        Assert.DoesNotContain(token, redacted, StringComparison.Ordinal);
        Assert.DoesNotContain(key, redacted, StringComparison.Ordinal);
        Assert.Contains("the build log shows " + token[..4] + "…[REDACTED] in step 4\n", redacted, StringComparison.Ordinal);
        Assert.EndsWith(" below", redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("p95 latency doubled against r1; roll back")]
    [InlineData("the token is read from GITHUB_TOKEN (a reference, not a value)")]
    public void Redact_NothingSecret_IsUnchanged(string text) =>
        Assert.Equal(text, new SecretTextRedactor().Redact(text));

    [Fact]
    public async Task AddDeployMind_Advisors_TheOrchestratorHearsThemThroughTheSecretRedactor()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddDeployMindApplication();
        builder.AddDeployMindInfrastructure();
        var advisor = new LeakyAdvisor(GitHubClassic);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPipelineAdvisor>(advisor));
        builder.Services.RemoveAll<IPipelineStage>();
        builder.Services.AddSingleton<IPipelineStage>(new CleanScan());
        using var services = builder.Services.BuildServiceProvider();

        Assert.IsType<SecretTextRedactor>(services.GetRequiredService<ITextRedactor>());
        var orchestrator = services.GetRequiredService<PipelineOrchestrator>();
        var context = new PipelineContext(new Deployment(Guid.NewGuid(), "shop", "production", StrategyKind.Rolling, "test", DateTimeOffset.UnixEpoch), "/tmp/app");
        var deployment = await orchestrator.RunAsync(context, null, CancellationToken.None);

        Assert.Contains(deployment.Events, e => e.Detail.StartsWith("scan advisor leaky: ", StringComparison.Ordinal));
        Assert.DoesNotContain(deployment.Events, e => e.Detail.Contains(advisor.Secret, StringComparison.Ordinal));
    }

    private sealed class CleanScan : IPipelineStage
    {
        public PipelineStage Stage => PipelineStage.Scan;

        public Task<StageReport> RunAsync(PipelineContext context, CancellationToken cancellationToken) => Task.FromResult(StageReport.Passed("clean"));
    }

    private sealed class LeakyAdvisor(string secret) : IPipelineAdvisor
    {
        public string Secret => secret;

        public string Name => "leaky";

        public Task<AdvisorVerdict> AdviseAsync(PipelineStage stage, StageReport report, PipelineContext context, CancellationToken cancellationToken) =>
            Task.FromResult(stage == PipelineStage.Scan ? AdvisorVerdict.Note($"found {secret} in the repository") : AdvisorVerdict.None);
    }
}
