namespace DeployMind.Application.Notifications;

/// <summary>What a notification is about: the deploy events a channel can ask for (<c>events:</c>).</summary>
public enum NotificationEvent
{
    /// <summary>The run began (the deployment left the queue).</summary>
    Started,

    Succeeded,

    Failed,

    /// <summary>Put back on the release before it: automatically (a failed check) or by a rollback that succeeded.</summary>
    RolledBack,

    /// <summary>Never run: a newer deployment of the same app and environment succeeded first.</summary>
    Superseded,

    Cancelled,

    /// <summary>A queued deployment has waited for a target's lock longer than <c>notifications.lockWait</c>.</summary>
    LockWait,
}

/// <summary>The events' names in configuration and payloads (snake_case: <c>rolled_back</c>, <c>lock_wait</c>).</summary>
public static class NotificationEvents
{
    /// <summary>Every event, in the order of <see cref="NotificationEvent"/>.</summary>
    public static IReadOnlyList<NotificationEvent> All { get; } = Enum.GetValues<NotificationEvent>();

    public static string Name(this NotificationEvent value) => value switch
    {
        NotificationEvent.RolledBack => "rolled_back",
        NotificationEvent.LockWait => "lock_wait",
        _ => value.ToString().ToLowerInvariant(),
    };

    /// <summary>The event called <paramref name="text"/> (case and '-'/'_' ignored), or null.</summary>
    public static NotificationEvent? Parse(string? text)
    {
        var wanted = text?.Trim().Replace("-", "_", StringComparison.Ordinal).ToLowerInvariant();
        return All.Cast<NotificationEvent?>().FirstOrDefault(e => e!.Value.Name() == wanted);
    }
}
