namespace DeployMind.Application.Notifications;

/// <summary>
/// Sends one message over one kind of channel (Slack, Discord, Teams, email, a signed webhook): the port
/// <see cref="NotificationDispatcher"/> sends through; adapters live in Infrastructure. A sender throws when the message
/// was not accepted; the dispatcher bounds it with the timeout and records the failure, never the target's secrets.
/// </summary>
public interface INotificationSender
{
    /// <summary>The channel type it serves (<c>slack</c>, <c>discord</c>, <c>teams</c>, <c>email</c>, <c>webhook</c>).</summary>
    string Type { get; }

    /// <summary>Sends <paramref name="notice"/> to <paramref name="target"/>.</summary>
    Task SendAsync(DeploymentNotice notice, NotificationTarget target, CancellationToken cancellationToken);
}

/// <summary>A channel with its secrets read (from their variables or files): what a sender needs.</summary>
/// <param name="Name">The channel's name (<c>notifications.channels.&lt;name&gt;</c>).</param>
/// <param name="Options">Its settings.</param>
/// <param name="Url">The webhook URL (Slack, Discord, Teams, webhook).</param>
/// <param name="Secret">The webhook's signing secret.</param>
/// <param name="Password">The SMTP password.</param>
public sealed record NotificationTarget(string Name, NotificationChannelOptions Options, Uri? Url, string? Secret, string? Password)
{
    /// <summary>Every secret value of this target: what must never reach a log or a record.</summary>
    public IEnumerable<string> SecretValues()
    {
        if (Url is { } url)
        {
            yield return url.OriginalString;
            yield return url.AbsoluteUri;
            if (url.PathAndQuery.Length > 1)
            {
                yield return url.PathAndQuery;
            }
        }

        if (!string.IsNullOrEmpty(Secret))
        {
            yield return Secret;
        }

        if (!string.IsNullOrEmpty(Password))
        {
            yield return Password;
        }
    }

    /// <summary><paramref name="text"/> with every secret of this target replaced by ***.</summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in SecretValues().Where(s => s.Length >= 4).OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }
}

/// <summary>Notices a deployment that waits for a lock (the worker asks; the dispatcher decides and sends).</summary>
public interface IDeploymentNotifier
{
    /// <summary>
    /// The deployment has waited <paramref name="waited"/> for a target's lock: true when that is longer than
    /// <c>notifications.lockWait</c> and a <c>lock_wait</c> notice was queued (the caller records it, so it is sent once).
    /// </summary>
    bool LockWaiting(Reporting.DeploymentReport report, TimeSpan waited, string detail);
}
