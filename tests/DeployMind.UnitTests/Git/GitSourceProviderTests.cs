using DeployMind.Application.Source;
using DeployMind.Domain;
using DeployMind.Infrastructure.Git;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DeployMind.UnitTests.Git;

public sealed class GitSourceProviderTests
{
    [Theory]
    [InlineData("acme/shop-api", "https://github.com", "https://github.com/acme/shop-api.git")]
    [InlineData("acme/shop-api", "https://git.example.com/", "https://git.example.com/acme/shop-api.git")]
    [InlineData("https://git.example.com/x/y.git", "https://github.com", "https://git.example.com/x/y.git")]
    [InlineData("git@github.com:acme/shop.git", "https://github.com", "git@github.com:acme/shop.git")]
    public void ResolveUrl_Repository_GivesTheUrl(string repository, string baseUrl, string expected)
    {
        Assert.Equal(expected, GitSourceProvider.ResolveUrl(repository, baseUrl));
    }

    [Fact]
    public void ResolveUrl_NotARepository_SaysWhatIsExpected()
    {
        var ex = Assert.Throws<InvalidInputException>(() => GitSourceProvider.ResolveUrl("just-a-name", "https://github.com"));

        Assert.Contains("owner/repo", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Command_WithToken_SendsItAsAHeaderNeverInTheUrlAndRedactsIt()
    {
        const string Token = "tok_0123456789abcdef"; // deploymind:allow (test data)

        var spec = GitSourceProvider.Command("/tmp/x", Token, "fetch", "origin", "main");

        Assert.Equal(["-C", "/tmp/x", "fetch", "origin", "main"], spec.Arguments);
        Assert.Equal("http.extraHeader", spec.Environment["GIT_CONFIG_KEY_0"]);
        Assert.StartsWith("Authorization: Basic ", spec.Environment["GIT_CONFIG_VALUE_0"], StringComparison.Ordinal);
        Assert.DoesNotContain(Token, string.Join(' ', spec.Arguments), StringComparison.Ordinal);
        var shown = spec.ToString() + spec.ToShellCommand().Replace(spec.Environment["GIT_CONFIG_VALUE_0"], "***", StringComparison.Ordinal);
        Assert.DoesNotContain(Token, shown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("main;rm -rf /")]
    [InlineData("--upload-pack=touch /tmp/x")]
    [InlineData("$(id)")]
    public async Task FetchAsync_HostileRef_IsRefusedBeforeGitRuns(string hostile)
    {
        var provider = new GitSourceProvider(new LocalProcessRunner(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System), Options.Create(new GitOptions()));

        var ex = await Assert.ThrowsAsync<InvalidInputException>(() => provider.FetchAsync(new SourceSpec("acme/shop", hostile), CancellationToken.None));

        Assert.Contains("is not a branch, tag or commit SHA", ex.Message, StringComparison.Ordinal);
    }
}
