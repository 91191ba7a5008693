using System.Globalization;

namespace DeployMind.Application.Deploy.Kubernetes;

/// <summary>How waiting for a rollout ended.</summary>
/// <param name="Complete">Every wanted pod runs the new template and is available.</param>
/// <param name="Failure">Why not (the reason, the failing pod's events and last log lines), or null.</param>
/// <param name="Last">The Deployment as last read.</param>
/// <param name="Polls">Reads made.</param>
/// <param name="Elapsed">Time spent.</param>
internal sealed record RolloutResult(bool Complete, string? Failure, KubernetesDeploymentStatus? Last, int Polls, TimeSpan Elapsed);

/// <summary>
/// <c>kubectl rollout status</c> with a deadline, and the diagnosis of a rollout that fails: the Deployment's
/// ProgressDeadlineExceeded condition, pods that crash-loop or cannot pull their image (reported at once, with the pod's
/// events and last log lines), or the deadline passing.
/// </summary>
internal sealed class KubernetesRollouts
{
    /// <summary>Container waiting reasons that do not get better by waiting.</summary>
    public static readonly IReadOnlySet<string> FatalWaitingReasons = new HashSet<string>(StringComparer.Ordinal)
    {
        "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError", "ErrImageNeverPull",
    };

    private readonly TimeProvider _time;

    public KubernetesRollouts(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>Whether the Deployment's rollout is done, failed (ProgressDeadlineExceeded) or still going, with a line saying where it is.</summary>
    public static (bool? Complete, string Progress) Evaluate(KubernetesDeploymentStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (status.ObservedGeneration < status.Generation)
        {
            return (null, "waiting for the deployment controller to see the new spec");
        }

        if (status.Condition("Progressing") is { Reason: "ProgressDeadlineExceeded" } stalled)
        {
            return (false, $"ProgressDeadlineExceeded: {stalled.Message ?? "the rollout made no progress in time"}");
        }

        var figures = string.Create(CultureInfo.InvariantCulture, $"{status.UpdatedReplicas}/{status.Replicas} updated, {status.ReadyReplicas} ready, {status.AvailableReplicas} available");
        if (status.UpdatedReplicas < status.Replicas || status.AvailableReplicas < status.UpdatedReplicas)
        {
            return (null, figures);
        }

        return status.TotalReplicas > status.UpdatedReplicas
            ? (null, string.Create(CultureInfo.InvariantCulture, $"{figures}, {status.TotalReplicas - status.UpdatedReplicas} old pod(s) terminating"))
            : (true, figures);
    }

    /// <summary>Waits for the Deployment's rollout; pods of <paramref name="podSelector"/> (the new release's) are watched for crash loops and image pulls.</summary>
    public async Task<RolloutResult> WaitAsync(
        IKubernetesCluster cluster, string deployment, string podSelector, TimeSpan deadline, TimeSpan interval, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(observer);
        var started = _time.GetTimestamp();
        var (polls, lastProgress) = (0, string.Empty);
        KubernetesDeploymentStatus? status = null;
        while (true)
        {
            polls++;
            status = await cluster.GetDeploymentAsync(deployment, cancellationToken);
            if (status is null)
            {
                return new RolloutResult(false, $"the Deployment {deployment} is gone (deleted while it rolled out)", null, polls, _time.GetElapsedTime(started));
            }

            var (complete, progress) = Evaluate(status);
            if (progress != lastProgress)
            {
                observer.Step(cluster.Display, $"{deployment}: {progress}");
                lastProgress = progress;
            }

            if (complete == true)
            {
                return new RolloutResult(true, null, status, polls, _time.GetElapsedTime(started));
            }

            var pods = await cluster.ListPodsAsync(podSelector, cancellationToken);
            var broken = pods.FirstOrDefault(p => p.WaitingReason is { } reason && FatalWaitingReasons.Contains(reason));
            if (complete == false || broken is not null)
            {
                var why = broken is not null ? $"pod {broken.Name} is {broken.WaitingReason}{(broken.WaitingMessage is { Length: > 0 } m ? $" ({m})" : string.Empty)}" : progress;
                return new RolloutResult(false, await DiagnoseAsync(cluster, deployment, why, broken ?? pods.FirstOrDefault(p => !p.Ready), cancellationToken), status, polls, _time.GetElapsedTime(started));
            }

            if (_time.GetElapsedTime(started) + interval > deadline)
            {
                var why = $"the rollout did not finish within {Domain.Duration.Format(deadline)} ({progress})";
                return new RolloutResult(false, await DiagnoseAsync(cluster, deployment, why, pods.FirstOrDefault(p => !p.Ready), cancellationToken), status, polls, _time.GetElapsedTime(started));
            }

            await Task.Delay(interval, _time, cancellationToken);
        }
    }

    /// <summary>The reason, then the events of the Deployment and of the pod, then the pod's last log lines.</summary>
    public static async Task<string> DiagnoseAsync(IKubernetesCluster cluster, string deployment, string why, KubernetesPod? pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var parts = new List<string> { why };
        var events = (await cluster.EventsAsync(deployment, cancellationToken)).ToList();
        if (pod is not null)
        {
            events.AddRange(await cluster.EventsAsync(pod.Name, cancellationToken));
        }

        var warnings = events.Where(e => e.Type != "Normal").TakeLast(5).ToList();
        if (warnings.Count > 0)
        {
            parts.Add("events: " + string.Join("; ", warnings.Select(e => $"{e.Reason}: {e.Message}")));
        }

        if (pod is not null)
        {
            var logs = await cluster.PodLogsAsync(pod.Name, 20, null, cancellationToken);
            var tail = logs.Where(l => !string.IsNullOrWhiteSpace(l)).TakeLast(5).ToList();
            parts.Add(tail.Count > 0 ? $"last log lines of {pod.Name}: {string.Join(" | ", tail)}" : $"{pod.Name} logged nothing");
        }

        return string.Join(". ", parts);
    }
}
