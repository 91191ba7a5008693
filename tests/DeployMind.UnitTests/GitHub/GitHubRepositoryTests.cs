using DeployMind.Infrastructure.GitHub;

namespace DeployMind.UnitTests.GitHub;

public sealed class GitHubRepositoryTests
{
    private static readonly IReadOnlyCollection<string> GitHubCom = GitHubRepository.HostsFor(new Uri("https://api.github.com/"));

    [Theory]
    [InlineData("acme/shop-api")]
    [InlineData("https://github.com/acme/shop-api")]
    [InlineData("https://github.com/acme/shop-api.git")]
    [InlineData("https://github.com/acme/shop-api/")]
    [InlineData("http://www.github.com/acme/shop-api")]
    [InlineData("git@github.com:acme/shop-api.git")]
    [InlineData("git@github.com:acme/shop-api")]
    [InlineData("ssh://git@github.com/acme/shop-api.git")]
    [InlineData("  acme/shop-api  ")]
    public void TryParse_GitHubForms_GiveOwnerAndName(string repository)
    {
        Assert.True(GitHubRepository.TryParse(repository, GitHubCom, out var parsed));
        Assert.Equal(new GitHubRepository("acme", "shop-api"), parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/srv/apps/shop")]
    [InlineData("./shop")]
    [InlineData("../acme/shop")]
    [InlineData("~/src/shop")]
    [InlineData("C:\\src\\shop")]
    [InlineData("apps/web/frontend")]
    [InlineData("shop")]
    [InlineData("https://gitlab.com/acme/shop-api.git")]
    [InlineData("git@gitlab.com:acme/shop-api.git")]
    [InlineData("https://github.com/acme")]
    [InlineData("https://github.com/acme/shop-api/tree/main")]
    [InlineData("file:///srv/git/acme/shop-api.git")]
    [InlineData("acme/..")]
    [InlineData("-acme/shop")]
    [InlineData("acme/shop;rm -rf")]
    public void TryParse_LocalPathsAndOtherHosts_AreNotGitHub(string? repository)
    {
        Assert.False(GitHubRepository.TryParse(repository, GitHubCom, out var parsed));
        Assert.Null(parsed);
    }

    [Theory]
    [InlineData("https://ghe.example.com/acme/shop.git")]
    [InlineData("git@ghe.example.com:acme/shop.git")]
    [InlineData("https://github.com/acme/shop")]
    public void TryParse_OnTheConfiguredEnterpriseHost_IsGitHub(string repository)
    {
        var hosts = GitHubRepository.HostsFor(new Uri("https://ghe.example.com/api/v3/"));

        Assert.True(GitHubRepository.TryParse(repository, hosts, out var parsed));
        Assert.Equal("acme/shop", parsed.ToString());
    }

    [Fact]
    public void HostsFor_AnApiSubdomain_AlsoAcceptsTheWebHost()
    {
        var hosts = GitHubRepository.HostsFor(new Uri("https://api.acme.ghe.com/"));

        Assert.True(GitHubRepository.TryParse("https://acme.ghe.com/team/app", hosts, out var parsed));
        Assert.Equal(new GitHubRepository("team", "app"), parsed);
    }
}
