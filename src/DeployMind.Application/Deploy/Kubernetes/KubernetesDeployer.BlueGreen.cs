using System.Globalization;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Kubernetes;

public sealed partial class KubernetesDeployer
{
    /// <summary>The colour the Service selects now, or null when it selects no colour (no Service yet, or a rolling/canary app).</summary>
    private static async Task<KubernetesVariant?> LiveColourAsync(IKubernetesCluster cluster, string app, CancellationToken cancellationToken)
    {
        var selector = await cluster.GetServiceSelectorAsync(app, cancellationToken);
        return selector is not null && selector.TryGetValue(KubernetesNames.ColourLabel, out var colour)
            ? colour == KubernetesNames.Value(KubernetesVariant.Green) ? KubernetesVariant.Green : KubernetesVariant.Blue
            : null;
    }

    /// <summary>
    /// Blue-green: the idle colour's Deployment gets the new release and is sized like the live one; once it is ready the
    /// Service's selector switches to it in one apply; the old colour stays up through the observation window while the
    /// new pods must stay ready without restarts; then it is scaled to zero (kept: the fast path back). A bad window
    /// switches the Service back and scales the new colour to zero.
    /// </summary>
    private async Task<DeployOutcome> BlueGreenAsync(
        IKubernetesCluster cluster, DeployRequest request, KubernetesWorkload workload, TimeSpan window, IDeployObserver observer, long started, CancellationToken cancellationToken)
    {
        var live = await LiveColourAsync(cluster, workload.App, cancellationToken);
        var colour = live is { } l ? KubernetesNames.Other(l) : KubernetesVariant.Blue;
        var next = workload with { Variant = colour };
        var liveStatus = await cluster.GetDeploymentAsync(live is { } c ? KubernetesNames.Deployment(workload.App, c) : workload.App, cancellationToken);
        var replicas = Math.Max(workload.Settings.Replicas, liveStatus?.Replicas ?? 0);
        observer.Step(cluster.Display, string.Create(CultureInfo.InvariantCulture, $"applying {next.DeploymentName} ({next.Image}), {replicas} pod(s); the Service stays on {(live is null ? "what it selects now" : KubernetesNames.Value(live.Value))}"));
        await cluster.ApplyAsync(next, KubernetesParts.ConfigMap | KubernetesParts.Deployment, cancellationToken);
        await cluster.ScaleAsync(next.DeploymentName, replicas, cancellationToken);
        var rollout = await WaitAsync(cluster, next, next.DeploymentName, observer, cancellationToken);
        if (!rollout.Complete)
        {
            await cluster.ScaleAsync(next.DeploymentName, 0, CancellationToken.None);
            return Failed(StrategyKind.BlueGreen, $"{next.DeploymentName} did not become ready: {rollout.Failure}. It was scaled to zero; the Service never left the live release.", rollout, started);
        }

        observer.Step(cluster.Display, $"switching the Service {workload.App} to {KubernetesNames.Value(colour)}");
        await cluster.ApplyAsync(next with { LiveColour = colour }, KubernetesParts.Service | KubernetesParts.Autoscaler | KubernetesParts.DisruptionBudget, cancellationToken);
        var old = live is { } was ? KubernetesNames.Deployment(workload.App, was) : liveStatus is null ? null : workload.App;
        if (old is null)
        {
            return Succeeded(StrategyKind.BlueGreen, cluster, rollout, started);
        }

        var problem = await ObserveAsync(cluster, next, window, request.Health.Interval, observer, cancellationToken);
        if (problem is not null)
        {
            if (live is { } previous)
            {
                observer.Step(cluster.Display, $"switching the Service {workload.App} back to {KubernetesNames.Value(previous)}");
                await cluster.ApplyAsync(next with { Variant = previous, LiveColour = previous }, KubernetesParts.Service | KubernetesParts.Autoscaler, CancellationToken.None);
                await cluster.ScaleAsync(next.DeploymentName, 0, CancellationToken.None);
                return Failed(StrategyKind.BlueGreen, $"{next.DeploymentName} misbehaved in the observation window: {problem}. The Service is back on {KubernetesNames.Value(previous)}.", rollout, started, DeployStatus.RolledBack);
            }

            return Failed(StrategyKind.BlueGreen, $"{next.DeploymentName} misbehaved in the observation window: {problem}. There is no earlier colour to switch back to; it stays.", rollout, started);
        }

        observer.Step(cluster.Display, $"observation window passed: scaling {old} to zero (kept for a fast rollback)");
        if (live is null)
        {
            // The app ran as one stable Deployment before: the colours replace it.
            await cluster.DeleteDeploymentAsync(old, cancellationToken);
        }
        else
        {
            await cluster.ScaleAsync(old, 0, cancellationToken);
        }

        return Succeeded(StrategyKind.BlueGreen, cluster, rollout, started);
    }

    /// <summary>Null when the pods of <paramref name="workload"/> stayed ready without restarts for <paramref name="window"/>, else what went wrong.</summary>
    private async Task<string?> ObserveAsync(IKubernetesCluster cluster, KubernetesWorkload workload, TimeSpan window, TimeSpan interval, IDeployObserver observer, CancellationToken cancellationToken)
    {
        var selector = KubernetesNames.ReleaseSelector(workload.App, workload.ReleaseId);
        var baseline = (await cluster.ListPodsAsync(selector, cancellationToken)).ToDictionary(p => p.Name, p => p.Restarts, StringComparer.Ordinal);
        observer.Step(cluster.Display, $"observing {workload.DeploymentName} for {Domain.Duration.Format(window)}");
        var from = _time.GetUtcNow();
        var progress = new StepProgress(_time, from, from + window);
        return await ObservationLoop.WatchAsync(_time, from + window, interval, async ct =>
        {
            var pods = await cluster.ListPodsAsync(selector, ct);
            if (UnhealthyPod(pods, baseline) is not { } bad)
            {
                if (progress.Due() is { } left)
                {
                    observer.Progress(cluster.Display, string.Create(CultureInfo.InvariantCulture, $"{workload.DeploymentName}: {pods.Count} pod(s) ready, no restarts, {left}"));
                }

                return null;
            }

            var what = bad.Ready ? string.Create(CultureInfo.InvariantCulture, $"pod {bad.Name} restarted ({bad.Restarts} restarts)") : $"pod {bad.Name} is not ready{(bad.WaitingReason is { } r ? $" ({r})" : string.Empty)}";
            return await KubernetesRollouts.DiagnoseAsync(cluster, workload.DeploymentName, what, bad, ct);
        }, cancellationToken);
    }

    /// <summary>The health judgement of pods being watched: the first that is not ready or restarted since <paramref name="baseline"/> (restarts by pod), else null.</summary>
    internal static KubernetesPod? UnhealthyPod(IReadOnlyList<KubernetesPod> pods, IReadOnlyDictionary<string, int> baseline) =>
        pods.FirstOrDefault(p => !p.Ready || p.Restarts > baseline.GetValueOrDefault(p.Name));
}
