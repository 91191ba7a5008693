using DeployMind.Domain;

namespace DeployMind.Application.Webhooks;

/// <summary><c>server:</c> what <c>deploymind serve</c> listens on, which webhooks it trusts and what they deploy.</summary>
public sealed class ServerOptions
{
    public const string SectionName = "server";

    /// <summary>Where the server listens (default http://127.0.0.1:8090; put a TLS proxy in front for GitHub).</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8090";

    /// <summary>The environment variable holding the webhook secret (the same as in GitHub's webhook settings).</summary>
    public string WebhookSecretVariable { get; set; } = "GITHUB_WEBHOOK_SECRET";

    /// <summary>
    /// The environment variable holding the previous secret while it is being rotated: deliveries signed with either are
    /// accepted. Unset it once GitHub uses the new one.
    /// </summary>
    public string PreviousWebhookSecretVariable { get; set; } = "GITHUB_WEBHOOK_SECRET_PREVIOUS";

    /// <summary>
    /// The webhook secret itself, when it cannot come from a variable (<c>DEPLOYMIND__SERVER__WEBHOOKSECRET</c>, a mounted
    /// configuration file). Never write it in a repository's deploymind.yml.
    /// </summary>
    public string? WebhookSecret { get; set; }

    /// <summary>The previous secret during a rotation, like <see cref="WebhookSecret"/>.</summary>
    public string? PreviousWebhookSecret { get; set; }

    /// <summary>The largest webhook body accepted, in bytes (GitHub caps payloads at 25 MB).</summary>
    public long MaxWebhookBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>Settings per GitHub repository ("owner/name"): where workers fetch it, the app's folder, which branch deploys where.</summary>
    public Dictionary<string, RepositoryOptions> Repositories { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>true: webhooks of repositories not listed in <see cref="Repositories"/> are ignored.</summary>
    public bool OnlyConfiguredRepositories { get; set; }

    public ServerPreviewOptions Previews { get; set; } = new();

    /// <summary>How long received webhook deliveries are kept (<c>GET /api/webhooks/deliveries</c>); older ones are deleted.</summary>
    public string DeliveryRetention { get; set; } = "720h";

    /// <summary>The retention, checked.</summary>
    public TimeSpan DeliveryRetentionValue => Duration.Parse(DeliveryRetention, "server.deliveryRetention");

    public ServerWorkerOptions Workers { get; set; } = new();

    /// <summary>The accepted webhook secrets (current first), from the variables or the settings; empty when none is set.</summary>
    public IReadOnlyList<string> WebhookSecrets(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var current = Pick(variable(WebhookSecretVariable), WebhookSecret);
        var previous = Pick(variable(PreviousWebhookSecretVariable), PreviousWebhookSecret);
        return [.. new[] { current, previous }.OfType<string>().Distinct(StringComparer.Ordinal)];

        static string? Pick(string? fromVariable, string? fromSettings) =>
            !string.IsNullOrEmpty(fromVariable) ? fromVariable : string.IsNullOrEmpty(fromSettings) ? null : fromSettings;
    }

    /// <summary>The settings of <paramref name="repository"/> ("owner/name"), or null when it is not listed.</summary>
    public RepositoryOptions? Repository(string repository) => Repositories.TryGetValue(repository, out var options) ? options : null;
}

/// <summary><c>server.repositories."owner/name":</c>.</summary>
public sealed class RepositoryOptions
{
    /// <summary>Where workers fetch it: a clone URL or a local (bare) repository. Default: the payload's clone URL.</summary>
    public string? Source { get; set; }

    /// <summary>The app's folder inside the repository.</summary>
    public string Path { get; set; } = ".";

    /// <summary>Branch → environment: a push to the branch deploys the environment. Default: the repository's default branch → production.</summary>
    public Dictionary<string, string>? Branches { get; set; }
}

/// <summary><c>server.previews:</c> pull request previews.</summary>
public sealed class ServerPreviewOptions
{
    /// <summary>false: pull request events are acknowledged and ignored.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The queue (and the app's environment settings) previews deploy with.</summary>
    public string Environment { get; set; } = "preview";

    /// <summary>A preview not deployed again within this time is removed (the sweeper).</summary>
    public string Ttl { get; set; } = "72h";

    /// <summary>How often the sweeper looks for expired previews.</summary>
    public string SweepInterval { get; set; } = "10m";

    /// <summary>Deploy previews of pull requests from forks too. Off by default: a fork's code would run on your hosts.</summary>
    public bool Forks { get; set; }

    /// <summary>The TTL, checked.</summary>
    public TimeSpan TtlValue => Duration.Parse(Ttl, "server.previews.ttl");

    /// <summary>The sweep interval, checked.</summary>
    public TimeSpan SweepIntervalValue => Duration.Parse(SweepInterval, "server.previews.sweepInterval");
}

/// <summary><c>server.workers:</c> the workers the server runs itself (none: run <c>deploymind worker</c> elsewhere).</summary>
public sealed class ServerWorkerOptions
{
    /// <summary>false: the server only queues; workers run elsewhere.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The queues its workers take jobs from (default: production, staging and the previews' environment).</summary>
    public List<string>? Environments { get; set; }

    /// <summary>Jobs run at once per environment.</summary>
    public int Concurrency { get; set; } = 1;

    /// <summary>The environments, defaults applied.</summary>
    public IReadOnlyList<string> EnvironmentsOr(string previews) =>
        Environments is { Count: > 0 } configured ? [.. configured.Distinct(StringComparer.OrdinalIgnoreCase)] : ["production", "staging", previews];
}
