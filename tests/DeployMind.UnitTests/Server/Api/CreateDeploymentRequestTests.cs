using DeployMind.Server.Api;

namespace DeployMind.UnitTests.Server.Api;

public sealed class CreateDeploymentRequestTests
{
    [Theory]
    [InlineData("acme/shop-api")]
    [InlineData("https://git.example.com/acme/shop-api.git")]
    [InlineData("ssh://git@git.example.com/acme/shop-api.git")]
    [InlineData("git@github.com:acme/shop-api.git")]
    [InlineData("file:///srv/git/shop-api.git")]
    [InlineData("/srv/git/shop-api.git")]
    public void Validate_Repositories_Accepted(string repository) =>
        Assert.Empty(new CreateDeploymentRequest { Repository = repository }.Validate());

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("shop-api")]
    [InlineData("../etc")]
    [InlineData("/srv/../etc")]
    [InlineData("-upload-pack=touch /tmp/x")]
    [InlineData("ftp://example.com/acme.git")]
    [InlineData("https://example.com/a b")]
    [InlineData("acme/shop\napi")]
    public void Validate_BadRepository_NamesRepository(string? repository)
    {
        var errors = new CreateDeploymentRequest { Repository = repository }.Validate();

        Assert.Equal(["repository"], errors.Keys);
    }

    [Fact]
    public void Validate_EveryBadField_IsNamed()
    {
        var request = new CreateDeploymentRequest
        {
            Repository = "acme/shop-api",
            Ref = "-x",
            Path = "/etc",
            Environment = "Production",
            Strategy = "big-bang",
            Host = "ftp://example.com",
            Port = 0,
            Tag = "UPPER:case tag",
        };

        var errors = request.Validate();

        Assert.Equal(["environment", "host", "path", "port", "ref", "strategy", "tag"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("a-z, 0-9", errors["environment"][0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("local")]
    [InlineData("ssh://deploy@203.0.113.10:2222")]
    [InlineData("deploy@203.0.113.10")]
    public void Validate_Hosts_ParsedByTheOneHostAddressParser_Accepted(string host) =>
        Assert.Empty(new CreateDeploymentRequest { Repository = "acme/shop-api", Host = host }.Validate());

    [Fact]
    public void Validate_AnSsmHost_ParsesButIsRefusedAsNotDeployableYet()
    {
        var errors = new CreateDeploymentRequest { Repository = "acme/shop-api", Host = "ssm://i-0123456789abcdef0@eu-west-1" }.Validate();

        var error = Assert.Single(errors["host"]);
        Assert.Contains("is an ssm host, which cannot be deployed to yet", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_GoodOptions_AndDefaults()
    {
        var request = new CreateDeploymentRequest
        {
            Repository = "acme/shop-api",
            Ref = "refs/tags/v1.4.2",
            Path = "services/api",
            Environment = "pr_12-preview",
            Strategy = "blue-green",
            Host = "ssh://deploy@203.0.113.10:2222",
            Port = 8080,
            Tag = "shop-api:1.4.2",
        };

        Assert.Empty(request.Validate());
        Assert.Empty(new CreateDeploymentRequest { Repository = "acme/shop-api", Host = "local" }.Validate());
        var defaults = new CreateDeploymentRequest { Repository = "acme/shop-api" };
        Assert.Equal(("main", "production"), (defaults.RefOrDefault, defaults.EnvironmentOrDefault));
    }

    [Theory]
    [InlineData("main..evil")]
    [InlineData("main branch")]
    [InlineData("feature/")]
    [InlineData("heads//main")]
    [InlineData("main.lock")]
    public void Validate_BadRef_NamesRef(string reference) =>
        Assert.Equal(["ref"], new CreateDeploymentRequest { Repository = "acme/shop-api", Ref = reference }.Validate().Keys);

    [Theory]
    [InlineData("acme/shop-api", "shop-api")]
    [InlineData("https://git.example.com/acme/Web.Shop.git", "web-shop")]
    [InlineData("git@github.com:acme/billing.git", "billing")]
    [InlineData("/srv/git/orders/", "orders")]
    public void AppNameOf_IsTheRepositorysName(string repository, string app) =>
        Assert.Equal(app, CreateDeploymentRequest.AppNameOf(repository));

    [Theory]
    [InlineData("", false)]
    [InlineData("release-42", true)]
    [InlineData("3f2a1b9c-0000-4000-8000-000000000001", true)]
    [InlineData("has space", false)]
    [InlineData("naïve", false)]
    public void IdempotencyKey_VisibleAsciiOnly(string key, bool valid) =>
        Assert.Equal(valid, CreateDeploymentRequest.IdempotencyKeyProblem(key) is null);
}
