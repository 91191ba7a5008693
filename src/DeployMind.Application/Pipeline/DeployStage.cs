using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// The deploy stage: the built image onto the environment's hosts (or Kubernetes namespace) with its strategy. On Docker
/// hosts it first records how the serving release answers the paths verify compares (<see cref="ReleaseBaseline"/>), and
/// the previous release keeps running after the switch: the pipeline retires it once verify passed. When an advisor halts
/// the pipeline after a deploy that switched without a pending switch (a Kubernetes rollout), it rolls the target back.
/// </summary>
internal sealed class DeployStage : IPipelineStage, IRevertibleStage
{
    private readonly DeployService _deploys;
    private readonly AppOptions _app;
    private readonly ReleaseVariables _variables;
    private readonly Accessories _accessories;

    public DeployStage(DeployService deploys, IOptions<AppOptions> app, ReleaseVariables variables, Accessories accessories)
    {
        ArgumentNullException.ThrowIfNull(app);
        _deploys = deploys;
        _app = app.Value;
        _variables = variables;
        _accessories = accessories;
    }

    public PipelineStage Stage => PipelineStage.Deploy;

    public async Task<StageReport> RunAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Command is null || context.Build is not { Success: true } build || context.Plan is null)
        {
            return DeployStageReport.NothingToDeploy(context.Deployment.Strategy);
        }

        var request = _deploys.CreateRequest(context.Command, context.Plan.AppPath, build.ImageTag, context.Plan.Detection?.Port);
        request = request with { Release = request.Release with { Commit = context.Deployment.Commit } };
        // The app's variables, secrets resolved now (once per deploy): a missing one stops here, before any host or cluster
        // changes. On Kubernetes the clear ones are in the ConfigMap already; the secret ones go in the release's Secret. On
        // Docker hosts the accessories run before the release that needs them (booted once, kept across deploys; a preview
        // boots instances of its own) and the app is told where they are.
        var instance = _deploys.InstanceName(context.Command, context.Plan.AppPath);
        var variables = await _variables.ResolveAsync(
            context.Command,
            context.Plan.AppPath,
            async (accessory, token) => context.Observer.Step("accessory", await _accessories.BootAsync(context.Command, accessory, instance, token)),
            cancellationToken);
        if (variables.Count > 0)
        {
            request = request with { Release = request.Release with { Environment = variables } };
        }

        context.Request = request;
        if (request.Kubernetes is { } kubernetes)
        {
            // In the cluster the app answers at its Service; the target names the context and namespace.
            context.Deployment.RecordRelease(request.Release.ReleaseId, $"k8s {kubernetes.Display}", null);
        }
        else
        {
            var local = request.Hosts.All(h => h.Name == Domain.Hosts.HostAddress.LocalName);
            var url = request.Domains.Count > 0 ? $"{(request.Tls is null ? "http" : "https")}://{request.Domains[0]}/"
                : request.ServerName is { } name ? $"http://{name}:{request.ListenPort}/" : local ? $"http://127.0.0.1:{request.ListenPort}/" : null;
            context.Deployment.RecordRelease(request.Release.ReleaseId, string.Join(", ", request.Hosts.Select(h => h.Name)), url, request.ListenPort);
        }

        if (request.Kubernetes is null)
        {
            var policy = _app.Environment(context.Deployment.Environment).Verify.ToPolicy($"environments.{context.Deployment.Environment}.verify", request.Health.Path);
            if (policy.Enabled)
            {
                context.Baseline = await ReleaseBaseline.RecordAsync(request, policy, context.Observer, cancellationToken);
            }

            request = request with { DeferRetirement = true };
            context.Request = request;
        }

        var outcome = await _deploys.DeployImageAsync(request, context.Deployment.Strategy, context.Observer, cancellationToken);
        context.Outcome = outcome;
        context.Deployment.RecordDeploy(outcome.Health?.ConsecutivePassed, outcome.Health?.Required, outcome.Strategy == StrategyKind.Canary ? outcome.CanaryPercentReached : null,
            outcome.Strategy == StrategyKind.Canary && outcome.CanarySteps.Count > 0 ? CanaryStepFigures.Of(outcome.CanarySteps[^1]) : null);
        return DeployStageReport.Of(request, outcome);
    }

    /// <summary>The deploy passed and serves, but the pipeline was halted after it: back to the release before it.</summary>
    public async Task<string> RevertAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Command is not { } command || context.Outcome is not { Status: DeployStatus.Succeeded })
        {
            return string.Empty;
        }

        try
        {
            var (release, rolled) = await _deploys.RollbackAsync(command, _variables.ForRollback(command), context.Observer, cancellationToken);
            return rolled.Status == DeployStatus.Succeeded
                ? $"; rolled back to {release.ReleaseId}"
                : $"; the rollback to {release.ReleaseId} failed: {rolled.Reason}";
        }
        catch (DeployMindException ex)
        {
            return $"; the new release stays in place: {ex.Message}";
        }
    }
}
