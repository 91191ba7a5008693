using System.Globalization;
using System.Net;
using DeployMind.Application.Records;
using DeployMind.Application.Reporting;
using Microsoft.Extensions.Logging;
using Octokit;

namespace DeployMind.Infrastructure.GitHub;

// Retries (hand-written: the waits come from GitHub's headers) and the record of a call given up.
internal sealed partial class GitHubReporter
{
    /// <summary>Runs one GitHub call with retries; false (and the failure recorded in the deployment's log) when it was given up.</summary>
    private async Task<bool> CallAsync(DeploymentReport report, string what, Func<Task> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await call().ConfigureAwait(false);
                return true;
            }
#pragma warning disable CA1031 // Any failure of a call is recorded with the deployment; reporting never throws into a deployment.
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                var wait = RetryDelay(ex, attempt);
                if (wait is null || attempt >= _options.MaxAttempts)
                {
                    await RecordFailureAsync(report, what, attempt, ex, cancellationToken).ConfigureAwait(false);
                    return false;
                }

                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    var reason = Redact(Describe(ex));
                    LogRetry(report.Id, what, attempt, _options.MaxAttempts, reason, wait.Value.TotalSeconds);
                }

                await Task.Delay(wait.Value, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>How long to wait before trying again, or null when trying again cannot help.</summary>
    internal TimeSpan? RetryDelay(Exception failure, int attempt)
    {
        var backoff = Backoff(attempt);
        if (failure is not ApiException api)
        {
            // Network errors and timeouts are worth another try; anything else (an answer Octokit cannot read) is not.
            return failure is HttpRequestException or IOException or OperationCanceledException ? backoff : null;
        }

        var status = (int)api.StatusCode;
        if (status is 403 or 429)
        {
            var headers = api.HttpResponse?.Headers;
            if (Header(headers, "retry-after") is { } retryAfter)
            {
                if (int.TryParse(retryAfter, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
                {
                    return Cap(TimeSpan.FromSeconds(Math.Max(0, seconds)));
                }

                if (DateTimeOffset.TryParse(retryAfter, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var until))
                {
                    return Cap(until - _time.GetUtcNow());
                }
            }

            if (Header(headers, "x-ratelimit-remaining") == "0"
                && long.TryParse(Header(headers, "x-ratelimit-reset"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var reset))
            {
                return Cap(DateTimeOffset.FromUnixTimeSeconds(reset) - _time.GetUtcNow());
            }

            // A secondary limit or a 429 that says nothing: back off. Any other 403 is a refusal.
            return api is RateLimitExceededException or SecondaryRateLimitExceededException || status == 429 ? backoff : null;
        }

        return status >= 500 || api.StatusCode == HttpStatusCode.RequestTimeout ? backoff : null;
    }

    private TimeSpan Backoff(int attempt)
    {
        var wait = _backoff * Math.Pow(2, Math.Min(attempt - 1, 16));
        return wait < _maxBackoff ? wait : _maxBackoff;
    }

    private TimeSpan Cap(TimeSpan wait) =>
        wait < TimeSpan.Zero ? TimeSpan.Zero : wait > _maxRateLimitWait ? _maxRateLimitWait : wait;

    private static string? Header(IReadOnlyDictionary<string, string>? headers, string name) =>
        headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.Trim();

    private static string Describe(Exception ex) => ex switch
    {
        ApiException api => $"HTTP {(int)api.StatusCode}: {api.Message}",
        OperationCanceledException => "the request timed out",
        _ => ex.Message,
    };

    private async Task RecordFailureAsync(DeploymentReport report, string what, int attempts, Exception ex, CancellationToken cancellationToken)
    {
        var text = Redact($"GitHub {what} was not sent after {attempts} attempt{(attempts == 1 ? string.Empty : "s")}: {Describe(ex)}");
        LogGivenUp(report.Id, text);
        try
        {
            await _store.AppendLogAsync(report.Id, [new LogEntry(_time.GetUtcNow(), "report", text)], cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The record is best effort: a store failure is logged, never thrown into the reporting loop.
        catch (Exception storeFailure) when (storeFailure is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogRecordFailed(report.Id, Redact(storeFailure.Message));
        }
    }
}
