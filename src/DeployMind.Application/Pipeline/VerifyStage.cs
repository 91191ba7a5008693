using System.Globalization;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// The verify stage: once the new release serves all traffic, every host's nginx is asked for the app's verify path
/// (default: the health path) until it answers below 400 <c>verify.successes</c> times in a row; with <c>verify.compare</c>
/// (default) every path that answered below 500 on the previous release before the switch (<c>/</c>, the health path, the
/// verify path: <see cref="ReleaseBaseline"/>) must answer below 500 as many times too. <c>verify.failures</c> bad answers
/// in a row on one path, or no success within <c>verify.deadline</c>, fail the host: traffic goes straight back to the
/// previous release, which kept running beside the new one (the deployment ends rolled back). With no earlier release the
/// deployment fails and says the new release stays in place.
/// </summary>
internal sealed class VerifyStage : IPipelineStage
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
        var report = new VerifyStageReport { App = context.Request?.Release.App ?? context.Deployment.App };
        if (context.Request is not { } request || context.Outcome is not { Status: DeployStatus.Succeeded } outcome)
        {
            return report with { SkipReason = "nothing to verify (nothing was deployed)" };
        }

        report = report with
        {
            ReleaseId = request.Release.ReleaseId,
            Strategy = outcome.Strategy,
            Health = outcome.Health,
            CanarySteps = outcome.CanarySteps,
            CanaryPercentReached = outcome.CanaryPercentReached,
        };
        var key = $"environments.{context.Deployment.Environment}.verify";
        var policy = _app.Environment(context.Deployment.Environment).Verify.ToPolicy(key, request.Health.Path);
        if (!policy.Enabled)
        {
            return report with { SkipReason = $"skipped ({key}.enabled is false)" };
        }

        if (request.Kubernetes is { } kubernetes)
        {
            // No nginx of ours fronts a cluster: the rollout already waited for every pod's readiness probe on the health path.
            return report with { SkipReason = $"skipped for the Kubernetes target {kubernetes.Display}: the rollout waited for every pod's readiness probe on {request.Health.Path}" };
        }

        report = report with { Path = policy.Path, Successes = policy.Successes };
        var compared = new SortedSet<string>(StringComparer.Ordinal);
        var hosts = new List<VerifyHostFigures>();
        foreach (var host in request.Hosts)
        {
            var working = context.Baseline.Working(host.Name);
            compared.UnionWith(working.Keys.Where(p => p != policy.Path));
            var figures = await CheckAsync(host, request, policy, working, context.Observer, cancellationToken);
            hosts.Add(figures);
            if (figures.Problem is { } problem)
            {
                report = report with { Compared = [.. compared], Hosts = [.. hosts], Problem = problem };
                return report with { Rollback = await FailedAsync(request, outcome.Switch, context.Observer, cancellationToken) };
            }
        }

        return report with { Compared = [.. compared], Hosts = [.. hosts] };
    }

    /// <summary>Verification failed: back to the previous release, at once when it still runs (a pending switch).</summary>
    private async Task<VerifyRollback> FailedAsync(DeployRequest request, ReleaseSwitch? handover, IDeployObserver observer, CancellationToken cancellationToken)
    {
        if (handover is { Pending: true })
        {
            if (!handover.HasPrevious)
            {
                await handover.RetireAsync(observer, cancellationToken);
                return new VerifyRollback(VerifyRollbackKind.FirstRelease, []);
            }

            var previous = handover.PreviousReleases;
            await handover.RevertAsync(observer);
            return new VerifyRollback(VerifyRollbackKind.Reverted, previous);
        }

        // The previous release was already stopped (a deploy that retired it at once): it starts again.
        try
        {
            var (release, rolled) = await _rollback.RollbackAsync(request, observer, cancellationToken);
            return rolled.Status == DeployStatus.Succeeded
                ? new VerifyRollback(VerifyRollbackKind.RestartedPrevious, [release.ReleaseId])
                : new VerifyRollback(VerifyRollbackKind.RollbackFailed, [release.ReleaseId], rolled.Reason);
        }
        catch (DeployMindException ex)
        {
            return new VerifyRollback(VerifyRollbackKind.Unavailable, [], ex.Message);
        }
    }

    /// <summary>
    /// The host's figures: every path's answers, and the problem unless every path gave its good answers in time:
    /// <see cref="VerifyPolicy.Failures"/> bad answers in a row on one path end it at once, else the deadline does.
    /// <paramref name="working"/>: the paths that answered below 500 on the previous release (they must not answer 5xx
    /// now), with what they answered.
    /// </summary>
    private async Task<VerifyHostFigures> CheckAsync(
        DeployHost host, DeployRequest request, VerifyPolicy policy, IReadOnlyDictionary<string, string> working, IDeployObserver observer, CancellationToken cancellationToken)
    {
        // The verify path must answer below 400; a compared path below 500 (a 404 or 401 that the old release gave too is no failure).
        var paths = working.Keys.Where(p => p != policy.Path).Order(StringComparer.Ordinal).Prepend(policy.Path)
            .Select(p => new PathCheck(p, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{request.ListenPort}{p}")), p == policy.Path))
            .ToList();
        VerifyHostFigures Figures(PathCheck? failed, string? problem) => new(
            host.Name,
            [.. paths.Select(p => new VerifyPathFigures(p.Path, p.Strict, p.Passed, p.Failed, p.Last, working.TryGetValue(p.Path, out var was) ? was : null))],
            failed is null ? null : $"{failed.Url} through nginx on {host.Name}: {problem}");
        var started = _time.GetTimestamp();
        while (true)
        {
            foreach (var path in paths)
            {
                var result = await host.Probe.GetAsync(path.Url, request.ServerName, policy.Timeout, cancellationToken);
                if (path.Strict ? result.Healthy : result.StatusCode is < 500)
                {
                    (path.Passed, path.Failed) = (path.Passed + 1, 0);
                    continue;
                }

                (path.Passed, path.Failed, path.Last) = (0, path.Failed + 1, result.Error ?? string.Create(CultureInfo.InvariantCulture, $"status {result.StatusCode}"));
                observer.Step(host.Name, $"verify: {path.Path} through nginx: {path.Last}");
                if (policy.Failures > 0 && path.Failed >= policy.Failures)
                {
                    return Figures(path, string.Create(CultureInfo.InvariantCulture, $"{path.Last}, {path.Failed} times in a row{Before(working, path.Path)}"));
                }
            }

            if (paths.All(p => p.Passed >= policy.Successes))
            {
                observer.Step(host.Name, string.Create(
                    CultureInfo.InvariantCulture, $"verified: {string.Join(", ", paths.Select(p => p.Path))} answered {policy.Successes}/{policy.Successes} through nginx"));
                return Figures(null, null);
            }

            if (_time.GetElapsedTime(started) + policy.Interval > policy.Deadline)
            {
                var worst = paths.OrderBy(p => p.Passed).First();
                return Figures(worst, string.Create(
                    CultureInfo.InvariantCulture, $"{worst.Last} (no {policy.Successes} good answers in a row within {Duration.Format(policy.Deadline)}){Before(working, worst.Path)}"));
            }

            await Task.Delay(policy.Interval, _time, cancellationToken);
        }
    }

    private static string Before(IReadOnlyDictionary<string, string> working, string path) =>
        working.TryGetValue(path, out var was) ? $"; the previous release answered {was} there" : string.Empty;

    private sealed class PathCheck(string path, Uri url, bool strict)
    {
        public string Path { get; } = path;

        public Uri Url { get; } = url;

        /// <summary>The verify path: below 400. Else a compared path: below 500.</summary>
        public bool Strict { get; } = strict;

        public int Passed { get; set; }

        public int Failed { get; set; }

        public string Last { get; set; } = "no answer yet";
    }
}
