namespace DeployMind.Application.Deploy.Analysis;

/// <summary>
/// The one observation loop every strategy watches a new release with (a canary step, a blue-green observation window,
/// on Docker hosts and on Kubernetes): every interval until the window ends (the last wait shortened to end on time), one
/// check; the first problem a check finds ends the watch. Time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
internal static class ObservationLoop
{
    /// <summary>Runs <paramref name="check"/> every <paramref name="interval"/> until <paramref name="until"/>; the first non-null result, or null when the window held.</summary>
    public static async Task<T?> WatchAsync<T>(TimeProvider time, DateTimeOffset until, TimeSpan interval, Func<CancellationToken, Task<T?>> check, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(check);
        while (time.GetUtcNow() < until)
        {
            var wait = until - time.GetUtcNow();
            await Task.Delay(wait < interval ? wait : interval, time, cancellationToken);
            if (await check(cancellationToken) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }
}
