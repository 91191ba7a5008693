using System.Globalization;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Analysis;

/// <summary>
/// Waits for a release to answer its health path: consecutive successes required, one check per interval (while a
/// starting app refuses the connection, during the first interval, after <see cref="StartupRetry"/>, doubling up to
/// <see cref="StartupRetryLimit"/>), an overall
/// deadline. Stops before the deadline, saying why and what to change, when waiting cannot help: the process is gone
/// (a container that exited; asked after a failed check only), it listens on another port than the one it was given (refused
/// <see cref="WrongPortChecks"/> checks in a row, after the first one, while its processes listen elsewhere), or it answers but not on the
/// health path (404 or 405 <see cref="NotFoundChecks"/> checks in a row). Other failures (5xx, timeouts, refused while
/// it listens on nothing yet) are waited out until the deadline: the app may still be starting.
/// </summary>
public sealed class HealthChecker
{
    /// <summary>Consecutive refused checks, with the app listening on other ports only, that fail the wait at once.</summary>
    public const int WrongPortChecks = 2;

    /// <summary>Consecutive 404 (or 405) answers on the health path that fail the wait at once.</summary>
    public const int NotFoundChecks = 3;

    /// <summary>
    /// The first pause after a refused check while the app has not answered yet and less than an interval has passed
    /// since the first check (it is starting; a check made right after its start finds it not listening yet): the first
    /// answer is not made to wait a whole interval. Each further refusal doubles the pause, up to
    /// <see cref="StartupRetryLimit"/>: an app that listens within milliseconds is found then, one that takes seconds is
    /// not asked every 10 ms (over SSH each check is a round trip). Checks that follow an answer keep the interval.
    /// </summary>
    public static readonly TimeSpan StartupRetry = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest pause between the quick checks while an app starts (see <see cref="StartupRetry"/>).</summary>
    public static readonly TimeSpan StartupRetryLimit = TimeSpan.FromMilliseconds(100);

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
    /// <param name="watch">The process behind the URL (whether it runs, what it listens on, its logs), or null to only probe.</param>
    /// <param name="progress">Receives the running figures after every check ("2/3 checks passed").</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<HealthReport> WaitHealthyAsync(
        Uri baseUrl,
        HealthPolicy policy,
        HealthWatch? watch,
        IProgress<HealthReport>? progress,
        CancellationToken cancellationToken) =>
        WaitHealthyAsync(_probe, baseUrl, policy, watch, progress, cancellationToken);

    /// <summary>As <see cref="WaitHealthyAsync(Uri, HealthPolicy, HealthWatch?, IProgress{HealthReport}?, CancellationToken)"/>, probing through <paramref name="probe"/> (e.g. from a remote host).</summary>
    public async Task<HealthReport> WaitHealthyAsync(
        IHttpProbe probe,
        Uri baseUrl,
        HealthPolicy policy,
        HealthWatch? watch,
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
        var notFound = 0;
        var wrongPort = 0;
        var answered = false;
        string? lastError = null;

        // The process asked about after the first refusal while it starts: beside the quick checks, not before the next one.
        Task<string?>? early = null;
        try
        {
            while (true)
            {
                var result = await probe.GetAsync(url, policy.Timeout, cancellationToken);
                attempts++;
                (consecutive, lastError) = result.Healthy ? (consecutive + 1, lastError) : (0, result.Error);

                // The next check is due an interval after this one's answer: what is asked about the process meanwhile (host
                // commands) runs within the interval instead of adding to it.
                answered |= !result.Refused;
                var starting = !answered && _time.GetElapsedTime(started) < policy.Interval;
                var pause = consecutive >= policy.Successes ? Task.CompletedTask
                    : Task.Delay(starting ? StartupPause(attempts, policy.Interval) : policy.Interval, _time, cancellationToken);

                // The process is asked about only when it did not answer well: an answer is the proof that it runs, so a
                // healthy check costs no host command (it is on every deploy's critical path).
                // While it starts (quick checks), only after the first one, and without waiting for the answer.
                if (!result.Healthy && watch is not null && starting && attempts == 1)
                {
                    early = watch.Liveness(cancellationToken);
                }
                else if (!result.Healthy && watch is not null && !starting && await watch.Liveness(cancellationToken) is { } dead)
                {
                    return new HealthReport(false, 0, policy.Successes, attempts, _time.GetElapsedTime(started), dead);
                }

                if (early is { IsCompleted: true })
                {
                    var gone = await early;
                    early = null;
                    if (gone is not null)
                    {
                        return new HealthReport(false, 0, policy.Successes, attempts, _time.GetElapsedTime(started), gone);
                    }
                }

                notFound = result.StatusCode is 404 or 405 ? notFound + 1 : 0;
                IReadOnlySet<int>? listening = null;

                // Refused on the first check (and the quick ones while it starts) is how an app starts (not listening yet, or a
                // framework's first listener elsewhere): which ports it listens on is asked from the next refusal on.
                if (result.Refused && attempts > 1 && !starting && watch?.ListeningPorts is { } ports)
                {
                    listening = await ports(cancellationToken);
                }

                wrongPort = listening is { Count: > 0 } && !listening.Contains(url.Port) ? wrongPort + 1 : 0;
                var elapsed = _time.GetElapsedTime(started);
                var report = new HealthReport(consecutive >= policy.Successes, consecutive, policy.Successes, attempts, elapsed, null);
                progress?.Report(report);
                if (report.Healthy)
                {
                    return report;
                }

                if (notFound >= NotFoundChecks)
                {
                    return report with { Failure = await NotServedAsync(probe, url, result.StatusCode!.Value, policy, cancellationToken) };
                }

                if (wrongPort >= WrongPortChecks)
                {
                    return report with { Failure = await WrongPortAsync(url, listening!, watch!, cancellationToken) };
                }

                if (elapsed + policy.Interval > policy.Deadline)
                {
                    // The process was asked about after this check if it failed (and it ran then); an answer says it runs.
                    var why = $"{url} was not healthy within {policy.Deadline.TotalSeconds:0.#}s: {consecutive}/{policy.Successes} consecutive checks passed after {attempts} attempts"
                        + (lastError is null ? "." : $"; last error: {lastError}.");
                    return report with { Failure = why };
                }

                await pause;
            }
        }
        finally
        {
            // Not left running behind the deploy; what it found no longer matters (an answer, or a later check, said more).
            if (early is not null)
            {
                await ((Task)early).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>The pause after the <paramref name="attempts"/>-th check while the app starts: 10, 20, 40, 80, then 100 ms, never more than an interval.</summary>
    private static TimeSpan StartupPause(int attempts, TimeSpan interval)
    {
        var pause = StartupRetry * Math.Pow(2, Math.Min(attempts - 1, 8));
        pause = pause < StartupRetryLimit ? pause : StartupRetryLimit;
        return pause < interval ? pause : interval;
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
            return logs.Count == 0 ? $"{what} and printed nothing." : $"{what}. {LogTail(logs)}";
        };
    }

    // "Its last 2 log lines:\n  a\n  b", or that it printed nothing.
    private static string LogTail(IReadOnlyList<string> logs) =>
        logs.Count == 0 ? "It printed nothing." : $"Its last {logs.Count} log lines:\n  " + string.Join("\n  ", logs);

    // The app answers, but not on the health path: says so with the status, and whether / would do.
    private static async Task<string> NotServedAsync(IHttpProbe probe, Uri url, int status, HealthPolicy policy, CancellationToken cancellationToken)
    {
        var what = status == 405 ? "405 (method not allowed; health checks are GET requests)" : status.ToString(CultureInfo.InvariantCulture);
        var why = $"{url} answered {what} {NotFoundChecks} times in a row: the app answers on port {url.Port.ToString(CultureInfo.InvariantCulture)} but does not serve {policy.Path}.";
        var root = policy.Path == "/" ? null : await probe.GetAsync(new Uri(url, "/"), policy.Timeout, cancellationToken);
        return root is { Healthy: true, StatusCode: { } code }
            ? $"{why} Set healthCheck.path to a path it serves (/ answers {code.ToString(CultureInfo.InvariantCulture)}), or give the app a {policy.Path} route."
            : $"{why} Set healthCheck.path to a path it serves with a status below 400, or give the app a {policy.Path} route.";
    }

    // Refused on the port it was given while it listens on others: it does not read PORT.
    private static async Task<string> WrongPortAsync(Uri url, IReadOnlySet<int> listening, HealthWatch watch, CancellationToken cancellationToken)
    {
        var port = url.Port.ToString(CultureInfo.InvariantCulture);
        var ports = listening.Order().Select(p => p.ToString(CultureInfo.InvariantCulture)).ToList();
        var on = ports.Count == 1 ? ports[0] : string.Join(", ", ports[..^1]) + " and " + ports[^1];
        var why = $"{url} refused the connection {WrongPortChecks} times in a row: the app in {watch.Name} listens on {on}, not on $PORT={port}. "
            + "Make it listen on the port in PORT (and bind HOST): DeployMind gives each release a free port there, so no setting moves it "
            + "(target.docker.port is the port nginx serves the app on, not the app's own).";
        if (watch.Logs is null)
        {
            return why;
        }

        return why + " " + LogTail(await watch.Logs(cancellationToken));
    }
}
