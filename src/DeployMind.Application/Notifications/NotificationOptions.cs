namespace DeployMind.Application.Notifications;

/// <summary>
/// The <c>notifications</c> section: where deploy events are sent. Read from the process's settings (machine, user, the
/// server's <c>--config</c>) with the app's <c>deploymind.yml</c> above them, so channels are merged by name: an app adds its
/// own, and may change or turn off (<c>enabled: false</c>) one of the machine's by using its name.
/// </summary>
public sealed class NotificationOptions
{
    public const string SectionName = "notifications";

    /// <summary>The server's public address; every message links to <c>{publicUrl}/deployments/{id}</c>. Default: the first of <c>server.urls</c>.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>How long one channel may take to accept one message before it is given up (and recorded as a warning).</summary>
    public string Timeout { get; set; } = "10s";

    /// <summary>How long a queued deployment waits for a target's lock before <c>lock_wait</c> is sent (once).</summary>
    public string LockWait { get; set; } = "5m";

    /// <summary>The channels by name.</summary>
    public Dictionary<string, NotificationChannelOptions> Channels { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>One channel (<c>notifications.channels.&lt;name&gt;</c>). Secrets (webhook URLs, signing secrets, SMTP passwords) are named by a variable or a file, never written here.</summary>
public sealed class NotificationChannelOptions
{
    /// <summary>slack, discord, teams, email or webhook.</summary>
    public string? Type { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>Which events are sent (started, succeeded, failed, rolled_back, superseded, cancelled, lock_wait); empty: all.</summary>
    public List<string> Events { get; set; } = [];

    /// <summary>Only these environments; empty: every environment.</summary>
    public List<string> Environments { get; set; } = [];

    /// <summary>Only these apps (for a machine's channel); empty: every app.</summary>
    public List<string> Apps { get; set; } = [];

    /// <summary>slack, discord, teams, webhook: the environment variable holding the webhook URL (a secret: whoever has it can post).</summary>
    public string? UrlVariable { get; set; }

    /// <summary>...or a file holding it (its first line).</summary>
    public string? UrlFile { get; set; }

    /// <summary>webhook: the environment variable holding the HMAC-SHA256 signing secret.</summary>
    public string? SecretVariable { get; set; }

    /// <summary>...or a file holding it (its first line).</summary>
    public string? SecretFile { get; set; }

    /// <summary>email: the sender address.</summary>
    public string? From { get; set; }

    /// <summary>email: the recipients.</summary>
    public List<string> To { get; set; } = [];

    /// <summary>email: the SMTP server.</summary>
    public SmtpOptions Smtp { get; set; } = new();
}

/// <summary>An email channel's SMTP server (<c>smtp:</c>).</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary>auto (TLS on 465, STARTTLS when offered elsewhere), starttls (required), tls (implicit TLS) or none.</summary>
    public string Security { get; set; } = "auto";

    /// <summary>The user to log in as; none: no login.</summary>
    public string? User { get; set; }

    /// <summary>The environment variable holding the password (required with a user, or <see cref="PasswordFile"/>).</summary>
    public string? PasswordVariable { get; set; }

    public string? PasswordFile { get; set; }
}
