namespace DeployMind.IntegrationTests.Support;

/// <summary>A request the fake GitHub API received (path without any <c>/api/v3</c> prefix), with the answer's status code.</summary>
public sealed record FakeGitHubRequest(
    DateTimeOffset At,
    string Method,
    string Path,
    string Query,
    string Body,
    IReadOnlyDictionary<string, string> Headers,
    int StatusCode)
{
    /// <summary>The request's <c>Authorization</c> header, or null.</summary>
    public string? Authorization => Headers.TryGetValue("Authorization", out var value) ? value : null;

    public override string ToString() => $"{Method} {Path}{Query} → {StatusCode}";
}

/// <summary>An issue (pull request) comment held by the fake.</summary>
public sealed record FakeGitHubComment(long Id, int Issue, string Body, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A commit status held by the fake.</summary>
public sealed record FakeGitHubStatus(long Id, string Sha, string State, string? Context, string? Description, string? TargetUrl);

/// <summary>A GitHub deployment held by the fake, with its statuses in the order they were created.</summary>
public sealed record FakeGitHubDeployment(
    long Id,
    string Ref,
    string Environment,
    bool? TransientEnvironment,
    bool? AutoMerge,
    IReadOnlyList<string>? RequiredContexts,
    string? Description,
    IReadOnlyList<FakeGitHubDeploymentStatus> Statuses);

/// <summary>A deployment status held by the fake.</summary>
public sealed record FakeGitHubDeploymentStatus(long Id, string State, string? Description, string? EnvironmentUrl, string? LogUrl);

/// <summary>A scripted failure: what the fake answers instead of the real thing.</summary>
public enum FakeGitHubFailure
{
    /// <summary>403 with <c>x-ratelimit-remaining: 0</c> and <c>x-ratelimit-reset</c> the given seconds ahead (rounded up to a whole second).</summary>
    RateLimit403,

    /// <summary>429 with <c>retry-after</c> the given seconds.</summary>
    TooManyRequests429,

    /// <summary>500 "Server Error".</summary>
    ServerError500,
}
