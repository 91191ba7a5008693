using System.Globalization;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Kubernetes;

public sealed partial class KubernetesDeployer
{
    /// <summary>
    /// The canary's replicas beside <paramref name="stable"/> stable pods so that it gets about <paramref name="percent"/>%
    /// of the Service's traffic (at least one pod): round(stable × p / (100 − p)).
    /// </summary>
    public static int CanaryReplicas(int stable, int percent)
    {
        if (percent >= 100)
        {
            return stable;
        }

        return Math.Max(1, (int)Math.Round(stable * percent / (double)(100 - percent), MidpointRounding.AwayFromZero));
    }

    /// <summary>
    /// Canary: "&lt;app&gt;-canary" runs the new release behind the same Service, sized per step; each step lasts the step
    /// duration while its pods must stay ready without restarts (and, with a log pattern, pass the error-rate analysis).
    /// A bad canary is deleted at once; a good one is promoted: the stable Deployment rolls to the new release, then the
    /// canary is removed.
    /// </summary>
    private async Task<DeployOutcome> CanaryAsync(
        IKubernetesCluster cluster, DeployRequest request, KubernetesWorkload workload, IDeployObserver observer, long started, CancellationToken cancellationToken)
    {
        var stable = await cluster.GetDeploymentAsync(workload.DeploymentName, cancellationToken);
        if (stable is null)
        {
            observer.Step(cluster.Display, $"no stable {workload.DeploymentName} yet: the first release rolls out directly");
            return await RollingAsync(cluster, workload, StrategyKind.Canary, observer, started, cancellationToken) is var first && first.Status == DeployStatus.Succeeded
                ? first with { CanaryPercentReached = 100 }
                : first;
        }

        var canary = workload with { Variant = KubernetesVariant.Canary };
        var steps = new List<CanaryStepResult>();
        var reached = 0;
        var stableReplicas = Math.Max(1, stable.Replicas);
        observer.Step(cluster.Display, $"applying {canary.DeploymentName} ({canary.Image})");
        if (request.Canary.ProbeTraffic is not null)
        {
            // DeployMind reaches no nginx in front of the Service here, and the pods' logs carry no marker to count probes apart.
            observer.Step("canary", "canary.probeTraffic is not sent on Kubernetes: the steps are judged on users' requests and the pods' readiness alone (see docs/strategies.md)");
        }

        await cluster.ApplyAsync(canary, KubernetesParts.ConfigMap | KubernetesParts.Deployment, cancellationToken);
        try
        {
            foreach (var percent in request.Canary.Steps.Where(p => p < 100))
            {
                var replicas = CanaryReplicas(stableReplicas, percent);
                await cluster.ScaleAsync(canary.DeploymentName, replicas, cancellationToken);
                var rollout = await WaitAsync(cluster, canary, canary.DeploymentName, observer, cancellationToken);
                if (!rollout.Complete)
                {
                    await DeleteCanaryAsync(cluster, canary, observer);
                    var status = reached == 0 ? DeployStatus.Failed : DeployStatus.RolledBack;
                    return Failed(StrategyKind.Canary, $"The canary did not become ready at {percent}%: {rollout.Failure}. It was deleted; the stable release serves.", rollout, started, status) with
                    {
                        CanarySteps = steps,
                        CanaryPercentReached = reached,
                    };
                }

                reached = percent;
                observer.Step(cluster.Display, string.Create(
                    CultureInfo.InvariantCulture, $"canary at {percent}%: {replicas} canary pod(s) beside {stableReplicas} stable ({100.0 * replicas / (replicas + stableReplicas):0}% of the Service's endpoints)"));
                // An extended step keeps its window: the judge's comparisons stay valid however long it grows.
                DateTimeOffset? windowStart = null;
                var failed = await CanaryJudge.RunStepAsync(request.Canary, percent, steps, observer, async ct =>
                {
                    var result = await WatchCanaryStepAsync(cluster, request, canary, percent, windowStart ??= _time.GetUtcNow(), observer, ct);
                    observer.Step("canary", $"{percent}% step: {result.Verdict}: {result.Reason}");
                    return result;
                }, cancellationToken);
                if (failed is not null)
                {
                    await DeleteCanaryAsync(cluster, canary, observer);
                    return Failed(StrategyKind.Canary, $"{CanaryJudge.RolledBack(failed, percent, request.Canary)} The canary was deleted; the stable release serves.", null, started, DeployStatus.RolledBack) with
                    {
                        CanarySteps = steps,
                        CanaryPercentReached = percent,
                    };
                }
            }

            // Promotion: the stable Deployment rolls to the new release (the canary still serves beside it), then the canary goes.
            observer.Step(cluster.Display, $"promoting: {workload.DeploymentName} rolls to {workload.Image}");
            await cluster.ApplyAsync(workload, KubernetesParts.All, cancellationToken);
            await SizeAsync(cluster, workload, stable, cancellationToken);
            var promoted = await WaitAsync(cluster, workload, workload.DeploymentName, observer, cancellationToken);
            if (!promoted.Complete)
            {
                var back = await UndoAsync(cluster, workload, observer, cancellationToken);
                await DeleteCanaryAsync(cluster, canary, observer);
                return Failed(
                    StrategyKind.Canary,
                    $"Promotion failed: {promoted.Failure}; {workload.DeploymentName} is back on revision {back?.Number.ToString(CultureInfo.InvariantCulture) ?? "(none earlier)"} and the canary was deleted.",
                    promoted,
                    started,
                    DeployStatus.RolledBack) with { CanarySteps = steps, CanaryPercentReached = reached };
            }

            await DeleteCanaryAsync(cluster, canary, observer);
            return Succeeded(StrategyKind.Canary, cluster, promoted, started, 100) with { CanarySteps = steps };
        }
        catch (OperationCanceledException)
        {
            await DeleteCanaryAsync(cluster, canary, observer);
            throw;
        }
        catch (Domain.DeployMindException ex)
        {
            await DeleteCanaryAsync(cluster, canary, observer);
            return Failed(StrategyKind.Canary, $"{ex.Message} The canary was deleted; the stable release serves.", null, started, reached == 0 ? DeployStatus.Failed : DeployStatus.RolledBack) with
            {
                CanarySteps = steps,
                CanaryPercentReached = reached,
            };
        }
    }

