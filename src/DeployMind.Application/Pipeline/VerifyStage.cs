using System.Globalization;
using DeployMind.Application.Deploy;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// The verify stage: once the new release serves all traffic, every host's nginx is asked for the app's verify path
/// (default: the health path) until it answers well <c>verify.successes</c> times in a row. A host that does not
/// within <c>verify.deadline</c> sends every host back to the previous release (the deployment ends rolled back);
/// when there is none, the deployment fails and says the new release stays in place.
/// </summary>
public sealed class VerifyStage : IPipelineStage
{
    private readonly RollbackService _rollback;
    private readonly AppOptions _app;
    private readonly TimeProvider _time;

    public VerifyStage(RollbackService rollback, IOptions<AppOptions> app, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(app);
        _rollback = rollback;
        _app = app.Value;
        _time = time;
    }

    public PipelineStage Stage => PipelineStage.Verify;

    public async Task<StageReport> RunAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request is not { } request || context.Outcome is not { Status: DeployStatus.Succeeded })
        {
            return StageReport.Passed("nothing to verify (nothing was deployed)");
        }

        var key = $"environments.{context.Deployment.Environment}.verify";
        var policy = _app.Environment(context.Deployment.Environment).Verify.ToPolicy(key, request.Health.Path);
        if (!policy.Enabled)
        {
            return StageReport.Passed($"skipped ({key}.enabled is false)");
        }

        if (request.Kubernetes is { } kubernetes)
        {
            // No nginx of ours fronts a cluster: the rollout already waited for every pod's readiness probe on the health path.
            return StageReport.Passed($"skipped for the Kubernetes target {kubernetes.Display}: the rollout waited for every pod's readiness probe on {request.Health.Path}");
        }

        var url = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{request.ListenPort}{policy.Path}"));
        foreach (var host in request.Hosts)
        {
            var failure = await CheckAsync(host, url, request.ServerName, policy, context.Observer, cancellationToken);
            if (failure is null)
            {
                continue;
            }

            var problem = $"{url} through nginx on {host.Name}: {failure}";
            try
            {
                var (release, outcome) = await _rollback.RollbackAsync(request, context.Observer, cancellationToken);
                return outcome.Status == DeployStatus.Succeeded
                    ? new StageReport(StageOutcome.RolledBack, $"verification failed ({problem}); rolled back to {release.ReleaseId}")
                    : StageReport.Halted($"verification failed ({problem}) and the rollback to {release.ReleaseId} failed too: {outcome.Reason}");
            }
            catch (DeployMindException ex)
            {
                return StageReport.Halted($"verification failed ({problem}); the new release stays in place: {ex.Message}");
            }
        }

        return StageReport.Passed(string.Create(
            CultureInfo.InvariantCulture, $"{policy.Path} answered {policy.Successes}/{policy.Successes} through nginx on {string.Join(", ", request.Hosts.Select(h => h.Name))}"));
    }

    /// <summary>Null when the host gave its good answers in time, else the last problem seen.</summary>
    private async Task<string?> CheckAsync(DeployHost host, Uri url, string? serverName, VerifyPolicy policy, IDeployObserver observer, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var (passed, last) = (0, "no answer yet");
        while (true)
        {
            var result = await host.Probe.GetAsync(url, serverName, policy.Timeout, cancellationToken);
            if (result.Healthy)
            {
                passed++;
                if (passed >= policy.Successes)
                {
                    observer.Step(host.Name, string.Create(CultureInfo.InvariantCulture, $"verified: {url.AbsolutePath} answered {passed}/{policy.Successes} through nginx"));
                    return null;
                }
            }
            else
            {
                passed = 0;
                last = result.Error ?? "bad answer";
                observer.Step(host.Name, $"verify: {url.AbsolutePath} through nginx: {last}");
            }

            if (_time.GetElapsedTime(started) + policy.Interval > policy.Deadline)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{last} (no {policy.Successes} good answers in a row within {Duration.Format(policy.Deadline)})");
            }

            await Task.Delay(policy.Interval, _time, cancellationToken);
        }
    }
}
