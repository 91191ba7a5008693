using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Records;

/// <summary>One entry of a deployment's timeline; <see cref="Transition"/> is false for a note within a state.</summary>
public sealed record TimelineEventView(DateTimeOffset At, string From, string To, string Detail, bool Transition)
{
    public static TimelineEventView Of(DeploymentEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new TimelineEventView(e.At, e.From.Name(), e.To.Name(), e.Detail, e.IsTransition);
    }
}
