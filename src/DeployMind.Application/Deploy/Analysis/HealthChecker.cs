using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Analysis;

/// <summary>
/// Waits for a release to answer its health path: consecutive successes required, one check per interval, an overall
/// deadline; stops at once when the liveness check says the process is gone (a container that exited), with why.
/// </summary>
public sealed class HealthChecker
{
    private readonly IHttpProbe _probe;
    private readonly TimeProvider _time;

    public HealthChecker(IHttpProbe probe, TimeProvider time)
    {
        _probe = probe;
        _time = time;
    }

    /// <summary>Checks <paramref name="baseUrl"/> + the policy's path until healthy, dead or out of time.</summary>
    /// <param name="baseUrl">e.g. http://127.0.0.1:41234.</param>
    /// <param name="policy">Path, interval, timeout, successes and deadline.</param>
    /// <param name="liveness">Returns why the app can no longer become healthy (it exited: code and last log lines), or null while it runs.</param>
    /// <param name="progress">Receives the running figures after every check ("2/3 checks passed").</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<HealthReport> WaitHealthyAsync(
        Uri baseUrl,
        HealthPolicy policy,
        Func<CancellationToken, Task<string?>>? liveness,
        IProgress<HealthReport>? progress,
        CancellationToken cancellationToken) =>
        WaitHealthyAsync(_probe, baseUrl, policy, liveness, progress, cancellationToken);

    /// <summary>As <see cref="WaitHealthyAsync(Uri, HealthPolicy, Func{CancellationToken, Task{string?}}?, IProgress{HealthReport}?, CancellationToken)"/>, probing through <paramref name="probe"/> (e.g. from a remote host).</summary>
    public async Task<HealthReport> WaitHealthyAsync(
        IHttpProbe probe,
        Uri baseUrl,
        HealthPolicy policy,
        Func<CancellationToken, Task<string?>>? liveness,
        IProgress<HealthReport>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(policy);
        var url = new Uri(baseUrl, policy.Path);
        var started = _time.GetTimestamp();
        var attempts = 0;
        var consecutive = 0;
        string? lastError = null;
        while (true)
        {
            if (liveness is not null && await liveness(cancellationToken) is { } dead)
            {
                return new HealthReport(false, consecutive, policy.Successes, attempts, _time.GetElapsedTime(started), dead);
            }

            var result = await probe.GetAsync(url, policy.Timeout, cancellationToken);
            attempts++;
            (consecutive, lastError) = result.Healthy ? (consecutive + 1, lastError) : (0, result.Error);
            var elapsed = _time.GetElapsedTime(started);
            var report = new HealthReport(consecutive >= policy.Successes, consecutive, policy.Successes, attempts, elapsed, null);
            progress?.Report(report);
            if (report.Healthy)
            {
                return report;
            }

            if (elapsed + policy.Interval > policy.Deadline)
            {
                var why = $"{url} was not healthy within {policy.Deadline.TotalSeconds:0.#}s: {consecutive}/{policy.Successes} consecutive checks passed after {attempts} attempts"
                    + (lastError is null ? "." : $"; last error: {lastError}.");
                if (liveness is not null && await liveness(cancellationToken) is { } deadNow)
                {
                    why += " " + deadNow;
                }

                return report with { Failure = why };
            }

            await Task.Delay(policy.Interval, _time, cancellationToken);
        }
    }

    /// <summary>A liveness check for a container: null while it runs, else its exit code and last log lines.</summary>
    public static Func<CancellationToken, Task<string?>> ContainerLiveness(IContainerRuntime runtime, string container, int logLines = 20)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        return async cancellationToken =>
        {
            var state = await runtime.InspectAsync(container, cancellationToken);
            if (state is { Running: true })
            {
                return null;
            }

            var logs = await runtime.LogsAsync(container, logLines, cancellationToken);
            var what = state is null ? $"Container {container} is gone" : $"Container {container} exited with code {state.ExitCode}";
            return logs.Count == 0
                ? $"{what} and printed nothing."
                : $"{what}. Its last {logs.Count} log lines:\n  " + string.Join("\n  ", logs);
        };
    }
}