    private static async Task DeleteCanaryAsync(IKubernetesCluster cluster, KubernetesWorkload canary, IDeployObserver observer)
    {
        observer.Step(cluster.Display, $"deleting {canary.DeploymentName}");
        await cluster.DeleteDeploymentAsync(canary.DeploymentName, CancellationToken.None);
    }

    /// <summary>
    /// One step: every health interval for the step duration, the canary's pods must all be ready with no new restarts
    /// (a pod that is not is a verdict at once); then, with a log pattern, the step's access-log lines of the canary and
    /// stable pods are judged by <see cref="CanaryAnalysis"/> (canary against stable; no split check: the Service
    /// balances connections, not requests, so the split by pod count is only approximate). A few times a step, where it stands is reported as progress
    /// (with a log pattern, the canary's requests so far).
    /// </summary>
    private async Task<CanaryStepResult> WatchCanaryStepAsync(
        IKubernetesCluster cluster, DeployRequest request, KubernetesWorkload canary, int percent, DateTimeOffset from, IDeployObserver observer, CancellationToken cancellationToken)
    {
        var selector = KubernetesNames.ReleaseSelector(canary.App, canary.ReleaseId);
        var baseline = (await cluster.ListPodsAsync(selector, cancellationToken)).ToDictionary(p => p.Name, p => p.Restarts, StringComparer.Ordinal);
        var until = _time.GetUtcNow() + request.Canary.StepDuration;
        var checks = 0;
        var progress = new StepProgress(_time, _time.GetUtcNow(), until);
        var unhealthy = await ObservationLoop.WatchAsync(_time, until, request.Health.Interval, async ct =>
        {
            checks++;
            var pods = await cluster.ListPodsAsync(selector, ct);
            var bad = UnhealthyPod(pods, baseline);
            if (bad is null && pods.Count > 0)
            {
                if (progress.Due() is { } left)
                {
                    var figures = canary.Settings.LogPattern is null
                        ? string.Create(CultureInfo.InvariantCulture, $"{pods.Count} pod(s) ready, no restarts")
                        : StepProgress.Figures(CanaryAnalysis.Judge(await ReadTrafficAsync(cluster, canary, from, ct), "canary", "stable", request.Canary, splitNotChecked: SplitNotChecked), request.Canary.MinRequests);
                    observer.Progress("canary", $"canary {percent}%: {figures}, {left}");
                }

                return null;
            }

            var what = bad is null ? "no canary pod is left"
                : !bad.Ready ? $"canary pod {bad.Name} is not ready{(bad.WaitingReason is { } r ? $" ({r})" : string.Empty)}"
                : string.Create(CultureInfo.InvariantCulture, $"canary pod {bad.Name} restarted ({bad.Restarts} restarts{(bad.LastTerminationReason is { } t ? $", last: {t}" : string.Empty)})");
            var diagnosis = await KubernetesRollouts.DiagnoseAsync(cluster, canary.DeploymentName, what, bad, ct);
            return new CanaryStepResult(CanaryVerdict.Unhealthy, UpstreamStats.Empty, UpstreamStats.Empty, diagnosis);
        }, cancellationToken);
        if (unhealthy is not null)
        {
            return unhealthy;
        }

        var ready = string.Create(CultureInfo.InvariantCulture, $"canary pods ready with no restarts through {checks} check(s)");
        if (canary.Settings.LogPattern is null)
        {
            return new CanaryStepResult(CanaryVerdict.Healthy, UpstreamStats.Empty, UpstreamStats.Empty, ready);
        }

        var window = await ReadTrafficAsync(cluster, canary, from, cancellationToken);
        var judged = CanaryAnalysis.Judge(window, "canary", "stable", request.Canary, splitNotChecked: SplitNotChecked);
        return judged with { Reason = $"{ready}; {judged.Reason}" };
    }

