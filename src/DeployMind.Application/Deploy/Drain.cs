using DeployMind.Application.Deploy.Hosts;

namespace DeployMind.Application.Deploy;

/// <summary>
/// The wait between a switch and the stop of the containers traffic left: until the router says the requests it took
/// before the switch have all finished (<see cref="ITrafficRouter.DrainedAsync"/>), at most the drain
/// (<c>target.docker.drain</c>). A router that cannot tell gets the whole drain, as before.
/// </summary>
internal static class Drain
{
    /// <summary>How often the router is asked.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>Waits until <paramref name="router"/> is drained or <paramref name="drain"/> has passed.</summary>
    public static async Task WaitAsync(ITrafficRouter router, TimeSpan drain, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(time);
        var started = time.GetTimestamp();
        while (true)
        {
            var left = drain - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero || await router.DrainedAsync(cancellationToken))
            {
                return;
            }

            await Task.Delay(left < Poll ? left : Poll, time, cancellationToken);
        }
    }
}
