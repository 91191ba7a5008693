namespace DeployMind.Infrastructure.GitHub;

/// <summary>The <c>github</c> section: where deployment reports (commit statuses, the pull request comment, the Deployments API) go.</summary>
public sealed class GitHubOptions
{
    public const string SectionName = "github";

    /// <summary>The GitHub API: https://api.github.com/, or a GitHub Enterprise server (Octokit adds <c>/api/v3/</c> there).</summary>
    public string ApiUrl { get; set; } = "https://api.github.com/";

    /// <summary>The environment variable holding the token (never the YAML); without a token nothing is reported.</summary>
    public string TokenVariable { get; set; } = "GITHUB_TOKEN";

    /// <summary>The commit status context's prefix: the context is <c>&lt;statusContext&gt;/&lt;environment&gt;</c>.</summary>
    public string StatusContext { get; set; } = "deploymind";

    /// <summary>The DeployMind server's public URL; when set, statuses and the comment link to <c>{linkBase}/api/deployments/{id}</c>.</summary>
    public string? LinkBase { get; set; }

    /// <summary>Whether to report to GitHub at all.</summary>
    public bool Report { get; set; } = true;

    /// <summary>How many times one GitHub call is tried before the report is given up (and recorded in the deployment's log).</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>The wait before the first retry of a failed call (a duration); it doubles on each retry.</summary>
    public string Backoff { get; set; } = "1s";

    /// <summary>The longest wait between two retries of a failed call.</summary>
    public string MaxBackoff { get; set; } = "30s";

    /// <summary>The longest wait GitHub's rate limit (retry-after, x-ratelimit-reset) is honoured for before the call is tried again.</summary>
    public string MaxRateLimitWait { get; set; } = "60s";

    /// <summary>How long one GitHub request may take.</summary>
    public string RequestTimeout { get; set; } = "30s";
}
