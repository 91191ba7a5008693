namespace DeployMind.Application.Source;

/// <summary>The <c>git:</c> section: where "owner/repo" points and which variable holds the token.</summary>
public sealed class GitOptions
{
    public const string SectionName = "git";

    /// <summary>"owner/repo" becomes "{BaseUrl}/owner/repo.git" (a GitHub Enterprise or mirror URL, or a local folder of bare repositories).</summary>
    public string BaseUrl { get; set; } = "https://github.com";

    /// <summary>The environment variable holding a token for private repositories (sent as an HTTP header, never in the URL).</summary>
    public string TokenVariable { get; set; } = "GITHUB_TOKEN";
}
