using Amazon.Runtime;
using DeployMind.Application.Deploy.Delivery;
using DeployMind.Domain;
using DeployMind.Infrastructure.Registry;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.UnitTests.Registry;

public sealed class EcrAuthorizationTests : IAsyncLifetime, IDisposable
{
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private FakeEcrServer _ecr = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _ecr = await FakeEcrServer.StartAsync(SecretKey);

    public async Task DisposeAsync() => await _ecr.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task The_signed_call_returns_the_login_in_the_token_and_its_expiry()
    {
        _ecr.Token = "AWS:pa:ss-with-colons";
        var (user, password, expires) = await Ecr(TimeProvider.System).GetAsync("eu-west-1", CancellationToken.None);

        Assert.Equal("AWS", user);
        Assert.Equal("pa:ss-with-colons", password);
        Assert.Equal(_ecr.ExpiresAt.ToUnixTimeSeconds(), expires.ToUnixTimeSeconds());
        Assert.Equal(["AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken eu-west-1 signed-ok"], _ecr.Calls);
    }

    [Fact]
    public async Task Session_credentials_send_their_token_inside_the_signature()
    {
        var ecr = new EcrAuthorization(_http, TimeProvider.System, _ => Task.FromResult(new ImmutableCredentials("ASIAEXAMPLE", SecretKey, "session-token")), _ => _ecr.Url);

        await ecr.GetAsync("us-east-1", CancellationToken.None);

        Assert.Equal(["AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken us-east-1 signed-ok session"], _ecr.Calls);
    }

    [Fact]
    public async Task A_refusal_says_which_permission_the_credentials_need()
    {
        _ecr.Error = "AccessDeniedException";

        var error = await Assert.ThrowsAsync<DeployMindException>(() => Ecr(TimeProvider.System).GetAsync("eu-west-1", CancellationToken.None));

        Assert.Contains("Amazon ECR refused GetAuthorizationToken in eu-west-1 (400 AccessDeniedException", error.Message, StringComparison.Ordinal);
        Assert.Contains("need ecr:GetAuthorizationToken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_by_the_signature_check()
    {
        var wrong = new EcrAuthorization(_http, TimeProvider.System, _ => Task.FromResult(new ImmutableCredentials("AKIDEXAMPLE", "not-the-key", null)), _ => _ecr.Url);

        var error = await Assert.ThrowsAsync<DeployMindException>(() => wrong.GetAsync("eu-west-1", CancellationToken.None));

        Assert.Contains("403 InvalidSignatureException", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logins_keep_the_token_until_a_quarter_hour_before_it_expires_then_ask_again()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _ecr.ExpiresAt = time.GetUtcNow().AddHours(1);
        var logins = new RegistryLogins(Ecr(TimeProvider.System), time);
        var registry = RegistrySettings.Parse(new() { Server = "123456789012.dkr.ecr.eu-west-1.amazonaws.com" }, "build.registry")!;

        var first = await logins.LoginAsync(registry, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(40));
        var second = await logins.LoginAsync(registry, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(10));
        _ecr.Token = "AWS:renewed";
        _ecr.ExpiresAt = time.GetUtcNow().AddHours(12);
        var third = await logins.LoginAsync(registry, CancellationToken.None);

        Assert.Equal("123456789012.dkr.ecr.eu-west-1.amazonaws.com", first!.Server);
        Assert.Same(first, second);
        Assert.Equal("renewed", third!.Password);
        Assert.Equal(2, _ecr.Calls.Count);
        Assert.Equal("AWS@123456789012.dkr.ecr.eu-west-1.amazonaws.com", third.ToString());
    }

    private EcrAuthorization Ecr(TimeProvider time) =>
        new(_http, time, _ => Task.FromResult(new ImmutableCredentials("AKIDEXAMPLE", SecretKey, null)), _ => _ecr.Url);
}
