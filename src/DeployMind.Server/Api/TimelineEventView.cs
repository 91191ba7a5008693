using DeployMind.Domain.Deploy;

namespace DeployMind.Server.Api;

/// <summary>One entry of a deployment's timeline; <see cref="Transition"/> is false for a note within a state.</summary>
internal sealed record TimelineEventView(DateTimeOffset At, string From, string To, string Detail, bool Transition)
{
    public static TimelineEventView Of(DeploymentEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new TimelineEventView(e.At, e.From.Name(), e.To.Name(), e.Detail, e.IsTransition);
    }
}