    /// <summary>
    /// Why a Kubernetes canary has no sample ratio check: the Service picks a pod per connection, and a keep-alive client
    /// sends many requests down one, so the canary's share of requests scatters far more than a per-request split's
    /// (a chi-square on request counts would flag mismatches that are not there). Said in every decision's figures.
    /// </summary>
    internal const string SplitNotChecked =
        "the Kubernetes Service balances connections, not requests (a keep-alive client sends many requests to one pod), so the request counts cannot be tested against the weight";

    /// <summary>The step's requests of the canary and the stable pods, counted from their log lines with the configured pattern.</summary>
    private async Task<TrafficWindow> ReadTrafficAsync(IKubernetesCluster cluster, KubernetesWorkload canary, DateTimeOffset from, CancellationToken cancellationToken)
    {
        var to = _time.GetUtcNow();
        var since = to - from + TimeSpan.FromSeconds(1);
        var byTrack = new Dictionary<string, UpstreamStats>(StringComparer.Ordinal);
        foreach (var (track, variant) in new[] { ("canary", KubernetesVariant.Canary), ("stable", KubernetesVariant.Stable) })
        {
            var pods = await cluster.ListPodsAsync(KubernetesNames.Selector(KubernetesNames.DeploymentSelector(canary.App, variant)), cancellationToken);
            var lines = new List<string>();
            foreach (var pod in pods)
            {
                lines.AddRange(await cluster.PodLogsAsync(pod.Name, 10_000, since, cancellationToken));
            }

            byTrack[track] = AccessLogStats.Count(lines, canary.Settings.LogPattern!);
        }

        return new TrafficWindow(from, to, byTrack);
    }
}
